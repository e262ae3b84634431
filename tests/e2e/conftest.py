"""Browser fixtures: Playwright driving Debian's Chromium against pytest-django's live server.

E-mails are written to files (the embedded default, SPEC §6) and read back from disk, so the
tests follow the same link a person would click. No pytest-playwright: these few fixtures are
all the tests need.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.e2e.audit import PageAudit
from tests.e2e.helpers import Mailbox

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
# Generous for a loaded 2-core machine; Playwright waits only as long as it must.
TIMEOUT_MS = 15_000

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    # Sync Playwright runs an event loop in the test thread, which trips Django's async-unsafe
    # guard on every ORM call the tests make (factories, flushing the database). Lift the
    # guard only while the browser tests run.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as driver:
            yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    # Debian's Chromium: Playwright cannot download its own browser here.
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


@pytest.fixture
def e2e_settings(settings, tmp_path, live_server):
    """Write e-mails to files and build links that point at the live server."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(mail_dir)
    settings.SITE_URL = live_server.url
    # Rate-limit counters and allauth's used-TOTP-code marks live in the cache; user ids
    # repeat from test to test, so start clean.
    cache.clear()
    return settings


@pytest.fixture
def mailbox(e2e_settings) -> Mailbox:
    return Mailbox(Path(e2e_settings.EMAIL_FILE_PATH))


@pytest.fixture
def page_audit() -> PageAudit:
    return PageAudit()


@pytest.fixture
def new_context(
    browser: Browser, live_server, transactional_db, e2e_settings, page_audit
) -> Iterator[Callable[..., BrowserContext]]:
    """Make fresh browser contexts (separate cookie jars: one per person). Every page loaded
    in them is audited (axe-core, overflow); the test fails at teardown on any finding."""
    contexts: list[BrowserContext] = []

    def make(*, width: int = 1366, height: int = 900, locale: str = "en-GB") -> BrowserContext:
        # `locale` is the browser's language (its Accept-Language header).
        context = browser.new_context(
            base_url=live_server.url, locale=locale, viewport={"width": width, "height": height}
        )
        context.set_default_timeout(TIMEOUT_MS)
        page_audit.install(context)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        for open_page in context.pages:
            # Let an audit still running on the last page report before the context closes.
            open_page.wait_for_timeout(300)
        context.close()
    page_audit.assert_clean()


@pytest.fixture
def page(new_context) -> Page:
    return new_context().new_page()
