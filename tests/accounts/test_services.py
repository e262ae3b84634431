"""Bad input to the accounts services gets a clear error and changes nothing (A1–A3, A5).

Each refusal asserts both the message a person would read and that the database is as it
was before (row counts or refreshed fields).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Agreement, Contact, Invitation, Organisation, Site, User
from tests.accounts.factories import (
    TEST_PASSWORD,
    AgreementFactory,
    ContactFactory,
    SiteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Organisation, Agreement, Site, Contact, Invitation, User)
    }


@pytest.fixture
def reseller_client(client, world):
    client.force_login(world.users["reseller"])
    return client


def enrolment_data(**overrides) -> dict:
    data = {
        "customer": "",
        "customer_name": "Gamma Foods",
        "programme": Agreement.Programme.PA,
        "agreement_number": "PA-7777777",
        "anniversary_month": "3",
        "site_number": "2345678",
        "site_name": "Gamma Plant",
        "address_line1": "5 Mill Road",
        "address_line2": "",
        "city": "Poznań",
        "postcode": "60-001",
        "country": "PL",
        "time_zone": "Europe/Warsaw",
        "language": "en",
        "contact_name": "Greta Gamma",
        "contact_email": "greta@gamma.test",
        "contact_phone": "",
    }
    data.update(overrides)
    return data


# --- reseller enrolment form (A1, A2) --------------------------------------------------------


@pytest.mark.parametrize("number", ["123456", "12345678", "12a4567", ""])
def test_enrolment_form_refuses_a_site_number_that_is_not_seven_digits(reseller_client, number):
    """A2: a site number is exactly seven digits."""
    before = _counts()

    response = reseller_client.post(
        reverse("accounts:reseller_enrol"), enrolment_data(site_number=number)
    )

    assert response.status_code == 200
    assert response.context["form"].has_error("site_number")
    assert _counts() == before


def test_enrolment_form_explains_the_seven_digit_rule(reseller_client):
    """A2: the message says what a valid number looks like."""
    response = reseller_client.post(
        reverse("accounts:reseller_enrol"), enrolment_data(site_number="12345")
    )

    assert "A site number is exactly seven digits, e.g. 1234567." in response.content.decode()


def test_enrolment_form_refuses_a_site_number_already_in_use(reseller_client, world):
    """A2: site numbers are unique; the form says which number is taken."""
    before = _counts()

    response = reseller_client.post(
        reverse("accounts:reseller_enrol"), enrolment_data(site_number=world.other_site.number)
    )

    assert response.status_code == 200
    assert "Site number 7654321 is already in use." in response.content.decode()
    assert _counts() == before


def test_enrolment_refuses_an_agreement_number_already_in_use(reseller_client, world):
    """A1: agreement numbers are unique; the new customer is not created either."""
    taken = world.other_site.agreement.number
    before = _counts()

    response = reseller_client.post(
        reverse("accounts:reseller_enrol"), enrolment_data(agreement_number=taken)
    )

    assert response.status_code == 200
    assert f"Agreement number {taken} is already in use." in response.content.decode()
    assert _counts() == before


def test_enrolment_of_a_second_site_on_a_pae_agreement_is_refused(reseller_client, world):
    """A2: a PAE agreement has exactly one site."""
    pae = AgreementFactory(programme=Agreement.Programme.PAE, number="PAE-0000042")
    SiteFactory(agreement=pae, reseller=world.reseller)
    before = _counts()

    response = reseller_client.post(
        reverse("accounts:reseller_enrol"),
        enrolment_data(
            customer=str(pae.customer_id),
            customer_name="",
            programme=Agreement.Programme.PAE,
            agreement_number=pae.number,
        ),
    )

    assert response.status_code == 200
    assert "A PAE agreement has exactly one site" in response.content.decode()
    assert _counts() == before


def test_a_pae_site_validates_that_its_agreement_has_no_other_site():
    """A2: the model rule behind the form: a second PAE site does not validate."""
    pae = AgreementFactory(programme=Agreement.Programme.PAE)
    SiteFactory(agreement=pae)
    second = SiteFactory.build(agreement=pae, customer=pae.customer)

    with pytest.raises(ValidationError) as error:
        second.full_clean()

    assert "agreement" in error.value.message_dict


def test_a_pa_agreement_accepts_any_number_of_sites():
    """A2: a PA agreement may link any number of sites (the refusal is PAE-only)."""
    pa = AgreementFactory(programme=Agreement.Programme.PA)
    SiteFactory.create_batch(2, agreement=pa)
    third = SiteFactory.build(agreement=pa, customer=pa.customer)

    third.full_clean()
    third.save()

    assert Site.objects.filter(agreement=pa).count() == 3


# --- e-mail addresses already in use (A3, A5) ------------------------------------------------


def test_adding_a_contact_with_an_address_already_on_the_site_is_refused(client, world):
    """A3: one contact per address per site, whatever the letter case."""
    client.force_login(world.users["primary"])
    before = _counts()

    response = client.post(
        reverse("accounts:contact_add", args=[world.site.number]),
        {"name": "Bill Again", "email": "Billing@Alpha.test", "language": "en"},
    )

    assert response.status_code == 200
    assert "billing@alpha.test is already a contact of this site." in response.content.decode()
    assert _counts() == before


def test_changing_a_contact_to_an_address_already_on_the_site_is_refused(world):
    """A3: the same rule when editing a contact."""
    plain = world.contacts["plain"]

    with pytest.raises(ValidationError) as error:
        services.contact_update(
            contact=plain, actor=world.users["primary"], data={"email": "caller@alpha.test"}
        )

    assert "already a contact of this site" in error.value.message_dict["email"][0]
    plain.refresh_from_db()
    assert plain.email == "billing@alpha.test"


def test_inviting_someone_who_already_has_access_is_refused(client, world):
    """A5: a person with portal access to the site is not invited again."""
    client.force_login(world.users["primary"])
    before = _counts()

    response = client.post(
        reverse("accounts:user_invite", args=[world.site.number]),
        {"name": "Stan", "email": "STC@alpha.test", "role": "caller", "language": "en"},
    )

    assert response.status_code == 200
    assert "stc@alpha.test already has access to this site." in response.content.decode()
    assert _counts() == before
    assert not Contact.objects.get(email="stc@alpha.test").is_authorized_caller


def test_a_contact_with_portal_access_gets_no_new_invitation(world):
    """A5: invitation_create refuses a contact who already has an account."""
    with pytest.raises(ValidationError, match="already has portal access"):
        services.invitation_create(
            now=timezone.now(), contact=world.contacts["stc"], invited_by=world.users["primary"]
        )

    assert not Invitation.objects.filter(contact=world.contacts["stc"]).exists()


# --- the primary contact (A3) ----------------------------------------------------------------


def test_removing_the_primary_contact_is_refused(world):
    """A3: a site always has exactly one primary contact."""
    primary = world.contacts["primary"]

    with pytest.raises(ValidationError, match="is the primary contact"):
        services.contact_delete(contact=primary, actor=world.users["site_admin"])

    assert Contact.objects.filter(pk=primary.pk, is_primary=True).exists()


def test_removing_the_primary_contact_through_the_page_shows_why(client, world):
    """A3: the refusal reaches the person as a message, and the contact stays."""
    client.force_login(world.users["site_admin"])
    primary = world.contacts["primary"]

    response = client.post(
        reverse("accounts:contact_delete", args=[world.site.number, primary.pk]), follow=True
    )

    assert "Make someone else primary before removing them." in response.content.decode()
    assert Contact.objects.filter(pk=primary.pk).exists()


def test_revoking_the_primary_contacts_access_is_refused(world):
    """A3: the primary contact keeps portal access."""
    primary = world.contacts["primary"]

    with pytest.raises(ValidationError, match="primary contact keeps portal access"):
        services.contact_revoke_access(contact=primary, actor=world.users["site_admin"])

    primary.refresh_from_db()
    assert primary.user == world.users["primary"]


def test_revoking_your_own_access_is_refused(world):
    """A3: a site admin cannot lock themselves out."""
    admin = world.contacts["site_admin"]

    with pytest.raises(ValidationError, match="cannot remove your own access"):
        services.contact_revoke_access(contact=admin, actor=world.users["site_admin"])

    admin.refresh_from_db()
    assert admin.user == world.users["site_admin"]


def test_revoking_access_keeps_the_contact_without_an_account(world):
    """A3: removing access keeps the person on the contact list."""
    stc = world.contacts["stc"]

    services.contact_revoke_access(contact=stc, actor=world.users["primary"])

    stc.refresh_from_db()
    assert stc.user is None
    assert stc.stc_role == Contact.STCRole.PRIMARY


def test_making_another_contact_primary_leaves_exactly_one_primary(world):
    """A3: the primary role moves in one step; the old primary stays a contact."""
    new_primary = world.contacts["site_admin"]

    services.contact_make_primary(
        now=timezone.now(), contact=new_primary, actor=world.users["primary"]
    )

    primaries = Contact.objects.filter(site=world.site, is_primary=True)
    assert list(primaries) == [new_primary]
    assert Contact.objects.filter(pk=world.contacts["primary"].pk, is_primary=False).exists()


def test_the_primary_flag_cannot_be_changed_through_contact_update(world):
    """A3: only contact_make_primary hands over the role, so no site is left without one."""
    primary = world.contacts["primary"]

    with pytest.raises(ValidationError, match="Make primary contact"):
        services.contact_update(
            contact=primary, actor=world.users["primary"], data={"is_primary": False}
        )

    assert Contact.objects.filter(site=world.site, is_primary=True).count() == 1


def test_a_contact_cannot_be_created_as_primary(world):
    """A3: a new contact never takes the primary role directly (it would make two)."""
    before = _counts()

    with pytest.raises(ValidationError) as error:
        services.contact_create(
            now=timezone.now(),
            site=world.site,
            actor=world.users["primary"],
            data={"name": "Pat", "email": "pat@alpha.test", "is_primary": True},
        )

    assert "is_primary" in error.value.message_dict
    assert _counts() == before


# --- site technical contacts (A3) ------------------------------------------------------------


def test_a_secondary_stc_without_a_primary_stc_is_refused(world):
    """A3: secondary STCs need a primary STC (other_site has none)."""
    before = _counts()

    with pytest.raises(ValidationError) as error:
        services.contact_create(
            now=timezone.now(),
            site=world.other_site,
            actor=world.users["other_customer"],
            data={
                "name": "Sid Second",
                "email": "sid@beta.test",
                "stc_role": Contact.STCRole.SECONDARY,
            },
        )

    assert "Name a primary site technical contact" in error.value.message_dict["stc_role"][0]
    assert _counts() == before


def test_removing_the_primary_stc_while_a_secondary_exists_is_refused(world):
    """A3: the primary STC stays while secondary STCs depend on it."""
    ContactFactory(site=world.site, stc_role=Contact.STCRole.SECONDARY)
    stc = world.contacts["stc"]

    with pytest.raises(ValidationError) as error:
        services.contact_update(contact=stc, actor=world.users["primary"], data={"stc_role": ""})

    assert "stc_role" in error.value.message_dict
    stc.refresh_from_db()
    assert stc.stc_role == Contact.STCRole.PRIMARY


def test_a_second_primary_stc_is_refused_with_a_clear_message(world):
    """A3: one primary STC per site; the message suggests a secondary role instead."""
    plain = world.contacts["plain"]

    with pytest.raises(ValidationError) as error:
        services.contact_update(
            contact=plain,
            actor=world.users["primary"],
            data={"stc_role": Contact.STCRole.PRIMARY},
        )

    assert "make this one secondary" in error.value.message_dict["stc_role"][0]
    plain.refresh_from_db()
    assert plain.stc_role == ""


def test_inviting_an_stc_to_a_site_without_one_makes_the_primary_stc(world):
    """A3: the first STC of a site is its primary STC."""
    invitation = services.user_invite(
        now=timezone.now(),
        site=world.other_site,
        actor=world.users["other_customer"],
        name="Tess Tech",
        email="tess@beta.test",
        role="stc",
        language="en",
    )

    assert invitation.contact.stc_role == Contact.STCRole.PRIMARY


def test_inviting_an_stc_to_a_site_with_a_primary_stc_makes_a_secondary_stc(world):
    """A3: later STCs are secondary."""
    invitation = services.user_invite(
        now=timezone.now(),
        site=world.site,
        actor=world.users["primary"],
        name="Tom Tech",
        email="tom@alpha.test",
        role="stc",
        language="en",
    )

    assert invitation.contact.stc_role == Contact.STCRole.SECONDARY
    assert Contact.objects.filter(site=world.site, stc_role="primary").count() == 1


# --- who may invite (A4, A5) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("stc", 403), ("caller", 403), ("other_customer", 404), ("other_reseller", 404)],
)
def test_an_invitation_to_a_site_the_inviter_does_not_manage_is_refused(
    client, world, role, status
):
    """A4/A5: STCs and callers see the site but may not invite (403); another tenant does
    not see it at all (404). Either way nothing is created."""
    client.force_login(world.users[role])
    before = _counts()

    response = client.post(
        reverse("accounts:user_invite", args=[world.site.number]),
        {"name": "Eve", "email": "eve@evil.test", "role": "site_admin", "language": "en"},
    )

    assert response.status_code == status
    assert _counts() == before


# --- the invitation link (A5) ----------------------------------------------------------------


def _link(invitation: Invitation) -> str:
    return reverse("accounts:invitation_accept", args=[services.invitation_token(invitation)])


def _password_form(**overrides) -> dict:
    return {
        "first_name": "Bill",
        "last_name": "Ing",
        "password1": TEST_PASSWORD,
        "password2": TEST_PASSWORD,
        **overrides,
    }


def test_an_expired_link_shows_when_it_expired(client, world):
    """A5: links expire; the page says so instead of a form."""
    invitation = world.invitation
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save(update_fields=["expires_at"])

    response = client.get(_link(invitation))

    assert response.status_code == 410
    assert "This link expired on" in response.content.decode()


def test_an_expired_link_creates_no_account(client, world):
    """A5: posting the set-password form on an expired link changes nothing."""
    invitation = world.invitation
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save(update_fields=["expires_at"])
    before = _counts()

    response = client.post(_link(invitation), _password_form())

    assert response.status_code == 410
    assert _counts() == before
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert "_auth_user_id" not in client.session


def test_a_used_link_says_it_has_been_used(client, world):
    """A5: links are single-use."""
    services.invitation_accept(
        now=timezone.now(), invitation=world.invitation, password=TEST_PASSWORD
    )

    response = client.get(_link(world.invitation))

    assert response.status_code == 410
    assert "This link has already been used." in response.content.decode()


def test_a_used_link_creates_no_second_account(client, world):
    """A5: a second POST on a used link creates nothing and signs nobody in."""
    services.invitation_accept(
        now=timezone.now(), invitation=world.invitation, password=TEST_PASSWORD
    )
    before = _counts()

    response = client.post(_link(world.invitation), _password_form(first_name="Mallory"))

    assert response.status_code == 410
    assert _counts() == before
    assert "_auth_user_id" not in client.session


def test_accepting_a_used_invitation_in_the_service_is_refused(world):
    """A5: the service itself refuses the second use, whatever the view does."""
    services.invitation_accept(
        now=timezone.now(), invitation=world.invitation, password=TEST_PASSWORD
    )

    with pytest.raises(ValidationError, match="already been used"):
        services.invitation_accept(
            now=timezone.now(), invitation=world.invitation, password="Another-pass-123"
        )


@pytest.mark.parametrize("token", ["forged", "not-a-token:really:no"])
def test_a_forged_link_is_a_404_with_a_message(client, world, token):
    """A5: a link that was not signed by the portal is not found."""
    response = client.get(reverse("accounts:invitation_accept", args=[token]))

    assert response.status_code == 404
    assert "This link is not valid." in response.content.decode()


def test_a_tampered_link_is_a_404(client, world):
    """A5: changing one character of a genuine token breaks its signature."""
    token = services.invitation_token(world.invitation)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = client.get(reverse("accounts:invitation_accept", args=[tampered]))

    assert response.status_code == 404


def test_a_new_invitation_revokes_the_contacts_older_pending_links(world):
    """A5: only the newest link to a person works."""
    older = world.invitation

    newer = services.invitation_create(
        now=timezone.now(), contact=world.contacts["plain"], invited_by=world.users["primary"]
    )

    older.refresh_from_db()
    assert older.revoked_at is not None
    assert list(
        Invitation.objects.filter(
            contact=world.contacts["plain"], revoked_at__isnull=True, accepted_at__isnull=True
        )
    ) == [newer]


def test_a_withdrawn_link_says_it_was_withdrawn(client, world):
    """A5: the person holding a withdrawn link learns it was withdrawn."""
    services.invitation_revoke(
        invitation=world.invitation, actor=world.users["primary"], now=timezone.now()
    )

    response = client.get(_link(world.invitation))

    assert response.status_code == 410
    assert "This invitation was withdrawn." in response.content.decode()


def test_a_replaced_link_says_a_newer_one_was_sent(client, world):
    """A5, review #7 item 12: an older link names the newer one's day, not a withdrawal."""
    older = world.invitation
    services.invitation_create(
        now=timezone.now(), contact=world.contacts["plain"], invited_by=world.users["primary"]
    )

    response = client.get(_link(older))

    assert response.status_code == 410
    assert "This link was replaced by a newer one sent on" in response.content.decode()


