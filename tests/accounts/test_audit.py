"""A7: every change to contacts and invitations is recorded (who, when, what), customers see
the history of their own sites only, and staff see the whole trail in the admin."""

from __future__ import annotations

import contextvars

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Contact, Invitation
from accounts.selectors import site_audit_entries
from tests.accounts.factories import UserFactory, with_totp

pytestmark = pytest.mark.django_db


def contact_entries(**filters):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Contact), **filters
    ).order_by("pk")


# --- what is recorded -----------------------------------------------------------------------


def test_creating_a_contact_records_who_did_it_and_for_which_site(world):
    """A7: who (the actor) and which site (additional_data) for a new contact."""
    contact = services.contact_create(
        now=timezone.now(),
        site=world.site,
        actor=world.users["site_admin"],
        data={"name": "Nina New", "email": "nina@alpha.test", "is_poe_contact": True},
    )

    entry = contact_entries(object_pk=str(contact.pk)).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == world.users["site_admin"]
    assert entry.additional_data == {"site_id": world.site.pk}


def test_updating_a_contact_records_what_changed(world):
    """A7: what changed, old and new value, by whom."""
    plain = world.contacts["plain"]

    services.contact_update(
        contact=plain, actor=world.users["primary"], data={"phone": "+48 22 555 01 01"}
    )

    entry = contact_entries(object_pk=str(plain.pk), action=LogEntry.Action.UPDATE).get()
    assert entry.actor == world.users["primary"]
    assert entry.changes_dict["phone"] == ["", "+48 22 555 01 01"]
    assert entry.additional_data == {"site_id": world.site.pk}


def test_deleting_a_contact_records_who_deleted_it(world):
    """A7: a deleted contact stays in the site's history."""
    plain = world.contacts["plain"]
    pk = plain.pk

    services.contact_delete(contact=plain, actor=world.users["primary"])

    entry = contact_entries(object_pk=str(pk), action=LogEntry.Action.DELETE).get()
    assert entry.actor == world.users["primary"]
    assert entry.additional_data == {"site_id": world.site.pk}


def test_changes_after_an_earlier_block_by_the_same_person_are_attributed(world):
    """A7 outside a request (a Celery worker thread, a shell): auditlog's set_actor leaves
    its finished context behind, naming the same person. portal.core.audit.acting_as must not
    mistake it for a live one, or the changes are recorded without an actor."""
    plain = world.contacts["plain"]
    primary = world.users["primary"]

    def in_a_worker_thread():
        with set_actor(primary):  # an earlier task in this thread, long finished
            pass
        for phone in ("+48 1", "+48 2"):
            services.contact_update(contact=plain, actor=primary, data={"phone": phone})

    contextvars.copy_context().run(in_a_worker_thread)

    entries = contact_entries(object_pk=str(plain.pk), action=LogEntry.Action.UPDATE)
    assert [entry.actor for entry in entries] == [primary, primary]


def test_an_actor_block_leaves_no_actor_behind(world):
    """A7: after the service returns, later writes are not attributed to its actor."""
    plain = world.contacts["plain"]
    services.contact_update(contact=plain, actor=world.users["primary"], data={"phone": "+48 1"})

    plain.phone = "+48 9"
    plain.save(update_fields=["phone"])  # a system change, no actor

    last = contact_entries(object_pk=str(plain.pk), action=LogEntry.Action.UPDATE).last()
    assert last.actor is None


def test_handing_over_the_primary_role_records_both_contacts(world):
    """A7, A3: both sides of the primary-contact handover are recorded."""
    services.contact_make_primary(
        now=timezone.now(), contact=world.contacts["site_admin"], actor=world.users["staff"]
    )

    changed = {
        (entry.object_pk, tuple(entry.changes_dict["is_primary"]))
        for entry in contact_entries(action=LogEntry.Action.UPDATE, actor=world.users["staff"])
    }
    assert changed == {
        (str(world.contacts["primary"].pk), ("True", "False")),
        (str(world.contacts["site_admin"].pk), ("False", "True")),
    }


def test_an_invitation_is_recorded_for_the_site_without_its_secret(world):
    """A7 with A5: the trail shows the invitation but never the link's nonce."""
    invitation = services.invitation_create(
        now=timezone.now(), contact=world.contacts["plain"], invited_by=world.users["primary"]
    )

    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Invitation),
        object_pk=str(invitation.pk),
        action=LogEntry.Action.CREATE,
    )
    assert entry.actor == world.users["primary"]
    assert entry.additional_data == {"site_id": world.site.pk}
    assert "nonce" not in entry.changes_dict
    assert invitation.nonce not in str(entry.changes)


