"""Enrolling once, re-sending the welcome on purpose (A5; review #7 item 12).

An enrolled site is refused by "Enrol" with the reason, in the admin action and in the reseller
form; sending the welcome again is its own action (admin action, reseller button with a
confirmation) that supersedes the previous link; a superseded link says so plainly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import services
from accounts.models import Invitation, Site, User
from tests.accounts.factories import (
    ContactFactory,
    ResellerFactory,
    SiteFactory,
    UserFactory,
    with_totp,
)

pytestmark = pytest.mark.django_db

ENROLLED_ON = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def reseller_user() -> User:
    return with_totp(UserFactory(email="rita@reseller.test", reseller=ResellerFactory()))


@pytest.fixture
def new_site(reseller_user) -> Site:
    site = SiteFactory(number="2222222", name="Delta Works", reseller=reseller_user.reseller)
    ContactFactory(site=site, name="Dana Delta", email="dana@delta.test", is_primary=True)
    return site


@pytest.fixture
def staff() -> User:
    return with_totp(UserFactory(email="admin@vendor.test", is_staff=True, is_superuser=True))


@pytest.fixture
def first_welcome(new_site, staff, django_capture_on_commit_callbacks) -> Invitation:
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.site_enrol(site=new_site, actor=staff, now=ENROLLED_ON)
    mail.outbox.clear()
    return invitation


# --- Enrol refuses an enrolled site ------------------------------------------------------------


def test_enrolling_an_enrolled_site_is_refused_with_the_date_and_the_way_to_resend(
    first_welcome, new_site, staff
):
    """Review #7 item 12: no second welcome from "Enrol"."""
    with pytest.raises(ValidationError) as refusal:
        services.site_enrol(site=new_site, actor=staff, now=ENROLLED_ON + timedelta(days=1))

    assert refusal.value.messages == [
        (
            "Site 2222222 is already enrolled (on 2 Mar 2026). To send its primary contact a new "
            "link, use “Resend the welcome e-mail”."
        )
    ]
    assert Invitation.objects.count() == 1
    first_welcome.refresh_from_db()
    assert first_welcome.revoked_at is None


def _admin_action(client, staff, action, sites, django_capture_on_commit_callbacks):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            reverse("admin:accounts_site_changelist"),
            {"action": action, "_selected_action": [site.pk for site in sites]},
            follow=True,
        )


def test_the_admin_enrol_action_refuses_an_enrolled_site_and_sends_nothing(
    client, staff, first_welcome, new_site, django_capture_on_commit_callbacks
):
    """Review #7 item 12: the admin action says why, not "1 site enrolled"."""
    response = _admin_action(client, staff, "enrol", [new_site], django_capture_on_commit_callbacks)

    page = response.content.decode()
    assert "site enrolled" not in page
    assert "Site 2222222 is already enrolled (on 2 Mar 2026)." in page
    assert mail.outbox == []


def test_the_reseller_form_refuses_the_number_of_its_own_enrolled_site_with_the_reason(
    client, reseller_user, first_welcome, new_site
):
    """Review #7 item 12: the reseller typing an enrolled site's number learns it is enrolled
    and where to re-send the welcome."""
    client.force_login(reseller_user)

    response = client.post(reverse("accounts:reseller_enrol"), {"site_number": "2222222"})

    errors = response.context["form"].errors["site_number"]
    assert errors == [
        (
            "Site 2222222 is already enrolled (on 2 Mar 2026). To send its primary contact a new "
            "link, use “Resend the welcome e-mail” on its client page."
        )
    ]
    assert mail.outbox == []


def test_the_reseller_form_says_only_in_use_for_another_resellers_site(
    client, reseller_user, django_capture_on_commit_callbacks
):
    """A4: a site the reseller does not manage is not described."""
    SiteFactory(number="3333333", enrolled_at=ENROLLED_ON)
    client.force_login(reseller_user)

    response = client.post(reverse("accounts:reseller_enrol"), {"site_number": "3333333"})

    assert response.context["form"].errors["site_number"] == [
        "Site number 3333333 is already in use."
    ]


# --- Resend the welcome e-mail -----------------------------------------------------------------


def test_resending_the_welcome_sends_a_new_link_that_supersedes_the_first(
    first_welcome, new_site, staff, django_capture_on_commit_callbacks
):
    """Review #7 item 12: its own service; the previous link is superseded, not withdrawn."""
    later = ENROLLED_ON + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.site_welcome_resend(site=new_site, actor=staff, now=later)

    first_welcome.refresh_from_db()
    assert first_welcome.superseded_by == second
    assert second.kind == Invitation.Kind.WELCOME
    assert second.is_usable(now=later)
    assert [message.to for message in mail.outbox] == [["dana@delta.test"]]
    new_site.refresh_from_db()
    assert new_site.enrolled_at == ENROLLED_ON  # re-sending does not re-enrol


