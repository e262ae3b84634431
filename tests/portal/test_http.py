"""Request-wide HTTP behaviour (issue #7): the request body cap (item 4), the client address
rate limits count behind a proxy (item 6, A6), no caching of tenant pages and downloads
(item 7, A4), and the error pages in the portal's layout (item 14)."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.test import override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import path, reverse
from django.utils import timezone

from licensing import services as licensing_services
from licensing.imports import MAX_UPLOAD_BYTES
from licensing.models import Order, Product
from portal import urls as portal_urls
from portal.middleware import BodyCapUploadHandler, RequestBodyTooLargeError
from tests.accounts.factories import TEST_PASSWORD, UserFactory
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

NO_STORE = {"private", "no-store"}


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


# --- item 4: the request body cap ------------------------------------------------------------

CAP = 64 * 1024


@pytest.fixture
def upload_dir(tmp_path, settings):
    """Where Django would spool uploads; small limits so a test body counts as large."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # anything bigger is written to the temp dir
    settings.MAX_REQUEST_BODY_BYTES = CAP
    return tmp_path


def test_a_declared_body_above_the_cap_is_refused_with_413_before_it_is_read(
    client, world, upload_dir
):
    client_for(client, world, "reseller")
    body = encode_multipart(BOUNDARY, {"file": io.BytesIO(b"x" * 4096)})

    response = client.generic(
        "POST",
        reverse("licensing:import_upload"),
        body,
        content_type=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(300 * 1024 * 1024),  # what a 300 MB upload declares
    )

    assert response.status_code == 413
    assert "The upload is too large" in response.content.decode()
    assert list(upload_dir.iterdir()) == []


def test_a_body_above_the_cap_answers_the_portal_page_saying_the_limit(client, world, upload_dir):
    client_for(client, world, "reseller")
    big = io.BytesIO(b"x" * (2 * CAP))
    big.name = "big.csv"

    response = client.post(reverse("licensing:import_upload"), {"file": big})

    assert response.status_code == 413
    assert "Requests are limited to 64.0\xa0KB." in response.content.decode()
    assert list(upload_dir.iterdir()) == []


def test_the_default_cap_is_a_little_above_the_imports_50_mb_file_limit():
    assert MAX_UPLOAD_BYTES < settings.MAX_REQUEST_BODY_BYTES <= MAX_UPLOAD_BYTES * 1.1


def test_a_body_streamed_past_the_cap_stops_before_anything_is_spooled(rf, upload_dir):
    """A body whose length was not declared truthfully: the upload handler counts what
    streams in and stops at the cap, ahead of the handler that writes temporary files."""
    body = encode_multipart(BOUNDARY, {"file": io.BytesIO(b"x" * (4 * CAP))})
    request = rf.generic("POST", "/imports/", body, content_type=MULTIPART_CONTENT)
    handlers = [BodyCapUploadHandler(request), TemporaryFileUploadHandler(request)]
    parser = MultiPartParser(request.META, io.BytesIO(body), handlers)
    spooled = []
    original = TemporaryFileUploadHandler.receive_data_chunk

    def spy(self, raw_data, start):
        spooled.append(len(raw_data))
        return original(self, raw_data, start)

    TemporaryFileUploadHandler.receive_data_chunk = spy
    try:
        with pytest.raises(RequestBodyTooLargeError):
            parser.parse()
    finally:
        TemporaryFileUploadHandler.receive_data_chunk = original

    assert sum(spooled) <= CAP
    handlers[1].file.close()  # the partial temporary file is deleted when closed
    assert list(upload_dir.iterdir()) == []


def test_a_body_under_the_cap_reaches_the_import_page(client, world, upload_dir):
    client_for(client, world, "reseller")
    small = io.BytesIO(b"not,a,real,import\n")
    small.name = "small.csv"

    response = client.post(reverse("licensing:import_upload"), {"file": small})

    assert response.status_code in (200, 302)


# --- item 6: login rate limits behind a proxy (A6) --------------------------------------------

PROXY = "10.0.0.5"
# Sign-in attempts per client address, as ACCOUNT_RATE_LIMITS["login"] (30/m/ip), made small.
FEW_FAILURES = {"login": "3/m/ip"}


@pytest.fixture
def _rate_limits():
    cache.clear()
    yield
    cache.clear()


