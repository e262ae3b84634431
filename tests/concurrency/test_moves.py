"""L8 with concurrent writers: moving a licence to a new computer is a request → decision flow,
race-free by construction (STYLE): one pending move per activation, however many people press
"Request the move" at the same moment, and the invariant re-checked when staff confirm, so a
quantity-1 licence is never active on two machines."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from licensing import services
from licensing.models import Activation, Entitlement, LicenceMove
from tests.accounts.factories import UserFactory, with_totp
from tests.concurrency.race import REPEATS, assert_every_run, at_once, concurrent, kinds
from tests.licensing.factories import ActivationFactory, EntitlementFactory, ProductFactory

ALREADY_PENDING = "A move of this licence is already waiting for confirmation."
ALREADY_DECIDED = "This request was already decided."


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def second_staff(db):
    return with_totp(UserFactory(email="steve@vendor.test", is_staff=True))


def licence_on_one_machine(site, today, run: int) -> Entitlement:
    """One online-activated licence (quantity 1) bought 200 days ago — a free move under
    L8.2 — active on OLD-<run>."""
    entitlement = EntitlementFactory(
        site=site, product=ProductFactory(), quantity=1, purchased_on=today - timedelta(days=200)
    )
    ActivationFactory(entitlement=entitlement, machine_id=f"OLD-{run}")
    return entitlement


def request_move(entitlement_id: int, actor, new_machine: str, on) -> LicenceMove:
    """What the move page does on "Request the move": load the licence, then ask."""
    entitlement = Entitlement.objects.get(pk=entitlement_id)
    return services.move_request(
        entitlement=entitlement,
        old_activation=entitlement.activations.get(deactivated_on__isnull=True),
        new_machine_id=new_machine,
        lost_or_stolen=False,
        reason="",
        purchase="",
        actor=actor,
        as_of=on,
    )


def confirm_move(move_id: int, actor) -> Activation:
    """What the admin's "Confirm" action does: load the move, then confirm it."""
    return services.move_confirm(
        move=LicenceMove.objects.get(pk=move_id), actor=actor, now=timezone.now()
    )


def pending_moves(entitlement: Entitlement) -> int:
    return entitlement.moves.filter(state=LicenceMove.State.PENDING).count()


def active_machines(entitlement: Entitlement) -> list[str]:
    return sorted(
        entitlement.activations.filter(deactivated_on__isnull=True).values_list(
            "machine_id", flat=True
        )
    )


def refusals(outcomes) -> list[str]:
    return [message for outcome in outcomes for message in outcome.messages]


# --- "Request the move", twice at the same moment ----------------------------------------------


@concurrent
def test_two_simultaneous_move_requests_leave_one_pending_move_l8(world, today):
    """Two people of the site request a move of the same activation at the same moment: one
    request waits for staff, the other is told a move is already waiting."""
    seen = []
    for run in range(REPEATS):
        entitlement = licence_on_one_machine(world.site, today, run)
        outcomes = at_once(
            partial(request_move, entitlement.pk, world.users["primary"], f"NEW-{run}-A", today),
            partial(request_move, entitlement.pk, world.users["site_admin"], f"NEW-{run}-B", today),
        )
        seen.append((kinds(outcomes), pending_moves(entitlement), refusals(outcomes)))

    assert_every_run(seen, [(["ok", "refused"], 1, [ALREADY_PENDING])] * REPEATS)


def post_move_request(client: Client, entitlement: Entitlement, new_machine: str, quote):
    """The move form's second step: the fee was shown, now "Request the move"."""
    return client.post(
        reverse("licensing:move_create", args=[entitlement.pk]),
        {
            "old_activation": entitlement.activations.get().pk,
            "new_machine_id": new_machine,
            "purchase": "",
            "quoted_rule": quote.rule,
            "quoted_fee": str(quote.fee),
            "request_move": "1",
        },
    )


