"""E3 under the production static storage (review #7 item 1): with whitenoise's
CompressedManifestStaticFilesStorage, `{% static %}` gives hashed names (pdf.3f2a….css) that
the finders do not know. The PDF fetcher must still serve the stylesheet, and still only the
portal's own static files."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import override_settings
from pypdf import PdfReader

from portal.core import pdf

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic into a throw-away STATIC_ROOT under the production storage, as the
    production image does; the settings stay overridden for the module's tests. Only the
    portal's own static/ folder is collected (compressing the admin's files takes a minute)."""
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(
        STORAGES=PRODUCTION_STORAGES,
        STATIC_ROOT=str(root),
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


@pytest.fixture
def fetched(monkeypatch) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {"served": [], "blocked": []}
    original = pdf.StaticFilesOnlyFetcher.fetch

    def spy(self, url, headers=None):
        try:
            response = original(self, url, headers)
        except Exception:
            seen["blocked"].append(url)
            raise
        seen["served"].append(url)
        return response

    monkeypatch.setattr(pdf.StaticFilesOnlyFetcher, "fetch", spy)
    return seen


def pages(data: bytes) -> list:
    return PdfReader(io.BytesIO(data)).pages


def poe_html() -> str:
    snapshot = {
        "customer": "Alpha Holdings",
        "site_number": "1234567",
        "site_name": "Alpha HQ",
        "agreement": "PA 9000001",
        "order_number": "",
        "order_date": "",
        "lines": [],
    }
    return render_to_string(
        "pdf/poe.html",
        {
            "doc": {"code": "CODE", "issued_on": date(2026, 12, 1)},
            "snapshot": snapshot,
            "verify_path": "/v",
        },
    )


def test_static_urls_are_hashed_under_the_production_storage(collected):
    url = staticfiles_storage.url("pdf/pdf.css")
    assert re.fullmatch(r"/static/pdf/pdf\.[0-9a-f]{12}\.css", url)


def test_the_pdf_stylesheet_is_applied_under_the_production_storage(collected, fetched):
    html = poe_html()
    hashed = staticfiles_storage.url("pdf/pdf.css")
    assert hashed in html
    data = pdf.html_to_pdf(html, identifier="static-test")
    assert fetched["blocked"] == []
    stylesheet, font = fetched["served"]
    assert stylesheet == f"https://portal.invalid{hashed}"
    # The stylesheet's Chinese font (issue #10) under its hashed name too.
    assert re.fullmatch(
        r"https://portal\.invalid/static/vendor/noto-sans-tc/NotoSansTC-Regular\.[0-9a-f]{12}\.ttf",
        font,
    )
    # The stylesheet's @page rule prints "page / pages" at the bottom right: styled output.
    assert "1 / 1" in pages(data)[0].extract_text()


@pytest.mark.parametrize(
    "path",
    [
        "/static/staticfiles.json",  # the manifest is not a file a template may use
        "/static/pdf/pdf.000000000000.css",  # a hash the manifest does not list
        "/static/../portal/settings/base.py",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static//etc/passwd",
        "/media/poe/secret.pdf",
    ],
)
def test_the_fetcher_still_refuses_anything_but_static_files(collected, path):
    with pytest.raises(Exception, match=r"Only the portal.s static files"):
        pdf.StaticFilesOnlyFetcher().fetch(f"https://portal.invalid{path}")


def test_the_fetcher_serves_the_collected_hashed_file(collected):
    hashed = staticfiles_storage.url("pdf/pdf.css")
    response = pdf.StaticFilesOnlyFetcher().fetch(f"https://portal.invalid{hashed}")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()
