"""The page the portal answers while its database is out of reach (issue #10 item 4): 503,
the portal's look, one plain sentence, Retry-After; never a traceback. The real outage is
tests/faults/test_database_outage.py (marker `fault`); these run in every pass, in a second."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from portal.errors import server_error

SENTENCE = "The portal cannot reach its database just now; try again in a minute."

pytestmark = [pytest.mark.urls("tests.faults.unavailable_urls")]


@pytest.fixture
def client_without_raising(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("path", ["/test/database-gone/", "/test/connection-closed/"])
def test_a_view_that_loses_the_database_answers_503_with_the_plain_page(
    client_without_raising, path
):
    response = client_without_raising.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    body = response.content.decode()
    assert SENTENCE in body
    assert 'class="navbar' in body  # the portal's look
    assert "Traceback" not in body
    assert "Connection refused" not in body


@pytest.mark.django_db
def test_a_middleware_that_loses_the_database_answers_503_too(client_without_raising):
    """The user is loaded by the middleware before any view runs: the 500 handler sees the
    database error and answers 503 instead."""
    failing = mock.patch(
        "django.contrib.auth.middleware.auth.get_user", side_effect=OperationalError("gone")
    )
    with failing:
        response = client_without_raising.get("/")
    assert response.status_code == 503
    assert SENTENCE in response.content.decode()


def _a_bug():
    raise ValueError("a bug")


def test_any_other_error_is_still_the_500_page(rf):
    try:
        _a_bug()
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert SENTENCE not in response.content.decode()
