"""E1, E2, A6: allauth's sign-in e-mails (password reset, address verification) go through the
outbox like every other e-mail, in the portal's words, with links on SITE_URL and never on the
request's host, and without telling a stranger whether an address has an account."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from allauth.account import app_settings as allauth_settings
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from accounts.adapters import SIGN_IN_EMAILS, AccountAdapter
from portal.core.models import OutgoingEmail
from tests.accounts.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

RESET_LINK = re.compile(r"\S+/accounts/password/reset/key/\S+/")
CONFIRM_LINK = re.compile(r"\S+/accounts/confirm-email/\S+/")


@pytest.fixture(autouse=True)
def _empty_rate_limit_cache():
    """allauth counts reset requests in the cache (ACCOUNT_RATE_LIMITS)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def customer(db):
    return UserFactory(email="carol@customer.test", first_name="Carol", last_name="O'Neil")


def request_reset(client, email: str, capture):
    with capture(execute=True):
        return client.post(reverse("account_reset_password"), {"email": email})


def only_email(prefix: str) -> OutgoingEmail:
    rows = list(OutgoingEmail.objects.filter(key__startswith=prefix))
    assert len(rows) == 1, [row.key for row in OutgoingEmail.objects.all()]
    return rows[0]


# --- password reset --------------------------------------------------------------------------


def test_a_password_reset_email_is_in_the_log_and_sent(
    client, customer, django_capture_on_commit_callbacks
):
    """E1: the reset e-mail is an outbox row like every other e-mail, and it went out."""
    request_reset(client, customer.email, django_capture_on_commit_callbacks)

    row = only_email(f"account:password-reset-key:{customer.pk}:")
    assert row.status == OutgoingEmail.Status.SENT
    assert row.recipients == ["carol@customer.test"]
    assert [message.to for message in mail.outbox] == [["carol@customer.test"]]


def test_a_password_reset_email_is_marked_sensitive(
    client, customer, django_capture_on_commit_callbacks
):
    """E1: the body holds a secret link, so the admin hides it."""
    request_reset(client, customer.email, django_capture_on_commit_callbacks)

    assert only_email("account:password-reset-key:").is_sensitive


def test_the_reset_link_is_on_the_site_url_not_the_request_host(
    client, customer, django_capture_on_commit_callbacks
):
    request_reset(client, customer.email, django_capture_on_commit_callbacks)

    text = only_email("account:password-reset-key:").body_text
    links = RESET_LINK.findall(text)
    assert len(links) == 1, text
    assert links[0].startswith(settings.SITE_URL + "/")
    assert "testserver" not in text


def test_the_reset_email_is_in_the_portals_words(
    client, customer, django_capture_on_commit_callbacks
):
    """Not allauth's stock text ("Hello from <host>!")."""
    request_reset(client, customer.email, django_capture_on_commit_callbacks)

    message = mail.outbox[0]
    assert message.subject == "[Entitle] Reset your Entitle password"
    assert "Hello from" not in message.body
    assert "Dear Carol O'Neil," in message.body
    assert "We never send passwords by e-mail." in message.body


def test_the_reset_email_is_text_plus_html_in_the_portal_layout(
    client, customer, django_capture_on_commit_callbacks
):
    """E2: plain text plus HTML, the HTML in the layout of the other e-mails."""
    request_reset(client, customer.email, django_capture_on_commit_callbacks)

    html, mimetype = mail.outbox[0].alternatives[0]
    assert mimetype == "text/html"
    assert '<body style="font-family: sans-serif; line-height: 1.5;">' in html
    assert 'href="' + settings.SITE_URL + "/accounts/password/reset/key/" in html


def test_nothing_is_html_escaped_in_the_subject_or_text(
    client, customer, django_capture_on_commit_callbacks
):
    """O'Neil stays O'Neil in the text part (and is escaped only in the HTML)."""
    request_reset(client, customer.email, django_capture_on_commit_callbacks)

    row = only_email("account:password-reset-key:")
    assert "&#x27;" not in row.body_text
    assert "&#x27;" not in row.subject
    assert "O&#x27;Neil" in row.body_html


def test_the_reset_email_is_in_the_users_language(client, django_capture_on_commit_callbacks):
    """E2: the user's own language, not the language of the page that asked."""
    polish = UserFactory(email="ewa@customer.test", language="pl")

    request_reset(client, polish.email, django_capture_on_commit_callbacks)

    assert only_email("account:password-reset-key:").language == "pl"


def test_the_link_in_the_reset_email_sets_a_new_password(
    client, customer, django_capture_on_commit_callbacks
):
    request_reset(client, customer.email, django_capture_on_commit_callbacks)
    path = urlsplit(RESET_LINK.findall(mail.outbox[0].body)[0]).path

    form_page = client.get(path, follow=True)
    new_password = "Another-horse-battery-7"
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": new_password, "password2": new_password},
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password(new_password)