def test_resending_the_welcome_of_a_site_not_yet_enrolled_is_refused(new_site, staff):
    """Review #7 item 12: the welcome is first sent by enrolling."""
    with pytest.raises(ValidationError, match="Site 2222222 is not enrolled yet: enrol it"):
        services.site_welcome_resend(site=new_site, actor=staff, now=ENROLLED_ON)


def test_resending_the_welcome_after_it_was_accepted_is_refused(world):
    """A5: a primary contact who has signed in needs no welcome link."""
    world.site.enrolled_at = ENROLLED_ON
    world.site.save(update_fields=["enrolled_at"])

    with pytest.raises(ValidationError, match="has already accepted the welcome"):
        services.site_welcome_resend(site=world.site, actor=world.users["staff"], now=ENROLLED_ON)


def test_the_superseded_link_says_it_was_replaced_and_when(
    client, first_welcome, new_site, staff, django_capture_on_commit_callbacks
):
    """Review #7 item 12: not "ask the site's primary contact for a new one" (they are it)."""
    with django_capture_on_commit_callbacks(execute=True):
        services.site_welcome_resend(
            site=new_site, actor=staff, now=ENROLLED_ON + timedelta(days=3)
        )
    old_link = reverse(
        "accounts:invitation_accept", args=[services.invitation_token(first_welcome)]
    )

    response = client.get(old_link)

    assert response.status_code == 410
    page = response.content.decode()
    assert (
        "This link was replaced by a newer one sent on 5 Mar 2026; use the latest e-mail." in page
    )
    assert "primary contact for a new one" not in page


def test_the_admin_resend_action_sends_a_new_welcome(
    client, staff, first_welcome, new_site, django_capture_on_commit_callbacks
):
    """Review #7 item 12: staff re-send from the Site changelist."""
    response = _admin_action(
        client, staff, "resend_welcome", [new_site], django_capture_on_commit_callbacks
    )

    assert "1 welcome e-mail sent again" in response.content.decode()
    assert [message.to for message in mail.outbox] == [["dana@delta.test"]]
    first_welcome.refresh_from_db()
    assert first_welcome.superseded_by is not None


def test_the_admin_resend_action_reports_a_site_not_yet_enrolled(
    client, staff, new_site, django_capture_on_commit_callbacks
):
    """Review #7 item 12: the refusal names the reason."""
    response = _admin_action(
        client, staff, "resend_welcome", [new_site], django_capture_on_commit_callbacks
    )

    assert "Site 2222222 is not enrolled yet" in response.content.decode()
    assert mail.outbox == []


def _welcome_url(site: Site) -> str:
    return reverse("accounts:reseller_site_welcome", args=[site.number])


def test_the_reseller_resend_button_asks_for_confirmation_first(
    client, reseller_user, first_welcome, new_site
):
    """Review #7 item 12: GET shows what will happen; nothing is sent yet."""
    client.force_login(reseller_user)

    response = client.get(_welcome_url(new_site))

    assert response.status_code == 200
    page = response.content.decode()
    assert "dana@delta.test" in page
    assert "The link sent earlier will stop working." in page
    assert mail.outbox == []


def test_the_reseller_resend_button_sends_a_new_welcome_and_returns_to_the_client_page(
    client, reseller_user, first_welcome, new_site, django_capture_on_commit_callbacks
):
    """Review #7 item 12: the confirmed POST supersedes the previous link."""
    client.force_login(reseller_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_welcome_url(new_site))

    assert response.status_code == 302
    assert response.url == reverse("accounts:reseller_client_detail", args=[new_site.customer_id])
    assert [message.to for message in mail.outbox] == [["dana@delta.test"]]
    first_welcome.refresh_from_db()
    assert first_welcome.superseded_by is not None


def test_the_reseller_button_enrols_a_site_not_yet_enrolled(
    client, reseller_user, new_site, django_capture_on_commit_callbacks
):
    """A5: a client site staff created but did not enrol is enrolled from the client page."""
    client.force_login(reseller_user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(_welcome_url(new_site))

    new_site.refresh_from_db()
    assert new_site.enrolled_at is not None
    assert [message.to for message in mail.outbox] == [["dana@delta.test"]]


def test_the_reseller_button_for_another_resellers_site_is_not_found(
    client, reseller_user, django_capture_on_commit_callbacks
):
    """A4: another tenant's site is a 404 for GET and POST."""
    other = SiteFactory(number="3333333", reseller=ResellerFactory())
    ContactFactory(site=other, is_primary=True)
    client.force_login(reseller_user)

    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(_welcome_url(other)).status_code == 404
        assert client.post(_welcome_url(other)).status_code == 404
    assert mail.outbox == []