@concurrent
def test_two_simultaneous_move_requests_over_http_leave_one_pending_move_l8(world, today):
    """The same through the page, from two browsers: one is sent back to the licence with the
    request waiting, the other sees the form again saying a move is already waiting."""
    primary, site_admin = Client(), Client()
    primary.force_login(world.users["primary"])
    site_admin.force_login(world.users["site_admin"])
    seen = []
    for run in range(REPEATS):
        entitlement = licence_on_one_machine(world.site, today, run)
        quote = services.move_quote_for(entitlement=entitlement, as_of=today)
        outcomes = at_once(
            partial(post_move_request, primary, entitlement, f"NEW-{run}-A", quote),
            partial(post_move_request, site_admin, entitlement, f"NEW-{run}-B", quote),
        )
        statuses = sorted(o.value.status_code if o.succeeded else o.kind for o in outcomes)
        told = [
            ALREADY_PENDING in o.value.content.decode()
            for o in outcomes
            if o.succeeded and o.value.status_code == 200
        ]
        seen.append((statuses, pending_moves(entitlement), told))

    assert_every_run(seen, [([200, 302], 1, [True])] * REPEATS)


# --- staff confirm -------------------------------------------------------------------------------


@concurrent
def test_two_staff_confirming_one_move_at_the_same_moment_confirm_it_once_l8(
    world, today, second_staff
):
    """Both press "Confirm" on the same move: one confirmation, the licence active on the new
    machine only, one e-mail to the customer (E1); the other is told it was already decided."""
    seen, expected = [], []
    for run in range(REPEATS):
        entitlement = licence_on_one_machine(world.site, today, run)
        move = request_move(entitlement.pk, world.users["primary"], f"NEW-{run}", today)
        emails_before = len(mail.outbox)
        outcomes = at_once(
            partial(confirm_move, move.pk, world.users["staff"]),
            partial(confirm_move, move.pk, second_staff),
        )
        move.refresh_from_db()
        seen.append(
            (
                kinds(outcomes),
                move.state,
                active_machines(entitlement),
                len(mail.outbox) - emails_before,
                refusals(outcomes),
            )
        )
        expected.append(
            (["ok", "refused"], LicenceMove.State.CONFIRMED, [f"NEW-{run}"], 1, [ALREADY_DECIDED])
        )

    assert_every_run(seen, expected)


def a_second_pending_move(first: LicenceMove, new_machine: str) -> LicenceMove:
    """Another pending move of the same old activation, written as the request race of L8
    leaves one behind (the move page refuses a second request once the first is recorded)."""
    return LicenceMove.objects.create(
        entitlement=first.entitlement,
        old_activation=first.old_activation,
        new_machine_id=new_machine,
        requested_on=first.requested_on,
        rule=first.rule,
        fee=first.fee,
        currency=first.currency,
        explanation=first.explanation,
        requested_by=first.requested_by,
    )


@pytest.mark.django_db
def test_a_move_of_an_activation_already_moved_away_is_refused_at_confirmation_l8(world, today):
    """The invariant is checked again when staff decide: once the licence has moved to NEW-A,
    confirming another move of its old, now deactivated, activation is refused, so the
    quantity-1 licence does not also become active on NEW-B. (No concurrency needed: this
    runs on SQLite too.)"""
    entitlement = licence_on_one_machine(world.site, today, 0)
    first = request_move(entitlement.pk, world.users["primary"], "NEW-A", today)
    services.move_confirm(move=first, actor=world.users["staff"], now=timezone.now())
    second = a_second_pending_move(first, "NEW-B")

    with pytest.raises(ValidationError):
        services.move_confirm(move=second, actor=world.users["staff"], now=timezone.now())

    assert active_machines(entitlement) == ["NEW-A"]


@concurrent
def test_the_database_refuses_a_second_pending_move_of_one_activation_l8(world, today):
    """By construction (a partial unique constraint), not only by the service's check: even a
    writer that skips move_request cannot leave two pending moves of one activation, so two
    staff can never confirm a licence onto two machines."""
    entitlement = licence_on_one_machine(world.site, today, 0)
    first = request_move(entitlement.pk, world.users["primary"], "NEW-A", today)

    with pytest.raises(IntegrityError), transaction.atomic():
        a_second_pending_move(first, "NEW-B")