def test_each_reset_request_is_its_own_email(client, customer, django_capture_on_commit_callbacks):
    """E1: the key names the link, so a new request (a new link) is a new e-mail; the key
    shows a digest of the link, never the link itself."""
    request_reset(client, customer.email, django_capture_on_commit_callbacks)
    customer.set_password("Changed-horse-battery-8")  # a new password makes a new token
    customer.save(update_fields=["password"])
    request_reset(client, customer.email, django_capture_on_commit_callbacks)

    rows = OutgoingEmail.objects.filter(key__startswith="account:password-reset-key:")
    assert rows.count() == 2
    for row in rows:
        token = urlsplit(RESET_LINK.findall(row.body_text)[0]).path.rstrip("/").split("/")[-1]
        assert token not in row.key


# --- an address without an account -----------------------------------------------------------


def test_a_reset_for_an_unknown_address_gives_the_same_page(
    client, customer, django_capture_on_commit_callbacks
):
    """No account enumeration: known and unknown addresses get the same answer."""
    known = request_reset(client, customer.email, django_capture_on_commit_callbacks)
    unknown = request_reset(client, "nobody@customer.test", django_capture_on_commit_callbacks)

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_an_unknown_address_is_told_accounts_are_by_invitation(
    client, django_capture_on_commit_callbacks
):
    """The stock e-mail offers a sign-up link; the portal is invitation-only (A5)."""
    request_reset(client, "nobody@customer.test", django_capture_on_commit_callbacks)

    row = only_email("account:unknown-account:")
    assert row.status == OutgoingEmail.Status.SENT
    assert row.recipients == ["nobody@customer.test"]
    assert "Entitle accounts are by invitation" in row.body_text
    assert "signup" not in row.body_text
    assert settings.SITE_URL + reverse("account_reset_password") in row.body_text
    assert "testserver" not in row.body_text


# --- address verification --------------------------------------------------------------------


@pytest.fixture
def unverified(db):
    user = UserFactory(email="uma@customer.test", first_name="Uma", last_name="Unverified")
    EmailAddress.objects.filter(user=user).update(verified=False)
    return user


def sign_in(client, user, capture):
    with capture(execute=True):
        return client.post(
            reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}
        )


def test_signing_in_with_an_unverified_address_sends_a_verification_email(
    client, unverified, django_capture_on_commit_callbacks
):
    """A6, E1: the verification e-mail is in the log, sent, and marked sensitive."""
    sign_in(client, unverified, django_capture_on_commit_callbacks)

    row = only_email(f"account:email-confirmation:{unverified.pk}:")
    assert row.status == OutgoingEmail.Status.SENT
    assert row.is_sensitive
    assert row.subject == "Confirm your e-mail address for Entitle"


def test_the_verification_email_has_the_site_url_link_and_the_portals_words(
    client, unverified, django_capture_on_commit_callbacks
):
    sign_in(client, unverified, django_capture_on_commit_callbacks)

    text = only_email("account:email-confirmation:").body_text
    links = CONFIRM_LINK.findall(text)
    assert len(links) == 1, text
    assert links[0].startswith(settings.SITE_URL + "/")
    assert "testserver" not in text
    assert "Hello from" not in text
    assert "Dear Uma Unverified," in text


def test_the_link_in_the_verification_email_verifies_the_address(
    client, unverified, django_capture_on_commit_callbacks
):
    sign_in(client, unverified, django_capture_on_commit_callbacks)
    path = urlsplit(CONFIRM_LINK.findall(mail.outbox[0].body)[0]).path

    client.post(path)

    assert EmailAddress.objects.get(user=unverified).verified


# --- which e-mails allauth may send ----------------------------------------------------------


def test_allauth_sends_only_emails_the_portal_has_templates_for():
    """Codes and security notifications are off, so the prefixes in SIGN_IN_EMAILS are all
    allauth can send; turning one of these on needs its portal templates first."""
    assert not allauth_settings.EMAIL_NOTIFICATIONS
    assert not allauth_settings.LOGIN_BY_CODE_ENABLED
    assert not allauth_settings.PASSWORD_RESET_BY_CODE_ENABLED
    assert not allauth_settings.EMAIL_VERIFICATION_BY_CODE_ENABLED
    assert set(SIGN_IN_EMAILS) == {
        "account/email/password_reset_key",
        "account/email/email_confirmation",
        "account/email/email_confirmation_signup",
        "account/email/unknown_account",
        "account/email/account_already_exists",
    }


def test_an_email_without_a_portal_template_is_refused_not_sent_in_allauths_words():
    with pytest.raises(ImproperlyConfigured, match="password_changed"):
        AccountAdapter().send_mail("account/email/password_changed", "a@example.test", {})

    assert not mail.outbox
