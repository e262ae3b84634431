"""Every GET-able page of the portal, in each of its languages (issue #10 items 5 and 6):

- item 5: each HTML page carries the production Content-Security-Policy, which allows neither
  'unsafe-inline' nor 'unsafe-eval', and holds nothing that policy would block: no inline
  <script> (a JSON data block is not run, so it may stay), no <style> element, no style=
  attribute, no on*= handler, no javascript: URL;
- item 6: each HTML page says its language and direction, <html lang="…" dir="ltr">, in
  English, Polish and Traditional Chinese, a signed-in user's pages in their profile's
  language, an anonymous visitor's in the language cookie's.

The pages are tests/test_permissions.py's table (a row per URL pattern and object), requested
in its world by the first role the table says gets a 200 -- one request per row and language.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import override_settings

from accounts.models import User
from tests.test_permissions import (
    ON_POSTGRESQL,
    ROWS,
    module_world,  # noqa: F401 (its world, built once here)
)
from tests.test_settings import PRODUCTION_ENV, _run

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "pl", "zh-hant")
CSP_MIDDLEWARE = "portal.middleware.ContentSecurityPolicyMiddleware"
# Script types a browser does not run, so the CSP does not block them (json_script's blocks).
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction"}

# Each row of the table with a role that reads the page (200).
PAGES = [
    (row, next(role for role in row.roles if row.expect(role, "GET").status == 200))
    for row in ROWS
    if any(row.expect(role, "GET").status == 200 for role in row.roles)
]
# The admin's pages (more than half of the rows) are Django's templates under the one
# admin/base_site.html: English walks them all (the CSP); the other languages walk a sample
# of each kind (index, a model's list, add, change, history, delete), which is where the
# <html lang> comes from, and keep the walk's time down.
ADMIN_SAMPLE = ("admin:index", "admin:accounts_site_")


def is_admin(key: str) -> bool:
    return key.startswith(("admin:", "admin/"))


def walked(language: str) -> list:
    if language == "en":
        return PAGES
    return [
        (row, role)
        for row, role in PAGES
        if not is_admin(row.key) or row.key.startswith(ADMIN_SAMPLE)
    ]


PRODUCTION_PROBE = """
import json
import portal.settings.production as production
print(json.dumps({"policy": production.CONTENT_SECURITY_POLICY,
                  "middleware": production.MIDDLEWARE}))
"""


@pytest.fixture(scope="module")
def production_csp() -> dict:
    """The production settings' policy and middleware (their module read in a subprocess:
    they need an environment the test settings must not see)."""
    result = _run(["-c", PRODUCTION_PROBE], DJANGO_SECRET_KEY="x" * 60, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


class PageAudit(HTMLParser):
    """What a page holds that a CSP without 'unsafe-inline' blocks, and its <html> element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.html_attrs: dict[str, str | None] | None = None
        self.blocked: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html" and self.html_attrs is None:
            self.html_attrs = attributes
        if (
            tag == "script"
            and not attributes.get("src")
            and (attributes.get("type") or "").lower() not in DATA_SCRIPT_TYPES
        ):
            self._in_inline_script = True
        if tag == "style":
            self.blocked.append("<style> element")
        for name, value in attrs:
            url = (value or "").strip().lower() if name in URL_ATTRIBUTES else ""
            if name == "style" or name.startswith("on") or url.startswith("javascript:"):
                self.blocked.append(f'<{tag} {name}="{value}">')

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.blocked.append(f"inline <script>: {data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def audit(html: str) -> PageAudit:
    parser = PageAudit()
    parser.feed(html)
    parser.close()
    return parser


def is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


def test_the_production_policy_allows_no_inline_script_or_style_and_is_installed(production_csp):
    policy = production_csp["policy"]

    assert CSP_MIDDLEWARE in production_csp["middleware"]
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert "default-src 'self'" in policy


def test_the_audit_finds_what_the_policy_would_block():
    """The checks below can fail: each kind of inline code is found, a data block is not."""
    found = audit(
        '<html lang="en"><body style="color: red"><script>alert(1)</script>'
        '<script type="application/json">{"a": 1}</script><script src="/s.js"></script>'
        '<button onclick="go()">Go</button><a href="javascript:go()">x</a>'
        "<style>p {}</style></body></html>"
    )

    assert found.html_attrs == {"lang": "en"}
    assert len(found.blocked) == 5
    assert "inline <script>: alert(1)" in found.blocked


@pytest.mark.skipif(
    ON_POSTGRESQL,
    reason="the same templates on either database: the SQLite pass walks them (CI time)",
)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_has_the_csp_no_inline_code_and_its_languages_lang_and_dir(
    module_world,  # noqa: F811 (the fixture imported above)
    client,
    production_csp,
    language,
):
    pw = module_world
    User.objects.filter(pk__in=[user.pk for user in pw.world.users.values()]).update(
        language=language
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # for the anonymous pages
    problems: list[str] = []
    checked = 0
    with override_settings(
        MIDDLEWARE=[*settings.MIDDLEWARE, CSP_MIDDLEWARE],
        CONTENT_SECURITY_POLICY=production_csp["policy"],
    ):
        for row, role in walked(language):
            url, _number = row.url(pw)
            if role == "anonymous":
                client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
            else:
                client.cookies[settings.SESSION_COOKIE_NAME] = pw.sessions[role]
            response = client.get(url)
            where = f"{url} ({row.key}, {role})"
            if response.status_code != 200:
                problems.append(f"{where}: {response.status_code} {response.get('Location', '')}")
                continue
            if not is_html(response):
                continue
            checked += 1
            if response.get("Content-Security-Policy") != production_csp["policy"]:
                problems.append(f"{where}: CSP {response.get('Content-Security-Policy')!r}")
            found = audit(response.content.decode())
            problems += [f"{where}: {blocked}" for blocked in found.blocked]
            if found.html_attrs is None or not found.html_attrs.get("lang"):
                problems.append(f"{where}: no <html lang>")
            elif (found.html_attrs["lang"], found.html_attrs.get("dir")) != (language, "ltr"):
                problems.append(
                    f"{where}: <html lang={found.html_attrs['lang']!r} "
                    f"dir={found.html_attrs.get('dir')!r}>"
                )

    assert sorted(set(problems)) == []
    assert checked > 120  # the walk reached the portal's pages, not a few redirects