# --- authorized callers (A3) -----------------------------------------------------------------


def test_an_stc_adds_a_new_authorized_caller(client, world):
    """A3: STCs maintain the site's authorized callers."""
    client.force_login(world.users["stc"])

    response = client.post(
        reverse("accounts:caller_list", args=[world.site.number]),
        {"name": "Cal New", "email": "Cal@Alpha.test", "language": "en"},
    )

    assert response.status_code == 302
    contact = Contact.objects.get(site=world.site, email="cal@alpha.test")
    assert contact.is_authorized_caller


def test_adding_an_existing_contact_as_caller_gives_them_the_role(world):
    """A3: one person may hold several roles; no duplicate contact is made."""
    before = Contact.objects.count()

    contact = services.caller_add(
        now=timezone.now(),
        site=world.site,
        actor=world.users["stc"],
        data={"name": "Whoever", "email": "billing@alpha.test", "language": "en"},
    )

    assert contact == world.contacts["plain"]
    contact.refresh_from_db()
    assert contact.is_authorized_caller
    assert contact.is_billing_contact
    assert Contact.objects.count() == before


def test_adding_someone_who_is_already_a_caller_is_refused(world):
    """A3: the message names the address; nothing changes."""
    before = _counts()

    with pytest.raises(ValidationError, match=r"caller@alpha\.test is already an authorized"):
        services.caller_add(
            now=timezone.now(),
            site=world.site,
            actor=world.users["stc"],
            data={"name": "Again", "email": "caller@alpha.test", "language": "en"},
        )

    assert _counts() == before


