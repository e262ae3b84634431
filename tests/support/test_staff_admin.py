"""The ticket admin (S1, A7): records, read-only; assignment through an action that runs the
assignment service (its history event included)."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from support.models import TicketAttachment, TicketEvent
from tests.accounts.factories import UserFactory, with_totp
from tests.support.factories import ticket_opened

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(
        with_totp(UserFactory(email="root@vendor.test", is_staff=True, is_superuser=True))
    )
    return client


def test_the_ticket_list_shows_the_sla_columns(superuser_client, world):
    ticket = ticket_opened(world)
    response = superuser_client.get(reverse("admin:support_ticket_changelist"))
    body = response.content.decode()
    assert ticket.number in body
    assert "First response due" in body


def test_a_ticket_cannot_be_changed_in_the_admin(superuser_client, world):
    ticket = ticket_opened(world)
    url = reverse("admin:support_ticket_change", args=[ticket.pk])
    assert 'name="_save"' not in superuser_client.get(url).content.decode()
    assert superuser_client.post(url, {"title": "Changed"}).status_code == 403
    ticket.refresh_from_db()
    assert ticket.title != "Changed"


def test_assign_to_me_records_the_assignment(superuser_client, world):
    ticket = ticket_opened(world)
    response = superuser_client.post(
        reverse("admin:support_ticket_changelist"),
        {"action": "assign_to_me", ACTION_CHECKBOX_NAME: [ticket.pk]},
    )
    ticket.refresh_from_db()
    assert response.status_code == 302
    assert ticket.assignee.email == "root@vendor.test"
    assert ticket.events.filter(kind=TicketEvent.Kind.ASSIGNED, is_internal=True).exists()


def test_the_attachment_admin_links_to_the_checked_download(superuser_client, world):
    ticket = ticket_opened(world)
    attachment = TicketAttachment.objects.create(
        ticket=ticket,
        file="tickets/x/abc",
        original_name="server.log",
        content_type="text/plain",
        size=3,
        uploaded_at=ticket.opened_at,
    )
    body = superuser_client.get(
        reverse("admin:support_ticketattachment_change", args=[attachment.pk])
    ).content.decode()
    assert reverse("support:attachment_download", args=[attachment.pk]) in body
