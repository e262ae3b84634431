"""A6: sign-in by e-mail, required MFA for reseller and staff users, the admin behind the
same login, session lifetimes, other sessions ended by a password change, rate limits."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import redis
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache, caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.signals import SESSION_AUTH_AT
from tests.accounts.factories import (
    TEST_PASSWORD,
    TEST_TOTP_SECRET,
    ResellerFactory,
    UserFactory,
    with_totp,
)

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many failed login attempts. Try again later."
FAILED_LOGINS_PER_ADDRESS = 5  # ACCOUNT_RATE_LIMITS["login_failed"] = "5/5m/key,..."


@pytest.fixture(autouse=True)
def _empty_rate_limit_cache():
    """allauth counts attempts in the cache; start and end every test with a clean count."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def customer(db):
    return UserFactory(email="carol@customer.test")


@pytest.fixture
def reseller_user(db):
    return UserFactory(email="rex@reseller.test", reseller=ResellerFactory())


@pytest.fixture
def staff_user(db):
    return UserFactory(email="stella@vendor.test", is_staff=True, is_superuser=True)


def sign_in(client, email: str, password: str = TEST_PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- signing in by e-mail --------------------------------------------------------------------


def test_a_customer_without_mfa_signs_in_with_their_email_address(client, customer):
    """A6: the e-mail address is the login; customers may go without MFA."""
    response = sign_in(client, "carol@customer.test")

    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_the_email_address_is_not_case_sensitive(client, customer):
    """A6: the address is matched whatever its letter case."""
    sign_in(client, "Carol@Customer.TEST")

    assert signed_in(client)


def test_a_wrong_password_is_refused(client, customer):
    """A6: a wrong password signs nobody in."""
    response = sign_in(client, "carol@customer.test", "not-the-password")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not signed_in(client)


def test_a_customer_with_an_authenticator_is_asked_for_the_code(client, customer):
    """A6: optional MFA for customers is enforced once set up."""
    with_totp(customer)

    response = sign_in(client, "carol@customer.test")

    assert response.url == reverse("mfa_authenticate")
    assert not signed_in(client)


# --- MFA for reseller and staff users (A6) ---------------------------------------------------


@pytest.mark.parametrize("who", ["reseller_user", "staff_user"])
@pytest.mark.parametrize("path", ["/", "/admin/"])
def test_reseller_and_staff_without_an_authenticator_must_set_one_up(client, request, who, path):
    """A6: required MFA: every page sends them to the authenticator activation page."""
    client.force_login(request.getfixturevalue(who))

    response = client.get(path)

    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))


def test_the_way_to_the_activation_page_has_no_redirect_loop(client, reseller_user):
    """A6: the pages on the way to setting up an authenticator (allauth asks for the
    password again before activation) are not themselves redirected."""
    sign_in(client, reseller_user.email)

    response = client.get("/", follow=True)

    assert response.status_code == 200
    assert response.request["PATH_INFO"].startswith("/accounts/")
    assert reverse("mfa_activate_totp") in response.redirect_chain[0][0]


def test_a_reseller_with_an_authenticator_reaches_the_dashboard(client, reseller_user):
    """A6: once an authenticator is set up, the portal opens."""
    client.force_login(with_totp(reseller_user))

    assert client.get("/").status_code == 200


def test_a_customer_is_not_required_to_set_up_an_authenticator(client, customer):
    """A6: MFA is optional for customers."""
    client.force_login(customer)

    assert client.get("/").status_code == 200


@pytest.mark.parametrize("who", ["reseller_user", "staff_user"])
def test_signing_in_with_an_authenticator_asks_for_the_code(client, request, who):
    """A6: the password alone does not sign a reseller or staff user in."""
    user = with_totp(request.getfixturevalue(who))

    response = sign_in(client, user.email)

    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert not signed_in(client)


