"""S6 in the admin: staff mark a replacement shipped (date and tracking, then the unit is due
back 10 business days later) and the failed unit received."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from licensing.models import Product
from support.models import ReplacementRequest
from support.services.replacements import rma_request
from tests.accounts.factories import UserFactory, with_totp
from tests.licensing.factories import ProductFactory
from tests.support.factories import covered_line, ticket_opened

pytestmark = pytest.mark.django_db

FRIDAY = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
CHANGELIST = "admin:support_replacementrequest_changelist"


@pytest.fixture
def rma(world):
    line = covered_line(
        world.site, product=ProductFactory(kind=Product.Kind.HARDWARE), today=FRIDAY.date()
    )
    ticket = ticket_opened(world, line=line, now=FRIDAY)
    return rma_request(
        ticket_id=ticket.pk,
        failed_serial="SN-1",
        fault="Dead.",
        ship_to="1 Main Street",
        actor=world.users["caller"],
        now=FRIDAY,
    )


@pytest.fixture
def admin(client):
    client.force_login(
        with_totp(UserFactory(email="root@vendor.test", is_staff=True, is_superuser=True))
    )
    return client


def test_mark_shipped_asks_for_the_date_and_tracking_first(admin, rma):
    response = admin.post(
        reverse(CHANGELIST), {"action": "mark_shipped", "index": 0, ACTION_CHECKBOX_NAME: [rma.pk]}
    )
    assert response.status_code == 200
    assert "tracking" in response.content.decode()
    rma.refresh_from_db()
    assert rma.status == ReplacementRequest.Status.REQUESTED


def test_mark_shipped_sets_the_tracking_and_the_return_due_date(admin, rma):
    response = admin.post(
        reverse(CHANGELIST),
        {
            "action": "mark_shipped",
            ACTION_CHECKBOX_NAME: [rma.pk],
            "apply": "1",
            "shipped_on": "2026-12-07",
            "tracking": "1Z-OUT",
        },
    )
    assert response.status_code == 302
    rma.refresh_from_db()
    assert (rma.status, rma.outbound_tracking, rma.return_due_on) == (
        ReplacementRequest.Status.SHIPPED,
        "1Z-OUT",
        date(2026, 12, 21),
    )


def test_mark_received_returns_the_unit(admin, rma):
    admin.post(
        reverse(CHANGELIST),
        {
            "action": "mark_shipped",
            ACTION_CHECKBOX_NAME: [rma.pk],
            "apply": "1",
            "shipped_on": "2026-12-07",
            "tracking": "1Z-OUT",
        },
    )
    admin.post(
        reverse(CHANGELIST), {"action": "mark_received", "index": 0, ACTION_CHECKBOX_NAME: [rma.pk]}
    )
    rma.refresh_from_db()
    assert rma.status == ReplacementRequest.Status.RETURNED


def test_a_requested_unit_cannot_be_received_before_it_shipped(admin, rma):
    response = admin.post(
        reverse(CHANGELIST),
        {"action": "mark_received", "index": 0, ACTION_CHECKBOX_NAME: [rma.pk]},
        follow=True,
    )
    rma.refresh_from_db()
    assert rma.status == ReplacementRequest.Status.REQUESTED
    assert "only a shipped or overdue" in response.content.decode()
