"""L8/N6: a move to a new computer with a fee gets a fee quote, issued by renewals when
licensing signals the request (licensing never imports renewals); accepting the quote pays the
fee, which staff see before they confirm the move."""

from __future__ import annotations

import ast
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.sites import site as admin_site
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from licensing import services as licensing_services
from licensing.models import LicenceMove, Order
from licensing.signals import move_requested
from renewals.models import Quote, QuoteLine
from renewals.services import quote_accept
from tests.accounts.factories import SiteFactory, UserFactory
from tests.conftest import client_for
from tests.licensing.factories import ActivationFactory, EntitlementFactory, ProductFactory
from tests.renewals.factories import at_noon, primary_contact

pytestmark = pytest.mark.django_db


def licence_moved_lately(site, *, as_of: date, moved_days_ago: int = 100):
    """Bought 200 days before `as_of`, list price 1,000, activated on OLD-PC; moved
    `moved_days_ago` (a confirmed move): moving it again within 12 months costs 20 % (L8.3)."""
    entitlement = EntitlementFactory(
        site=site,
        product=ProductFactory(list_price=Decimal("1000.00")),
        quantity=1,
        purchased_on=as_of - timedelta(days=200),
    )
    earlier = ActivationFactory(entitlement=entitlement, machine_id="FIRST-PC")
    earlier.deactivated_on = as_of - timedelta(days=moved_days_ago)
    earlier.save()
    LicenceMove.objects.create(
        entitlement=entitlement,
        old_activation=earlier,
        new_machine_id="OLD-PC",
        requested_on=as_of - timedelta(days=moved_days_ago),
        rule="L8.2",
        fee=Decimal(0),
        explanation="-",
        state=LicenceMove.State.CONFIRMED,
    )
    ActivationFactory(entitlement=entitlement, machine_id="OLD-PC")
    return entitlement


def request_move(entitlement, *, as_of: date, actor=None) -> LicenceMove:
    return licensing_services.move_request(
        entitlement=entitlement,
        old_activation=entitlement.activations.get(machine_id="OLD-PC"),
        new_machine_id="NEW-PC",
        lost_or_stolen=False,
        reason="",
        purchase="",
        actor=actor or UserFactory(),
        as_of=as_of,
    )


TODAY = date(2026, 2, 10)


@pytest.fixture
def site():
    site = SiteFactory()  # bought direct: the quote is open (sent) at once
    primary_contact(site, email="primary@example.test")
    return site


def test_requesting_a_move_with_a_fee_issues_one_fee_quote(site):
    """L8.3/N6: one quote, one fee line at the fee fixed on the move, with the rule's why;
    the move names its quote."""
    move = request_move(licence_moved_lately(site, as_of=TODAY), as_of=TODAY)
    assert (move.rule, move.fee) == ("L8.3", Decimal("200.00"))
    quote = Quote.objects.get()
    line = quote.lines.get()
    assert (quote.kind, quote.state, quote.series_key, quote.subject["move"]) == (
        Quote.Kind.MOVE_FEE,
        Quote.State.OPEN,
        f"move:{move.pk}",
        move.pk,
    )
    assert (line.action, line.quantity, line.unit_price, line.amount) == (
        QuoteLine.Action.FEE,
        1,
        Decimal("200.00"),
        Decimal("200.00"),
    )
    assert line.product_id == move.entitlement.product_id
    assert move.explanation in line.description
    assert quote.vendor_total == move.fee
    move.refresh_from_db()
    assert (move.fee_quote_number, move.fee_paid_on) == (quote.number, None)


def test_the_fee_quote_is_issued_once_however_often_the_request_is_signalled(site):
    """N6/N10: a repeated signal for the same move issues nothing more."""
    move = request_move(licence_moved_lately(site, as_of=TODAY), as_of=TODAY)
    move_requested.send(sender=LicenceMove, move=move, quote=None, actor=None, as_of=TODAY)
    assert Quote.objects.filter(series_key=f"move:{move.pk}").count() == 1


def test_a_free_move_gets_no_quote(site):
    """L8.2: not moved in the last 12 months: free, nothing to pay."""
    move = request_move(licence_moved_lately(site, as_of=TODAY, moved_days_ago=400), as_of=TODAY)
    assert (move.rule, move.fee) == ("L8.2", Decimal("0.00"))
    assert not Quote.objects.exists()
    assert move.fee_quote_number == ""


def test_accepting_the_fee_quote_marks_the_fee_paid_and_changes_no_licence(site):
    """L8/N6: the fee line changes no entitlement; the move records the day it was paid and
    staff see it in the admin."""
    entitlement = licence_moved_lately(site, as_of=TODAY)
    move = request_move(entitlement, as_of=TODAY)
    admin = admin_site._registry[LicenceMove]
    assert "Not paid" in str(admin.fee_status(move))
    quote = Quote.objects.get()
    paid_on = TODAY + timedelta(days=2)
    quote_accept(quote_id=quote.pk, actor=UserFactory(), as_of=paid_on, now=at_noon(paid_on))
    move.refresh_from_db()
    assert (move.fee_paid_on, move.fee_quote_number) == (paid_on, quote.number)
    assert "Paid on" in str(admin.fee_status(move))
    before = (entitlement.coverage_end, entitlement.version_id, entitlement.last_upgraded_on)
    entitlement.refresh_from_db()
    assert (entitlement.coverage_end, entitlement.version_id, entitlement.last_upgraded_on) == (
        before
    )