def test_removing_a_caller_with_no_other_role_and_no_account_deletes_the_contact(world):
    """A3: a contact left holding nothing is removed altogether."""
    lone = ContactFactory(site=world.site, is_authorized_caller=True)

    services.caller_remove(contact=lone, actor=world.users["stc"])

    assert not Contact.objects.filter(pk=lone.pk).exists()


def test_removing_a_caller_who_holds_another_role_keeps_the_contact(world):
    """A3: the billing contact stays a billing contact."""
    plain = world.contacts["plain"]
    plain.is_authorized_caller = True
    plain.save(update_fields=["is_authorized_caller"])

    services.caller_remove(contact=plain, actor=world.users["stc"])

    plain.refresh_from_db()
    assert not plain.is_authorized_caller
    assert plain.is_billing_contact


def test_removing_a_caller_who_has_an_account_keeps_the_contact(world):
    """A3: a portal user keeps their contact record (and so their access)."""
    caller = world.contacts["caller"]

    services.caller_remove(contact=caller, actor=world.users["stc"])

    caller.refresh_from_db()
    assert not caller.is_authorized_caller
    assert caller.user == world.users["caller"]


# --- site-number confirmation (A5) -----------------------------------------------------------


@pytest.fixture
def unconfirmed_primary(db):
    site = SiteFactory(number="3456789")
    user = UserFactory(email="new.primary@gamma.test")
    return ContactFactory(site=site, email=user.email, user=user, is_primary=True)


def test_confirming_the_wrong_site_number_is_refused(client, unconfirmed_primary):
    """A5: the primary contact must type their own site's number."""
    client.force_login(unconfirmed_primary.user)

    response = client.post(reverse("accounts:site_confirm"), {"number": "7654321"})

    assert response.status_code == 200
    assert "That is not the number of this site." in response.content.decode()
    unconfirmed_primary.refresh_from_db()
    assert unconfirmed_primary.site_number_confirmed_at is None


def test_confirming_the_right_site_number_records_it(client, unconfirmed_primary):
    """A5: the right number is recorded (so the refusal above is about the number)."""
    client.force_login(unconfirmed_primary.user)

    response = client.post(reverse("accounts:site_confirm"), {"number": "3456789"})

    assert response.status_code == 302
    unconfirmed_primary.refresh_from_db()
    assert unconfirmed_primary.site_number_confirmed_at is not None
