"""A5: enrolment sends one welcome e-mail with a single-use, expiring link; accepting it
creates a verified account, signs the person in and asks them to confirm the site number."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Site, User
from portal.core.mail import email_send_task
from portal.core.models import OutgoingEmail
from tests.accounts.factories import (
    TEST_PASSWORD,
    ContactFactory,
    SiteFactory,
    UserFactory,
    with_totp,
)

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/invitations/\S+/")


@pytest.fixture
def new_site(db) -> Site:
    """A site with a primary contact who has no portal account yet."""
    site = SiteFactory(number="2222222", name="Delta Works")
    ContactFactory(site=site, name="Dana Delta", email="dana@delta.test", is_primary=True)
    return site


@pytest.fixture
def staff(db) -> User:
    return with_totp(UserFactory(email="admin@vendor.test", is_staff=True, is_superuser=True))


@pytest.fixture
def enrolled(new_site, staff, django_capture_on_commit_callbacks) -> Invitation:
    """Enrol the site and run the e-mail task queued on commit."""
    with django_capture_on_commit_callbacks(execute=True):
        return services.site_enrol(now=timezone.now(), site=new_site, actor=staff)


def link_path(message) -> str:
    """The path of the single link in a welcome e-mail."""
    links = LINK.findall(message.body)
    assert len(links) == 1, message.body
    return urlsplit(links[0]).path


# --- the welcome e-mail ----------------------------------------------------------------------


def test_enrolling_a_site_sends_exactly_one_welcome_email(enrolled):
    """A5: one e-mail, to the primary contact."""
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dana@delta.test"]
    assert "Welcome to Entitle: site 2222222" in mail.outbox[0].subject


def test_enrolling_a_site_marks_it_enrolled(enrolled, new_site):
    """A5: the site records when it was enrolled."""
    new_site.refresh_from_db()
    assert new_site.enrolled_at is not None


def test_the_welcome_email_has_a_text_and_an_html_part(enrolled):
    """E2: plain text plus HTML."""
    message = mail.outbox[0]
    assert "2222222" in message.body
    assert [mimetype for _content, mimetype in message.alternatives] == ["text/html"]


def test_the_welcome_email_never_contains_a_password(enrolled):
    """A5: we never e-mail a password, only a link to set one."""
    assert TEST_PASSWORD not in mail.outbox[0].body
    assert "password:" not in mail.outbox[0].body.lower()


def test_the_link_in_the_welcome_email_opens_the_set_password_form(client, enrolled):
    """A5: the link in the e-mail works."""
    response = client.get(link_path(mail.outbox[0]))

    assert response.status_code == 200
    assert "password1" in response.context["form"].fields


def test_the_link_is_valid_for_seven_days(enrolled):
    """A5: the lifetime is the INVITATION_LIFETIME setting, seven days."""
    lifetime = settings.INVITATION_LIFETIME

    assert lifetime == timedelta(days=7)
    assert enrolled.expires_at - enrolled.created_at == timedelta(days=7)


def test_the_link_stops_working_after_seven_days(client, enrolled):
    """A5: seven days and a second later the link is refused (time shifted by moving the
    invitation's dates back)."""
    Invitation.objects.filter(pk=enrolled.pk).update(
        created_at=enrolled.created_at - timedelta(days=7, seconds=1),
        expires_at=enrolled.expires_at - timedelta(days=7, seconds=1),
    )

    response = client.get(link_path(mail.outbox[0]))

    assert response.status_code == 410
    assert "This link expired on" in response.content.decode()


def test_running_the_email_task_twice_sends_one_email(enrolled):
    """E1: the outbox row is claimed before sending; a retried task sends nothing."""
    record = OutgoingEmail.objects.get(key=f"invitation:{enrolled.pk}")
    email_send_task.delay(record.pk)
    email_send_task.delay(record.pk)

    assert len(mail.outbox) == 1
    record.refresh_from_db()
    assert record.status == OutgoingEmail.Status.SENT
    assert record.attempts == 1


def test_the_invitation_and_its_email_are_written_in_one_transaction(new_site, staff):
    """E1: the outbox row is written inside the invitation's transaction, so a rollback
    leaves neither (and a commit both, even when the broker is down)."""

    def enrol_then_fail():
        with transaction.atomic():
            invitation = services.site_enrol(now=timezone.now(), site=new_site, actor=staff)
            assert OutgoingEmail.objects.filter(key=f"invitation:{invitation.pk}").exists()
            raise RuntimeError

    with pytest.raises(RuntimeError):
        enrol_then_fail()

    assert not OutgoingEmail.objects.filter(key__startswith="invitation:").exists()


def test_enrolling_again_is_refused_and_keeps_the_first_link(enrolled, new_site, staff):
    """A5, review #7 item 12: "Enrol" does not send a second welcome behind the first; the
    re-send is its own action (tests/accounts/test_welcome_resend.py)."""
    with pytest.raises(ValidationError, match="already enrolled"):
        services.site_enrol(now=timezone.now(), site=new_site, actor=staff)

    enrolled.refresh_from_db()
    assert enrolled.is_usable(now=timezone.now())
    assert len(mail.outbox) == 1


def test_a_site_whose_primary_contact_has_an_account_is_not_enrolled_again(world):
    """A5: the welcome link is for people without an account."""
    with pytest.raises(ValidationError, match="already has portal access"):
        services.site_enrol(now=timezone.now(), site=world.site, actor=world.users["staff"])


# --- enrolment by staff (admin action) and by the reseller ----------------------------------


def _enrol_in_admin(client, staff, sites, django_capture_on_commit_callbacks):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            reverse("admin:accounts_site_changelist"),
            {"action": "enrol", "_selected_action": [site.pk for site in sites]},
            follow=True,
        )