def test_a_rejected_moves_fee_quote_cannot_be_accepted(site):
    """L8/N6: staff rejected the move: there is nothing to pay, and accepting orders nothing."""
    move = request_move(licence_moved_lately(site, as_of=TODAY), as_of=TODAY)
    licensing_services.move_reject(move=move, actor=UserFactory(is_staff=True), now=at_noon(TODAY))
    quote = Quote.objects.get()
    with pytest.raises(ValidationError, match="was rejected"):
        quote_accept(quote_id=quote.pk, actor=UserFactory(), as_of=TODAY, now=at_noon(TODAY))
    quote.refresh_from_db()
    move.refresh_from_db()
    assert (quote.state, move.fee_paid_on) == (Quote.State.OPEN, None)
    assert not Order.objects.exists()


def test_a_failed_request_leaves_no_quote(site):
    """L8/N6: the quote is written in the request's transaction: a refused request (the new
    machine is the old one) leaves neither a move nor a quote."""
    entitlement = licence_moved_lately(site, as_of=TODAY)
    with pytest.raises(Exception, match="must differ"):
        licensing_services.move_request(
            entitlement=entitlement,
            old_activation=entitlement.activations.get(machine_id="OLD-PC"),
            new_machine_id="OLD-PC",
            lost_or_stolen=False,
            reason="",
            purchase="",
            actor=UserFactory(),
            as_of=TODAY,
        )
    assert not Quote.objects.exists()


# --- the move's link to its fee quote ---------------------------------------------------------


@pytest.fixture
def world_move(world):
    today = timezone.localdate()
    return request_move(
        licence_moved_lately(world.site, as_of=today), as_of=today, actor=world.users["primary"]
    )


def test_requesting_a_move_with_a_fee_on_its_page_leads_to_the_fee_quote(client, world):
    """L8: the move page shows the fee, the request issues its quote, and the licence's page
    it returns to says how to pay and links the quote."""
    entitlement = licence_moved_lately(world.site, as_of=timezone.localdate())
    client_for(client, world, "primary")
    url = reverse("licensing:move_create", args=[entitlement.pk])
    data = {
        "old_activation": entitlement.activations.get(machine_id="OLD-PC").pk,
        "new_machine_id": "NEW-PC",
        "purchase": "",
        "reason": "",
    }
    shown = client.post(url, {**data, "show_fee": "1"}).context["quote"]
    response = client.post(
        url,
        {
            **data,
            "quoted_rule": shown.rule,
            "quoted_fee": str(shown.fee),
            "request_move": "1",
        },
        follow=True,
    )
    page = response.content.decode()
    move = LicenceMove.objects.get(new_machine_id="NEW-PC")
    assert "Pay the fee by accepting its quote" in page
    assert reverse("renewals:move_fee_quote", args=[move.pk]) in page
    assert Quote.objects.get(series_key=f"move:{move.pk}").lines.get().amount == shown.fee


def test_the_entitlement_page_links_the_move_to_its_fee_quote(client, world, world_move):
    """L8: after the request, the licence's page shows the way to pay the fee."""
    client_for(client, world, "primary")
    page = client.get(reverse("licensing:entitlement_detail", args=[world_move.entitlement_id]))
    link = reverse("renewals:move_fee_quote", args=[world_move.pk])
    assert link.encode() in page.content
    response = client.get(link)
    assert response.status_code == 302
    assert response.url == reverse("renewals:quote_detail", args=[world_move.fee_quote_number])


@pytest.mark.parametrize(
    ("role", "status"), [("reseller", 302), ("stc", 403), ("other_customer", 404)]
)
def test_the_fee_quote_link_answers_as_the_quote_does(client, world, world_move, role, status):
    """A4/N6: the account manager finds the quote; STCs see the licence, not its prices; for
    another tenant the move does not exist."""
    client_for(client, world, role)
    response = client.get(reverse("renewals:move_fee_quote", args=[world_move.pk]))
    assert response.status_code == status


def test_a_free_move_has_no_fee_quote_to_find(client, world):
    today = timezone.localdate()
    move = request_move(
        licence_moved_lately(world.site, as_of=today, moved_days_ago=400),
        as_of=today,
        actor=world.users["primary"],
    )
    client_for(client, world, "primary")
    assert client.get(reverse("renewals:move_fee_quote", args=[move.pk])).status_code == 404


# --- layers ------------------------------------------------------------------------------------


def test_licensing_never_imports_renewals():
    """Layers: renewals sits above licensing, which reaches it by signal and URL name only
    (also the import-linter contract of `make lint`)."""
    offenders = []
    for path in sorted(Path(settings.BASE_DIR, "licensing").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path}: {n}" for n in names if n.split(".")[0] == "renewals"]
    assert offenders == []
