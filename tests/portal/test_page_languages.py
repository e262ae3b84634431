"""The error pages say their language and direction in every language (issue #10 item 6):
<html lang="…" dir="ltr"> on the 404, 403 and 500 pages in English, Polish and Traditional
Chinese -- an anonymous visitor's from the language cookie, a signed-in user's from their
profile. (Every other page, the sign-in pages among them: tests/portal/test_every_page.py.)
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from tests.conftest import client_for

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "pl", "zh-hant")
HTML_TAG = re.compile(r"<html\b([^>]*)>")
# tests/portal/test_http.py's URLs: the portal's, a failing view and a refusing one.
ERROR_URLS = {404: "/no-such-page/", 403: "/test-forbidden/", 500: "/test-boom/"}


@pytest.fixture
def error_client(client, settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.portal.test_http"
    client.raise_request_exception = False
    return client


def html_lang_dir(response) -> tuple[str | None, str | None]:
    found = HTML_TAG.search(response.content.decode())
    assert found, "no <html> element"
    attributes = dict(re.findall(r'(\w+)="([^"]*)"', found.group(1)))
    return attributes.get("lang"), attributes.get("dir")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("status", sorted(ERROR_URLS))
def test_an_error_page_for_a_signed_in_user_is_in_their_profiles_language(
    error_client, world, language, status
):
    user = world.users["primary"]
    user.language = language
    user.save(update_fields=["language"])
    client_for(error_client, world, "primary")

    response = error_client.get(ERROR_URLS[status])

    assert response.status_code == status
    assert html_lang_dir(response) == (language, "ltr")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_404_page_for_an_anonymous_visitor_is_in_the_cookies_language(error_client, language):
    error_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = error_client.get(ERROR_URLS[404])

    assert response.status_code == 404
    assert html_lang_dir(response) == (language, "ltr")