def _fail_login(client, n: int, **headers) -> list[int]:
    statuses = []
    for attempt in range(n):
        response = client.post(
            reverse("account_login"),
            {"login": f"nobody{attempt}@example.test", "password": "wrong-password"},
            REMOTE_ADDR=PROXY,
            **headers,
        )
        statuses.append(response.status_code)
    return statuses


@pytest.mark.usefixtures("_rate_limits")
@override_settings(ACCOUNT_RATE_LIMITS=FEW_FAILURES, ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_two_clients_behind_the_trusted_proxy_are_counted_separately(client):
    user = UserFactory(email="real@alpha.test")

    assert _fail_login(client, 4, HTTP_X_FORWARDED_FOR="203.0.113.7")[-1] == 429
    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": TEST_PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )

    assert response.status_code == 302  # the other client signs in


@pytest.mark.usefixtures("_rate_limits")
@override_settings(ACCOUNT_RATE_LIMITS=FEW_FAILURES, ALLAUTH_TRUSTED_PROXY_COUNT=0)
def test_a_spoofed_forwarded_for_is_not_trusted_without_a_configured_proxy(client):
    statuses = [
        _fail_login(client, 1, HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}")[0]
        for attempt in range(4)
    ]

    assert statuses[-1] == 429  # one address (REMOTE_ADDR), whatever the header says


# --- item 7: Cache-Control on tenant pages and downloads (A4) ---------------------------------


@pytest.fixture
def ordered_site(world):
    today = timezone.localdate()
    product = Product.objects.create(
        part_number="ATL-DB-100",
        name="Atlas Database Server",
        family="Atlas Database",
        kind=Product.Kind.SOFTWARE,
        list_price=1000,
        annual_ss_price=200,
    )
    licensing_services.order_place(
        site=world.site,
        ordered_on=today,
        lines=[licensing_services.LineRequest(product=product, quantity=1)],
        actor=world.users["staff"],
        source=Order.Source.ADMIN,
        as_of=today,
    )
    return world.site


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("licensing:inventory", "text/html"),
        ("licensing:statement_csv", "text/csv"),
        ("licensing:statement_pdf", "application/pdf"),
    ],
)
def test_tenant_pages_and_downloads_are_private_and_not_stored(
    client, world, ordered_site, name, content_type
):
    client_for(client, world, "primary")
    args = [] if name == "licensing:inventory" else [ordered_site.number]

    response = client.get(reverse(name, args=args))

    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert cache_control(response) >= NO_STORE


def test_static_files_keep_their_own_caching(client):
    response = client.get("/static/css/portal.css")
    response.close()

    assert response.status_code == 200
    assert "no-store" not in cache_control(response)


# --- item 14: error pages in the portal's layout ----------------------------------------------


def boom(request):
    raise RuntimeError("a bug")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [
    *portal_urls.urlpatterns,
    path("test-boom/", boom),
    path("test-forbidden/", forbidden),
]
handler403 = portal_urls.handler403
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500


@pytest.fixture
def error_client(client, settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    return client


def test_a_missing_page_is_a_404_in_the_layout_with_a_way_back(error_client, world):
    client_for(error_client, world, "primary")

    response = error_client.get("/no-such-page/", HTTP_REFERER="http://testserver/inventory/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html
    assert 'id="main-nav"' in html  # the portal's layout
    assert reverse("dashboard") in html
    assert 'href="http://testserver/inventory/"' in html  # back to the previous page


def test_the_404_page_offers_sign_in_to_anonymous_users_and_no_foreign_back_link(error_client):
    response = error_client.get("/no-such-page/", HTTP_REFERER="https://evil.example/")

    html = response.content.decode()
    assert response.status_code == 404
    assert reverse("account_login") in html
    assert "evil.example" not in html


def test_a_refused_page_is_a_403_in_the_layout_with_a_way_back(error_client, world):
    client_for(error_client, world, "primary")

    response = error_client.get("/test-forbidden/")

    html = response.content.decode()
    assert response.status_code == 403
    assert "You do not have access to this page" in html
    assert 'id="main-nav"' in html
    assert reverse("dashboard") in html


def test_a_failing_view_is_a_500_page_in_the_portals_look(error_client, world):
    error_client.raise_request_exception = False
    client_for(error_client, world, "primary")

    response = error_client.get("/test-boom/")

    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html
    assert "bootstrap.min.css" in html
    assert reverse("dashboard") in html
    assert reverse("account_login") in html