def test_a_change_made_through_a_page_is_attributed_to_the_signed_in_user(client, world):
    """A7: in a request the actor is the signed-in user."""
    client.force_login(world.users["site_admin"])

    client.post(
        reverse("accounts:contact_add", args=[world.site.number]),
        {"name": "Paula Page", "email": "paula@alpha.test", "language": "en"},
    )

    contact = Contact.objects.get(email="paula@alpha.test")
    entry = contact_entries(object_pk=str(contact.pk)).get()
    assert entry.actor == world.users["site_admin"]


def test_a_profile_change_is_recorded_with_the_user_as_actor(world):
    """A7: changes to users are recorded too."""
    user = world.users["caller"]

    services.profile_update(user=user, first_name="Carla", last_name="Caller", language="pl")

    entry = LogEntry.objects.get_for_object(user).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == user
    assert entry.changes_dict["language"] == ["en", "pl"]


# --- who sees it ------------------------------------------------------------------------------


@pytest.fixture
def phone_change(world):
    """A recorded change on world.site with a value easy to find on a page."""
    services.contact_update(
        contact=world.contacts["plain"],
        actor=world.users["primary"],
        data={"phone": "+48 22 111 22 33"},
    )


@pytest.fixture
def other_site_change(world):
    """A recorded change on the other tenant's site."""
    services.contact_update(
        contact=world.other_contact,
        actor=world.users["other_customer"],
        data={"phone": "+886 2 9999 8888"},
    )


@pytest.mark.parametrize("role", ["primary", "site_admin", "stc", "caller", "reseller"])
def test_the_sites_users_see_its_history(client, world, phone_change, role):
    """A7: every user of the site (and its reseller) sees what changed and who did it."""
    client.force_login(world.users[role])

    response = client.get(reverse("accounts:site_history", args=[world.site.number]))

    content = response.content.decode()
    assert "+48 22 111 22 33" in content
    assert "primary@alpha.test" in content  # who made the change


def test_the_site_page_shows_recent_changes(client, world, phone_change):
    """A7: the site overview lists the latest changes."""
    client.force_login(world.users["caller"])

    response = client.get(reverse("accounts:site_detail", args=[world.site.number]))

    assert "+48 22 111 22 33" in response.content.decode()


def test_another_sites_changes_never_appear_in_the_history(
    client, world, phone_change, other_site_change
):
    """A7, A4: a site's history holds only that site's entries."""
    client.force_login(world.users["primary"])

    history = client.get(reverse("accounts:site_history", args=[world.site.number]))
    detail = client.get(reverse("accounts:site_detail", args=[world.site.number]))

    assert "+886 2 9999 8888" not in history.content.decode()
    assert "+886 2 9999 8888" not in detail.content.decode()
    assert "+48 22 111 22 33" in history.content.decode()


@pytest.mark.parametrize("role", ["other_customer", "other_reseller"])
def test_another_tenant_cannot_open_the_sites_history(client, world, phone_change, role):
    """A4: the history of a site you cannot see is a 404."""
    client.force_login(world.users[role])

    response = client.get(reverse("accounts:site_history", args=[world.site.number]))

    assert response.status_code == 404


def test_the_site_history_selector_returns_only_that_sites_entries(
    world, phone_change, other_site_change
):
    """A7, A4: the selector behind both pages is scoped to the site."""
    site_ids = {entry.additional_data["site_id"] for entry in site_audit_entries(site=world.site)}

    assert site_ids == {world.site.pk}


# --- staff ----------------------------------------------------------------------------------


def test_staff_see_the_audit_trail_in_the_admin(client, world, phone_change, other_site_change):
    """A7: staff see every site's changes."""
    staff = with_totp(UserFactory(email="auditor@vendor.test", is_staff=True, is_superuser=True))
    client.force_login(staff)

    response = client.get(reverse("admin:auditlog_logentry_changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count == LogEntry.objects.count()


def test_customers_cannot_open_the_audit_trail_in_the_admin(client, world):
    """A7: the full trail is for staff only."""
    client.force_login(world.users["primary"])

    response = client.get(reverse("admin:auditlog_logentry_changelist"))

    assert response.status_code in (302, 403)