def test_the_current_code_completes_the_sign_in(client, settings, staff_user):
    """A6: password plus the authenticator's current code signs in."""
    settings.MFA_TOTP_TOLERANCE = 1  # a code computed at a 30-second boundary stays valid
    with_totp(staff_user)
    sign_in(client, staff_user.email)
    code = format_hotp_value(hotp_value(TEST_TOTP_SECRET, int(time.time()) // 30))

    response = client.post(reverse("mfa_authenticate"), {"code": code})

    assert response.status_code == 302
    assert signed_in(client)


def test_a_wrong_code_does_not_sign_in(client, staff_user):
    """A6: the password alone never signs in a user with an authenticator."""
    with_totp(staff_user)
    sign_in(client, staff_user.email)

    client.post(reverse("mfa_authenticate"), {"code": "000000"})

    assert not signed_in(client)


# --- the admin behind the same login (A6) ----------------------------------------------------


def test_the_admin_login_page_redirects_to_the_portal_sign_in(client):
    """A6: the admin has no login form of its own (allauth's secure_admin_login)."""
    response = client.get(reverse("admin:login") + "?next=/admin/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "next=%2Fadmin%2F" in response.url


def test_posting_a_password_to_the_admin_login_does_not_sign_in(client, staff_user):
    """A6: the admin form cannot be used to skip MFA."""
    response = client.post(
        reverse("admin:login"), {"username": staff_user.email, "password": TEST_PASSWORD}
    )

    assert response.status_code == 302
    assert not signed_in(client)


def test_the_admin_refuses_a_signed_in_customer(client, customer):
    """A6: the admin is for staff only."""
    client.force_login(customer)

    response = client.get(reverse("admin:login"))

    assert response.status_code == 403


# --- session lifetime (A6) -------------------------------------------------------------------


def test_sessions_last_thirty_idle_minutes_renewed_by_every_request():
    """A6: the idle limit is the cookie age, renewed on every request."""
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_a_request_renews_the_idle_deadline(client, customer):
    """A6: activity pushes the idle deadline 30 minutes ahead."""
    client.force_login(customer)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + timedelta(minutes=1)
    )

    client.get("/")

    expires = Session.objects.get(session_key=key).expire_date
    assert expires > timezone.now() + timedelta(minutes=29)


def test_a_session_idle_for_thirty_minutes_is_signed_out(client, customer):
    """A6: the last request 31 minutes ago means the session expired a minute ago."""
    client.force_login(customer)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )

    response = client.get("/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def _signed_in_since(client, user, ago: timedelta) -> None:
    client.force_login(user)
    session = client.session
    session[SESSION_AUTH_AT] = (timezone.now() - ago).timestamp()
    session.save()


def test_an_active_session_ends_twelve_hours_after_sign_in(client, customer):
    """A6: the absolute limit (SessionLifetimeMiddleware), however active the session."""
    _signed_in_since(client, customer, timedelta(hours=12, minutes=1))

    response = client.get("/")

    assert response.status_code == 302
    assert response.url == reverse("account_login")
    assert not signed_in(client)


def test_a_session_ended_after_twelve_hours_says_why(client, customer):
    """A6: the person is told why they must sign in again."""
    _signed_in_since(client, customer, timedelta(hours=12, minutes=1))

    response = client.get("/", follow=True)

    assert "Your session has ended. Please sign in again." in response.content.decode()


def test_an_active_session_lasts_until_twelve_hours_after_sign_in(client, customer):
    """A6: the absolute limit does not cut a session short."""
    _signed_in_since(client, customer, timedelta(hours=11, minutes=59))

    assert client.get("/").status_code == 200


def test_signing_in_records_the_sign_in_time(client, customer):
    """A6: the 12-hour limit counts from sign-in."""
    before = timezone.now().timestamp()

    sign_in(client, customer.email)

    assert client.session[SESSION_AUTH_AT] >= before


# --- a password change ends the other sessions (A6) ------------------------------------------


@pytest.fixture
def two_sessions(client, customer):
    """The same user signed in from two browsers; the first changes the password."""
    other = Client()
    client.force_login(customer)
    other.force_login(customer)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": TEST_PASSWORD,
            "password1": "A-brand-new-pass-42",
            "password2": "A-brand-new-pass-42",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return client, other


def test_a_password_change_keeps_the_current_session(two_sessions):
    """A6: the person who changed the password stays signed in."""
    current, _other = two_sessions

    assert current.get("/").status_code == 200


def test_a_password_change_ends_the_users_other_sessions(two_sessions):
    """A6: another browser signed in as the same user is signed out."""
    _current, other = two_sessions

    response = other.get("/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# --- rate-limited login (A6) -----------------------------------------------------------------


def _fail_to_sign_in(client, email: str, times: int) -> None:
    for _attempt in range(times):
        response = sign_in(client, email, "wrong-password")
        assert TOO_MANY not in response.content.decode()


def test_repeated_failed_logins_refuse_even_the_right_password(client, customer):
    """A6: after five failures for an address, allauth refuses further attempts."""
    _fail_to_sign_in(client, customer.email, FAILED_LOGINS_PER_ADDRESS)

    response = sign_in(client, customer.email)

    assert TOO_MANY in response.content.decode()
    assert not signed_in(client)


def test_failed_logins_for_one_address_do_not_lock_another(client, customer):
    """A6: the failed-login limit is per address."""
    UserFactory(email="dave@customer.test")
    _fail_to_sign_in(client, customer.email, FAILED_LOGINS_PER_ADDRESS)

    sign_in(client, "dave@customer.test")

    assert signed_in(client)


@pytest.fixture
def redis_cache(settings, redis_url):
    """Production's cache backend on a real Redis (tests/infra.py), emptied before and after."""
    probe = redis.Redis.from_url(redis_url)
    probe.flushdb()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    try:
        yield probe
    finally:
        caches["default"].close()
        for pool in getattr(caches["default"]._cache, "_pools", {}).values():
            pool.disconnect()
        probe.flushdb()
        probe.close()


def test_failed_login_limit_works_on_a_real_redis_cache(client, customer, redis_cache):
    """A6 with production's cache backend: the counts live in Redis and the limit holds."""
    _fail_to_sign_in(client, customer.email, FAILED_LOGINS_PER_ADDRESS)

    response = sign_in(client, customer.email)

    assert TOO_MANY in response.content.decode()
    assert not signed_in(client)
    assert redis_cache.dbsize() > 0