def test_the_admin_enrol_action_enrols_the_site_and_sends_the_welcome_email(
    client, staff, new_site, django_capture_on_commit_callbacks
):
    """A5: staff enrol from the Site changelist."""
    response = _enrol_in_admin(client, staff, [new_site], django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert "1 site enrolled" in response.content.decode()
    new_site.refresh_from_db()
    assert new_site.enrolled_at is not None
    assert [message.to for message in mail.outbox] == [["dana@delta.test"]]


def test_the_admin_enrol_action_reports_a_site_without_a_primary_contact(
    client, staff, new_site, django_capture_on_commit_callbacks
):
    """A5: the site without a primary is reported and left alone; the others are enrolled."""
    orphan = SiteFactory(number="3333333")

    response = _enrol_in_admin(
        client, staff, [new_site, orphan], django_capture_on_commit_callbacks
    )

    assert "Site 3333333 has no primary contact to welcome." in response.content.decode()
    orphan.refresh_from_db()
    assert orphan.enrolled_at is None
    assert len(mail.outbox) == 1


def test_a_reseller_enrols_a_client_site_and_its_primary_gets_the_welcome_email(
    client, world, django_capture_on_commit_callbacks
):
    """A5, A2: the reseller becomes the site's account manager."""
    client.force_login(world.users["reseller"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:reseller_enrol"),
            {
                "customer_name": "Epsilon Tea",
                "programme": "PAE",
                "agreement_number": "PAE-5550001",
                "anniversary_month": "6",
                "site_number": "5550001",
                "site_name": "Epsilon Shop",
                "address_line1": "2 Leaf Lane",
                "city": "Taipei",
                "country": "TW",
                "time_zone": "Asia/Taipei",
                "language": "zh-hant",
                "contact_name": "Eli Epsilon",
                "contact_email": "Eli@Epsilon.test",
            },
        )

    assert response.status_code == 302
    site = Site.objects.get(number="5550001")
    assert site.reseller == world.reseller
    assert [message.to for message in mail.outbox] == [["eli@epsilon.test"]]


# --- accepting the welcome link --------------------------------------------------------------


@pytest.fixture
def accepted(client, enrolled):
    """Open the welcome link and set a password; returns the response to the POST."""
    return client.post(
        link_path(mail.outbox[0]),
        {
            "first_name": "Dana",
            "last_name": "Delta",
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
        },
    )


def test_accepting_the_welcome_link_creates_a_user_with_a_verified_email(accepted):
    """A5, A6: the link proves the address, so it is verified at once."""
    user = User.objects.get(email="dana@delta.test")
    assert user.check_password(TEST_PASSWORD)
    assert EmailAddress.objects.filter(
        user=user, email="dana@delta.test", verified=True, primary=True
    ).exists()


def test_accepting_the_welcome_link_links_the_user_to_the_primary_contact(accepted, new_site):
    """A5, A3: the new account is the site's primary contact."""
    contact = new_site.contacts.get(is_primary=True)
    assert contact.user.email == "dana@delta.test"


def test_accepting_the_welcome_link_signs_the_person_in(client, accepted):
    """A5: no second sign-in right after setting the password."""
    user = User.objects.get(email="dana@delta.test")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_accepting_the_welcome_link_uses_it_up(enrolled, accepted):
    """A5: single use."""
    enrolled.refresh_from_db()
    assert enrolled.accepted_at is not None
    assert not enrolled.is_usable(now=timezone.now())


def test_after_accepting_the_person_is_sent_to_confirm_the_site_number(accepted):
    """A5: next step, confirm the site number."""
    assert accepted.status_code == 302
    assert accepted.url == reverse("accounts:site_confirm")


@pytest.mark.parametrize("path", ["/", "/sites/2222222/", "/profile/"])
def test_every_page_redirects_to_the_site_number_confirmation_until_confirmed(
    client, accepted, path
):
    """A5: ConfirmSiteNumberMiddleware holds the primary contact at /sites/confirm/."""
    response = client.get(path)

    assert response.status_code == 302
    assert response.url == reverse("accounts:site_confirm")


def test_after_confirming_the_site_number_the_dashboard_opens(client, accepted):
    """A5: once confirmed, the portal opens normally."""
    client.post(reverse("accounts:site_confirm"), {"number": "2222222"})

    response = client.get("/")

    assert response.status_code == 200
    assert "2222222" in response.content.decode()


def test_a_failed_send_stays_on_record_for_the_retry(enrolled, monkeypatch):
    """E1: a send that fails is recorded (not rolled back) with its reason, so the sweeper
    retries it and staff see it in the log."""

    def refuse(self, fail_silently=False):
        raise OSError("SMTP server unreachable")

    record = OutgoingEmail.objects.get(key=f"invitation:{enrolled.pk}")
    OutgoingEmail.objects.filter(pk=record.pk).update(status=OutgoingEmail.Status.PENDING)
    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)

    email_send_task(record.pk)

    record.refresh_from_db()
    assert record.status == OutgoingEmail.Status.PENDING
    assert "unreachable" in record.error
    assert record.next_attempt_at is not None
