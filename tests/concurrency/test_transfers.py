"""L7 with concurrent writers: staff approvals move quantities atomically, so competing
approvals never take a source below zero, never lose an update, and never apply one transfer
twice: the licences of a product are conserved across the customer's sites."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial

import pytest
from django.db.models import Sum

from licensing import services
from licensing.models import Entitlement, SiteTransfer
from tests.accounts.factories import SiteFactory, UserFactory, with_totp
from tests.concurrency.race import REPEATS, assert_every_run, at_once, concurrent, kinds
from tests.licensing.factories import EntitlementFactory, ProductFactory

ON = datetime(2025, 6, 15, 12, tzinfo=UTC)  # the moment staff decide (L7)
HELD = 5
ALREADY_DECIDED = "This request was already decided."


@pytest.fixture
def annex(world):
    """A second site of the world's customer, to transfer to."""
    return SiteFactory(agreement=world.site.agreement, reseller=world.reseller)


@pytest.fixture
def second_staff(db):
    return with_totp(UserFactory(email="steve@vendor.test", is_staff=True))


def held_licences(world) -> Entitlement:
    """HELD licences of a product of their own at the world's site."""
    return EntitlementFactory(
        site=world.site, product=ProductFactory(), quantity=HELD, purchased_on=date(2025, 1, 15)
    )


def transfer_of(world, target, entitlement, quantity: int) -> SiteTransfer:
    return services.transfer_request(
        source_site=world.site,
        target_site=target,
        quantities={entitlement: quantity},
        actor=world.users["primary"],
    )


def approve(transfer_id: int, actor) -> None:
    """What the admin's "Approve" action does: load the transfer, then approve it."""
    services.transfer_approve(
        transfer=SiteTransfer.objects.get(pk=transfer_id), actor=actor, now=ON
    )


def quantities(entitlement: Entitlement) -> tuple[int, int]:
    """(left at the source, held of the product on all sites)."""
    entitlement.refresh_from_db()
    total = Entitlement.objects.filter(product=entitlement.product).aggregate(n=Sum("quantity"))
    return entitlement.quantity, total["n"]


def states(*transfers: SiteTransfer) -> list[str]:
    return sorted(SiteTransfer.objects.get(pk=t.pk).state for t in transfers)


@concurrent
def test_two_approvals_competing_for_the_same_licences_never_overdraw_the_source_l7(
    world, annex, second_staff
):
    """Two transfers of 3 of the same 5 licences, approved at the same moment: one moves them,
    the other is refused (3 no longer fit); 2 are left, 5 in all, never a negative quantity."""
    seen = []
    for _run in range(REPEATS):
        held = held_licences(world)
        other = SiteFactory(agreement=world.site.agreement)
        first, second = transfer_of(world, annex, held, 3), transfer_of(world, other, held, 3)
        outcomes = at_once(
            partial(approve, first.pk, world.users["staff"]),
            partial(approve, second.pk, second_staff),
        )
        seen.append((kinds(outcomes), quantities(held), states(first, second)))

    expected = (["ok", "refused"], (HELD - 3, HELD), ["approved", "pending"])
    assert_every_run(seen, [expected] * REPEATS)


@concurrent
def test_two_approvals_that_both_fit_are_both_applied_without_a_lost_update_l7(
    world, annex, second_staff
):
    """Transfers of 3 and 2 of the same 5 licences, approved at the same moment: both move,
    the source keeps 0 (not 2 or 3, as when one approval overwrites the other's count)."""
    seen = []
    for _run in range(REPEATS):
        held = held_licences(world)
        other = SiteFactory(agreement=world.site.agreement)
        first, second = transfer_of(world, annex, held, 3), transfer_of(world, other, held, 2)
        outcomes = at_once(
            partial(approve, first.pk, world.users["staff"]),
            partial(approve, second.pk, second_staff),
        )
        seen.append((kinds(outcomes), quantities(held), states(first, second)))

    assert_every_run(seen, [(["ok", "ok"], (0, HELD), ["approved", "approved"])] * REPEATS)


@concurrent
def test_two_staff_approving_one_transfer_at_the_same_moment_apply_it_once_l7(
    world, annex, second_staff
):
    """Both press "Approve" on the same transfer of 3: it moves once (one new entitlement at
    the target, one event on each side); the other is told it was already decided."""
    seen = []
    for _run in range(REPEATS):
        held = held_licences(world)
        transfer = transfer_of(world, annex, held, 3)
        outcomes = at_once(
            partial(approve, transfer.pk, world.users["staff"]),
            partial(approve, transfer.pk, second_staff),
        )
        at_target = Entitlement.objects.filter(site=annex, product=held.product)
        seen.append(
            (
                kinds(outcomes),
                quantities(held),
                at_target.count(),
                held.events.count(),
                [m for o in outcomes for m in o.messages],
            )
        )

    assert_every_run(seen, [(["ok", "refused"], (2, HELD), 1, 1, [ALREADY_DECIDED])] * REPEATS)
