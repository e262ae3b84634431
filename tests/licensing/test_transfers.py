"""L7: site-to-site transfers: the services (request, approval that moves quantities atomically
with history on both sides, refusals), the request page, the list, and staff approval in the
admin, with its audit trail (A7)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from licensing import services
from licensing.models import CoveragePeriod, Entitlement, SiteTransfer
from tests.accounts.factories import ContactFactory, SiteFactory, UserFactory, with_totp
from tests.conftest import client_for
from tests.licensing.factories import EntitlementFactory, ProductFactory

pytestmark = pytest.mark.django_db

ON = date(2025, 6, 15)
AT = datetime(2025, 6, 15, 12, tzinfo=UTC)  # the moment of the decisions below, on ON


@pytest.fixture
def annex(world):
    """A second site of the world's customer (same agreement, same reseller), where the
    primary contact is a contact too, so they can pick it as the target."""
    site = SiteFactory(
        number="1234568",
        name="Alpha Annex",
        agreement=world.site.agreement,
        reseller=world.reseller,
    )
    ContactFactory(
        site=site,
        email=world.users["primary"].email,
        user=world.users["primary"],
        is_primary=True,
        site_number_confirmed_at=timezone.now(),
    )
    return site


@pytest.fixture
def held(world):
    """Five licences at the world's site, bought in 2024 and renewed once: two coverage
    periods to carry over."""
    entitlement = EntitlementFactory(
        site=world.site,
        product=ProductFactory(part_number="ATL-DB-100", name="Atlas Database Server"),
        quantity=5,
        purchased_on=date(2024, 2, 1),
        coverage_end=date(2025, 1, 31),
    )
    services.coverage_add(
        entitlement=entitlement,
        starts_on=date(2025, 2, 1),
        ends_on=date(2026, 1, 31),
        kind=CoveragePeriod.Kind.RENEWAL,
    )
    entitlement.refresh_from_db()
    return entitlement


def request(world, target, quantities, actor_role="primary") -> SiteTransfer:
    return services.transfer_request(
        source_site=world.site,
        target_site=target,
        quantities=quantities,
        actor=world.users[actor_role],
    )


# --- the services ------------------------------------------------------------------------------


def test_approval_moves_the_quantity_with_its_coverage_and_history_on_both_sides(
    world, annex, held
):
    transfer = request(world, annex, {held: 2})

    services.transfer_approve(transfer=transfer, actor=world.users["staff"], now=AT)

    held.refresh_from_db()
    moved = Entitlement.objects.get(site=annex)
    assert (held.quantity, moved.quantity) == (3, 2)
    assert (moved.product, moved.purchased_on, moved.coverage_start, moved.coverage_end) == (
        held.product,
        date(2024, 2, 1),
        date(2024, 2, 1),
        date(2026, 1, 31),
    )
    periods = [(p.starts_on, p.ends_on, p.kind) for p in moved.coverage_periods.all()]
    assert periods == [(p.starts_on, p.ends_on, p.kind) for p in held.coverage_periods.all()]
    assert len(periods) == 2
    source_event, target_event = held.events.get(), moved.events.get()
    assert (source_event.happened_on, source_event.quantity_change) == (ON, -2)
    assert (target_event.happened_on, target_event.quantity_change) == (ON, 2)
    assert "to site 1234568" in source_event.description
    assert "from site 1234567" in target_event.description
    transfer.refresh_from_db()
    assert (transfer.state, transfer.decided_by) == ("approved", world.users["staff"])


def test_approval_is_audited_with_the_staff_member(world, annex, held):
    transfer = request(world, annex, {held: 2})

    services.transfer_approve(transfer=transfer, actor=world.users["staff"], now=AT)

    decided = LogEntry.objects.get_for_object(transfer).filter(action=LogEntry.Action.UPDATE)
    assert [(e.actor, e.changes_dict["state"]) for e in decided] == [
        (world.users["staff"], ["pending", "approved"])
    ]
    quantity_changes = [
        (entry.actor, entry.changes_dict["quantity"])
        for entry in LogEntry.objects.get_for_object(held)
        if "quantity" in entry.changes_dict and entry.action == LogEntry.Action.UPDATE
    ]
    assert quantity_changes == [(world.users["staff"], ["5", "3"])]
    requested = LogEntry.objects.get_for_object(transfer).get(action=LogEntry.Action.CREATE)
    assert requested.actor == world.users["primary"]


def test_the_whole_quantity_can_move(world, annex, held):
    transfer = request(world, annex, {held: 5})

    services.transfer_approve(transfer=transfer, actor=world.users["staff"], now=AT)

    held.refresh_from_db()
    assert held.quantity == 0
    assert Entitlement.objects.get(site=annex).quantity == 5


def test_more_than_the_site_holds_is_refused(world, annex, held):
    with pytest.raises(ValidationError) as refused:
        request(world, annex, {held: 6})

    assert refused.value.messages == [f"{held.poe_number} holds 5; 6 cannot be transferred."]
    assert not SiteTransfer.objects.exists()


def test_a_site_of_another_customer_is_refused(world, held):
    with pytest.raises(ValidationError) as refused:
        request(world, world.other_site, {held: 1})

    assert refused.value.message_dict["target_site"] == [
        "Licences can only move between sites of the same customer."
    ]


def test_a_transfer_to_the_same_site_is_refused(world, held):
    with pytest.raises(ValidationError, match="different site"):
        request(world, world.site, {held: 1})


def test_an_entitlement_of_another_site_is_refused(world, annex, held):
    elsewhere = EntitlementFactory(site=annex, quantity=3)

    with pytest.raises(ValidationError, match="is not held by the source site"):
        request(world, annex, {elsewhere: 1})


def test_approval_moves_nothing_when_one_line_no_longer_fits(world, annex, held):
    """Atomic: the second line fails the check on approval, so the first does not move."""
    other = EntitlementFactory(site=world.site, quantity=4)
    transfer = request(world, annex, {held: 2, other: 4})
    earlier = request(world, annex, {other: 1})
    services.transfer_approve(transfer=earlier, actor=world.users["staff"], now=AT)

    with pytest.raises(ValidationError, match="holds 3; 4 cannot be transferred"):
        services.transfer_approve(transfer=transfer, actor=world.users["staff"], now=AT)

    held.refresh_from_db()
    transfer.refresh_from_db()
    assert held.quantity == 5
    assert not held.events.exists()
    assert Entitlement.objects.filter(site=annex).count() == 1  # the earlier transfer's
    assert transfer.state == SiteTransfer.State.PENDING


def test_a_decided_transfer_cannot_be_decided_again(world, annex, held):
    transfer = request(world, annex, {held: 1})
    services.transfer_reject(transfer=transfer, actor=world.users["staff"], now=AT)

    with pytest.raises(ValidationError, match="already decided"):
        services.transfer_approve(transfer=transfer, actor=world.users["staff"], now=AT)
    held.refresh_from_db()
    assert held.quantity == 5


# --- the request page --------------------------------------------------------------------------


def create_url(site) -> str:
    return reverse("licensing:transfer_create", args=[site.number])


def list_url(site) -> str:
    return reverse("licensing:site_transfers", args=[site.number])


def quantity(entitlement) -> str:
    return f"quantity_{entitlement.pk}"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("primary", 200),
        ("site_admin", 200),
        ("reseller", 200),
        ("staff", 200),
        ("stc", 403),
        ("caller", 403),
        ("other_reseller", 404),
        ("other_customer", 404),
    ],
)
def test_who_may_request_a_transfer(client, world, held, role, status):
    client_for(client, world, role)

    assert client.get(create_url(world.site)).status_code == status
    assert client.post(create_url(world.site), {}).status_code == status


def test_another_tenants_site_is_not_found(client, world, held):
    client_for(client, world, "primary")

    assert client.get(create_url(world.other_site)).status_code == 404
    assert client.post(create_url(world.other_site), {}).status_code == 404
    assert client.get(list_url(world.other_site)).status_code == 404


def test_a_requested_transfer_waits_for_staff_and_shows_on_both_sites(client, world, annex, held):
    client_for(client, world, "primary")

    response = client.post(
        create_url(world.site),
        {"target_site": annex.pk, quantity(held): "2", "note": "Moving into the enterprise"},
    )

    assert response.status_code == 302
    assert response["Location"] == list_url(world.site)
    transfer = SiteTransfer.objects.get()
    assert (transfer.state, transfer.target_site, transfer.requested_by) == (
        "pending",
        annex,
        world.users["primary"],
    )
    assert [(line.entitlement, line.quantity) for line in transfer.lines.all()] == [(held, 2)]
    held.refresh_from_db()
    assert held.quantity == 5  # nothing moves before staff approve
    out = client.get(list_url(world.site)).content.decode()
    into = client.get(list_url(annex)).content.decode()
    assert "Out to 1234568" in out
    assert "Awaiting approval" in out
    assert "In from 1234567" in into


def test_only_sites_of_the_same_customer_the_user_sees_are_offered(client, world, annex, held):
    SiteFactory(agreement=world.site.agreement)  # same customer, the primary is no contact there
    client_for(client, world, "primary")

    response = client.get(create_url(world.site))

    assert list(response.context["form"].fields["target_site"].queryset) == [annex]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (lambda e, s: {"target_site": s.pk, quantity(e): "9"}, "holds 5; 9 cannot be transferred"),
        (lambda e, s: {"target_site": s.pk, quantity(e): "-1"}, "Quantities cannot be negative."),
        (lambda _e, s: {"target_site": s.pk}, "Enter a quantity for at least one entitlement."),
    ],
    ids=["more than held", "negative quantity", "no quantity"],
)
@pytest.mark.usefixtures("annex")
def test_the_transfer_form_refuses_with_a_clear_message(client, world, held, data, message):
    annex = world.site.customer.sites.get(number="1234568")
    client_for(client, world, "primary")

    response = client.post(create_url(world.site), data(held, annex))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SiteTransfer.objects.exists()


def test_the_transfer_form_refuses_a_site_of_another_customer(client, world, annex, held):
    client_for(client, world, "reseller")

    response = client.post(
        create_url(world.site), {"target_site": world.other_site.pk, quantity(held): "1"}
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not SiteTransfer.objects.exists()


def test_the_transfer_form_pages_and_searches_entitlements(client, world, annex):
    product = ProductFactory(part_number="ZZZ-LAST")
    entitlements = [EntitlementFactory(site=world.site, quantity=2) for _ in range(50)]
    last = EntitlementFactory(site=world.site, product=product, quantity=2)
    client_for(client, world, "primary")

    first = client.get(create_url(world.site))
    second = client.get(create_url(world.site) + "?page=2")
    found = client.get(create_url(world.site) + "?q=zzz")

    assert len(first.context["form"].entitlements) == 50
    assert second.context["form"].entitlements == [last]
    assert found.context["form"].entitlements == [last]
    response = client.post(
        create_url(world.site) + "?page=2", {"target_site": annex.pk, quantity(last): "1"}
    )
    assert response.status_code == 302
    assert SiteTransfer.objects.get().lines.get().entitlement == last
    assert entitlements[0].pk not in [e.pk for e in second.context["form"].entitlements]


@pytest.mark.parametrize(
    ("role", "status"),
    [("primary", 200), ("stc", 200), ("caller", 200), ("reseller", 200), ("other_reseller", 404)],
)
def test_the_transfer_list_is_for_whoever_sees_the_site(client, world, role, status):
    client_for(client, world, role)

    assert client.get(list_url(world.site)).status_code == status


# --- staff approve in the admin ----------------------------------------------------------------


def test_staff_approve_a_transfer_in_the_admin(client, world, annex, held):
    transfer = request(world, annex, {held: 2})
    superuser = with_totp(UserFactory(email="root@vendor.test", is_staff=True, is_superuser=True))
    client.force_login(superuser)

    response = client.post(
        reverse("admin:licensing_sitetransfer_changelist"),
        {"action": "approve", "index": 0, ACTION_CHECKBOX_NAME: [transfer.pk]},
    )

    assert response.status_code == 302
    transfer.refresh_from_db()
    held.refresh_from_db()
    assert (transfer.state, transfer.decided_by) == ("approved", superuser)
    assert held.quantity == 3
    assert Entitlement.objects.get(site=annex).quantity == 2
    entry = LogEntry.objects.get_for_object(transfer).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == superuser
    shown = client.get(list_url(world.site)).content.decode()
    assert "Approved" in shown


def test_the_site_history_shows_the_transfer_to_its_customers(client, world, annex, held):
    transfer = request(world, annex, {held: 2})
    services.transfer_approve(transfer=transfer, actor=world.users["staff"], now=AT)
    client_for(client, world, "primary")

    response = client.get(reverse("accounts:site_history", args=[world.site.number]))

    models = {row.entry.content_type.model for row in response.context["rows"]}
    assert {"sitetransfer", "entitlement"} <= models


def test_the_admin_reports_a_transfer_that_no_longer_fits(client, world, annex, held):
    transfer = request(world, annex, {held: 5})
    earlier = request(world, annex, {held: 1})
    services.transfer_approve(transfer=earlier, actor=world.users["staff"], now=AT)
    superuser = with_totp(UserFactory(email="root@vendor.test", is_staff=True, is_superuser=True))
    client.force_login(superuser)

    response = client.post(
        reverse("admin:licensing_sitetransfer_changelist"),
        {"action": "approve", "index": 0, ACTION_CHECKBOX_NAME: [transfer.pk]},
        follow=True,
    )

    assert "holds 4; 5 cannot be transferred" in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.state == SiteTransfer.State.PENDING


# --- query ceilings ----------------------------------------------------------------------------


def measure(client, url, ceiling, django_assert_max_num_queries):
    assert client.get(url).status_code == 200  # sets the per-session flags first
    with django_assert_max_num_queries(ceiling):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("n", [2, 40])
def test_transfer_list_queries_do_not_grow(client, world, annex, n, django_assert_max_num_queries):
    entitlements = [EntitlementFactory(site=world.site, quantity=100) for _ in range(2)]
    for _ in range(n):
        request(world, annex, dict.fromkeys(entitlements, 1))
    client_for(client, world, "primary")

    response = measure(client, list_url(world.site), 10, django_assert_max_num_queries)

    assert len(response.context["page"].object_list) == min(n, 25)


@pytest.mark.parametrize("n", [3, 60])
def test_transfer_form_queries_do_not_grow(client, world, annex, n, django_assert_max_num_queries):
    for _ in range(n):
        EntitlementFactory(site=world.site, quantity=3, product__list_price=Decimal(100))
    client_for(client, world, "primary")

    measure(client, create_url(world.site), 11, django_assert_max_num_queries)


def test_licences_running_on_machines_cannot_be_transferred_away(world, annex, held):
    """L7 with L3: the source keeps at least as many licences as it has active activations;
    the refusal says how many may move, and nothing changes."""
    for machine in ("PC-1", "PC-2", "PC-3"):
        services.activation_add(entitlement=held, machine_id=machine, actor=None, as_of=ON)

    with pytest.raises(ValidationError, match="at most 2 of its 5 licences"):
        request(world, annex, {held: 3})

    assert SiteTransfer.objects.count() == 0
    transfer = request(world, annex, {held: 2})
    services.transfer_approve(transfer=transfer, actor=world.users["staff"], now=AT)
    held.refresh_from_db()
    assert held.quantity == 3


# --- searching keeps what was entered (review #7 item 11) ---------------------------------------


def test_searching_keeps_the_target_note_and_quantities_entered(client, world, annex, held):
    other = EntitlementFactory(
        site=world.site, product=ProductFactory(part_number="ZZZ-OTHER"), quantity=4
    )
    client_for(client, world, "primary")

    searched = client.post(
        create_url(world.site),
        {
            "target_site": annex.pk,
            "note": "Moving into the enterprise",
            quantity(held): "2",
            "q": "zzz",
            "search": "1",
        },
    )

    assert searched.status_code == 200
    assert not SiteTransfer.objects.exists()  # a search requests nothing
    form = searched.context["form"]
    assert form.entitlements == [other]  # the search ran
    page = searched.content.decode()
    assert f'<option value="{annex.pk}" selected>' in page
    assert 'value="Moving into the enterprise"' in page
    assert f'name="{quantity(held)}" value="2"' in page  # carried, though not listed
    assert "2 × ATL-DB-100" in page  # and shown as already chosen
    assert 'value="zzz"' in page
    assert "errorlist" not in page
    assert "This field is required" not in page

    response = client.post(
        create_url(world.site),
        {
            "target_site": annex.pk,
            "note": "Moving into the enterprise",
            quantity(held): "2",
            quantity(other): "1",
            "q": "zzz",
        },
    )

    assert response.status_code == 302
    transfer = SiteTransfer.objects.get()
    assert (transfer.target_site, transfer.note) == (annex, "Moving into the enterprise")
    assert {(line.entitlement, line.quantity) for line in transfer.lines.all()} == {
        (held, 2),
        (other, 1),
    }


def test_paging_keeps_what_was_entered(client, world, annex):
    entitlements = [EntitlementFactory(site=world.site, quantity=2) for _ in range(51)]
    first, last = entitlements[0], entitlements[-1]
    client_for(client, world, "primary")

    paged = client.post(
        create_url(world.site),
        {"target_site": annex.pk, quantity(first): "1", "go_to_page": "2"},
    )

    assert paged.status_code == 200
    assert paged.context["page"].number == 2
    page = paged.content.decode()
    assert f'name="{quantity(first)}" value="1"' in page
    assert f'<option value="{annex.pk}" selected>' in page
    client.post(
        create_url(world.site),
        {"target_site": annex.pk, quantity(first): "1", quantity(last): "2", "page": "2"},
    )
    transfer = SiteTransfer.objects.get()
    assert {(line.entitlement.pk, line.quantity) for line in transfer.lines.all()} == {
        (first.pk, 1),
        (last.pk, 2),
    }


def test_a_carried_quantity_of_another_sites_entitlement_is_ignored(client, world, annex, held):
    foreign = EntitlementFactory(site=world.other_site, quantity=3)
    client_for(client, world, "primary")

    response = client.post(
        create_url(world.site),
        {"target_site": annex.pk, quantity(held): "1", quantity(foreign): "3"},
    )

    assert response.status_code == 302
    assert [line.entitlement for line in SiteTransfer.objects.get().lines.all()] == [held]
