"""PDF rendering with WeasyPrint from Django templates (E3, L4).

The URL fetcher serves only the portal's own static files: no file:// paths, no network
addresses, nothing a template or tenant-supplied text could point at. Documents are
reproducible: the same data gives the same bytes (fixed identifier and dates).
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

logger = logging.getLogger(__name__)

# Relative URLs in PDF templates ({% static %} gives /static/…) resolve against this base;
# the host is reserved (.invalid) so nothing can ever be fetched from it over a network.
PDF_BASE_URL = "https://portal.invalid/"


class StaticFilesOnlyFetcher(URLFetcher):
    """Fetch /static/… from the portal's static files; refuse everything else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("https",), allow_redirects=False)
        self.blocked: list[str] = []

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        base = urlsplit(PDF_BASE_URL)
        static_prefix = settings.STATIC_URL
        if (
            parts.scheme == base.scheme
            and parts.netloc == base.netloc
            and parts.path.startswith(static_prefix)
        ):
            body = static_file_content(unquote(parts.path[len(static_prefix) :]))
            if body is not None:
                content_type = mimetypes.guess_type(parts.path)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body, {"Content-Type": content_type})
        self.blocked.append(url)
        logger.warning("PDF rendering refused to fetch %s", url)
        raise URLFetchingError(f"Only the portal's static files may be used: {url}")


def static_file_content(name: str) -> bytes | None:
    """The bytes of the static file `{% static %}` named `name`, or None when it is not one.

    A source name (pdf/pdf.css) is found through the finders, as in development. Under a
    manifest storage (production: whitenoise's CompressedManifestStaticFilesStorage)
    `{% static %}` gives the hashed name (pdf/pdf.3f2a….css), which only the manifest knows:
    such a name is served from the collected files, and only when the manifest lists it, so
    nothing else under STATIC_ROOT (the manifest itself, stale files) is reachable."""
    try:
        path = finders.find(name)
    except SuspiciousFileOperation:
        path = None
    if path:
        with open(path, "rb") as handle:  # noqa: PTH123
            return handle.read()
    hashed_files = getattr(staticfiles_storage, "hashed_files", None)
    if hashed_files and name in set(hashed_files.values()):
        with staticfiles_storage.open(name) as handle:
            return handle.read()
    return None


def render_pdf(template: str, context: dict, *, identifier: str) -> bytes:
    """Render `template` to a PDF. `identifier` (e.g. a PoE code) makes the file's id
    reproducible."""
    return html_to_pdf(render_to_string(template, context), identifier=identifier)


def html_to_pdf(
    html: str, *, identifier: str, fetcher: StaticFilesOnlyFetcher | None = None
) -> bytes:
    """Render HTML to a PDF through the static-files-only fetcher. WeasyPrint takes the
    document dates from <meta name="dcterms.created/modified"> (and writes none without
    them) and the file id from `identifier`, so nothing in the bytes depends on the clock."""
    return html_layout(html, fetcher=fetcher).write_pdf(
        pdf_identifier=hashlib.sha256(identifier.encode()).hexdigest()[:32].encode(),
    )


def html_layout(html: str, *, fetcher: StaticFilesOnlyFetcher | None = None) -> Document:
    """The laid-out pages (boxes with their positions) before they are written: what a test
    measures to know that nothing runs off the page."""
    return HTML(
        string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher or StaticFilesOnlyFetcher()
    ).render()
