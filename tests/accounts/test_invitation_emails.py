"""The words of the invitation and welcome e-mails (A5, E2; review #7 items 9 and 13): roles as
a list a person reads, no doubled full stop after a name ending in one, and a link that says
what it will do — set a password (no account yet) or sign in and accept (an account exists).

Both parts of each e-mail are checked, as the recipient's mail client shows them: the message
as handed to Django's locmem backend by the outbox (portal.core.mail)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone, translation

from accounts import services
from accounts.models import Contact
from tests.accounts.factories import (
    AgreementFactory,
    ContactFactory,
    OrganisationFactory,
    SiteFactory,
    UserFactory,
    with_totp,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_site():
    customer = OrganisationFactory(name="Acme Ltd.")
    return SiteFactory(
        number="4440001", name="Acme Works Inc.", agreement=AgreementFactory(customer=customer)
    )


@pytest.fixture
def staff():
    return with_totp(UserFactory(email="staff@vendor.test", is_staff=True))


def _send(django_capture_on_commit_callbacks, call):
    with django_capture_on_commit_callbacks(execute=True):
        call()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    return message.body, html


def _invite(acme_site, staff, django_capture_on_commit_callbacks, **roles):
    contact = ContactFactory(site=acme_site, name="Ian Invitee", email="ian@acme.test", **roles)
    return _send(
        django_capture_on_commit_callbacks,
        lambda: services.invitation_create(contact=contact, invited_by=staff, now=timezone.now()),
    )


def _welcome(acme_site, staff, django_capture_on_commit_callbacks):
    ContactFactory(site=acme_site, name="Pat Primary", email="pat@acme.test", is_primary=True)
    return _send(
        django_capture_on_commit_callbacks,
        lambda: services.site_enrol(site=acme_site, actor=staff, now=timezone.now()),
    )


# --- item 9: roles and full stops --------------------------------------------------------------


def test_the_invitation_names_one_role_in_words_not_as_a_python_list(
    acme_site, staff, django_capture_on_commit_callbacks
):
    """Review #7 item 9: "Your roles: ['Site administrator']" in the text part."""
    text, html = _invite(acme_site, staff, django_capture_on_commit_callbacks, is_site_admin=True)

    for part in (text, html):
        assert "Your role: Site administrator" in part
        assert "[" not in part.split("http")[0]


def test_the_invitation_lists_several_roles_as_a_sentence(
    acme_site, staff, django_capture_on_commit_callbacks
):
    """Review #7 item 9: several roles read "A, B and C" (Babel's list pattern, translated)."""
    text, html = _invite(
        acme_site,
        staff,
        django_capture_on_commit_callbacks,
        is_site_admin=True,
        stc_role=Contact.STCRole.SECONDARY,
        is_billing_contact=True,
    )

    expected = (
        "Your roles: Site administrator, secondary site technical contact and billing contact"
    )
    for part in (text, html):
        assert expected in part


def test_the_invitation_lists_roles_in_the_recipients_language(
    acme_site, staff, django_capture_on_commit_callbacks
):
    """E2: the list's "and" follows the recipient's language (Polish "i")."""
    contact = ContactFactory(
        site=acme_site,
        email="ola@acme.test",
        language="pl",
        is_site_admin=True,
        is_billing_contact=True,
    )
    text, html = _send(
        django_capture_on_commit_callbacks,
        lambda: services.invitation_create(contact=contact, invited_by=staff, now=timezone.now()),
    )

    # The role names from the Polish catalogue, joined by Babel's Polish list pattern.
    with translation.override("pl"):
        admin, billing = (
            translation.gettext("Site administrator"),
            translation.gettext("billing contact"),
        )
    roles = f"{admin} i {billing}"
    assert roles == "Administrator ośrodka i kontakt ds. rozliczeń"
    for part in (text, html):
        assert roles in part


def test_a_customer_name_ending_in_a_full_stop_gets_no_second_one_in_an_invitation(
    acme_site, staff, django_capture_on_commit_callbacks
):
    """Review #7 item 9: "… of Acme Ltd.." in the invitation."""
    text, html = _invite(acme_site, staff, django_capture_on_commit_callbacks, is_site_admin=True)

    for part in (text, html):
        assert "Acme Ltd." in part
        assert ".." not in part


def test_a_customer_name_ending_in_a_full_stop_gets_no_second_one_in_a_welcome(
    acme_site, staff, django_capture_on_commit_callbacks
):
    """Review #7 item 9: the same for the welcome e-mail and a site name ending in a stop."""
    text, html = _welcome(acme_site, staff, django_capture_on_commit_callbacks)

    for part in (text, html):
        assert "Acme Ltd." in part
        assert ".." not in part


# --- item 13: what the link will do ------------------------------------------------------------


def test_a_welcome_to_a_person_without_an_account_asks_them_to_set_a_password(
    acme_site, staff, django_capture_on_commit_callbacks
):
    """A5: no account yet: the link sets a password."""
    text, html = _welcome(acme_site, staff, django_capture_on_commit_callbacks)

    for part in (text, html):
        assert "Set your password" in part
        assert "sign in with your existing account" not in part.lower()


def test_a_welcome_to_a_person_with_an_account_asks_them_to_sign_in_not_to_set_a_password(
    acme_site, staff, django_capture_on_commit_callbacks
):
    """Review #7 item 13: the address already has an account (another site): the link asks
    them to sign in, so the e-mail says so and never promises a new password."""
    UserFactory(email="pat@acme.test")

    text, html = _welcome(acme_site, staff, django_capture_on_commit_callbacks)

    for part in (text, html):
        assert "password" not in part.lower().replace("we never send passwords", "")
        assert "Sign in with your existing account (pat@acme.test)" in part
        assert "confirm the site number" in part


def test_an_invitation_to_a_person_with_an_account_asks_them_to_sign_in(
    acme_site, staff, django_capture_on_commit_callbacks
):
    """Review #7 item 13: the same for an invitation."""
    UserFactory(email="ian@acme.test")

    text, html = _invite(acme_site, staff, django_capture_on_commit_callbacks, is_site_admin=True)

    for part in (text, html):
        assert "Sign in with your existing account (ian@acme.test)" in part
        assert "set a password" not in part.lower()


def test_an_invitation_to_a_person_without_an_account_says_they_will_set_a_password(
    acme_site, staff, django_capture_on_commit_callbacks
):
    """A5: the invitation link lets a new person choose their password."""
    text, html = _invite(acme_site, staff, django_capture_on_commit_callbacks, is_site_admin=True)

    for part in (text, html):
        assert "choose your password" in part.lower()
