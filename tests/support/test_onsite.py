"""S7: onsite support priced by the country's zone and the product type (data), requested
from a ticket as a quote; a second request hands back the live quote; accepting books it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Site
from licensing.models import Product
from renewals.models import Quote
from renewals.services.quotes import quote_accept
from support.models import OnsiteCountry, OnsiteRate, OnsiteRequest, OnsiteZone, TicketEvent
from support.services.onsite import onsite_request
from tests.accounts.factories import SiteFactory
from tests.support.factories import covered_line, ticket_opened

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
HARDWARE_VISIT = Decimal("450.00")
SOFTWARE_VISIT = Decimal("650.00")


@pytest.fixture
def zones(db):
    """Poland in one zone, Germany in a dearer one (set, not added: the migration's defaults
    may hold these countries already)."""
    central = OnsiteZone.objects.create(code="T-CE", name="Test Central")
    west = OnsiteZone.objects.create(code="T-WE", name="Test West")
    OnsiteCountry.objects.update_or_create(country="PL", defaults={"zone": central})
    OnsiteCountry.objects.update_or_create(country="DE", defaults={"zone": west})
    for zone, hardware, software in (
        (central, HARDWARE_VISIT, SOFTWARE_VISIT),
        (west, Decimal("520.00"), Decimal("740.00")),
    ):
        OnsiteRate.objects.create(zone=zone, product_kind="hardware", price=hardware)
        OnsiteRate.objects.create(zone=zone, product_kind="software", price=software)
    return {"central": central, "west": west}


def direct(world) -> None:
    """The own site bought direct: its quotes are sent at once (no reseller's price first)."""
    Site.objects.filter(pk=world.site.pk).update(reseller=None)
    world.site.refresh_from_db()


def ticket_for(world, *, kind=Product.Kind.HARDWARE, site=None, role="caller", now=NOW):
    line = covered_line(site or world.site, kind=kind, today=now.date())
    return ticket_opened(world, role=role, line=line, now=now)


def ask(ticket, actor, *, now=NOW, reason="The unit must be looked at on site."):
    return onsite_request(ticket_id=ticket.pk, reason=reason, actor=actor, now=now)


def test_a_visit_for_hardware_is_quoted_at_the_zones_hardware_rate(world, zones):
    onsite = ask(ticket_for(world), world.users["caller"])
    quote = onsite.quote
    line = quote.lines.get()
    assert (onsite.zone, onsite.price) == (zones["central"], HARDWARE_VISIT)
    assert (quote.kind, line.action, line.amount) == ("onsite", "service", HARDWARE_VISIT)
    assert quote.valid_until == NOW.date() + timedelta(days=30)
    assert quote.series_key == f"onsite:{onsite.ticket_id}:{onsite.pk}"


def test_a_visit_for_software_is_quoted_at_the_zones_software_rate(world, zones):
    onsite = ask(ticket_for(world, kind=Product.Kind.SOFTWARE), world.users["caller"])
    assert onsite.quote.lines.get().amount == SOFTWARE_VISIT


def test_a_site_in_another_zone_pays_that_zones_rate(world, zones):
    berlin = SiteFactory(country="DE", time_zone="Europe/Berlin")
    onsite = ask(ticket_for(world, site=berlin, role="staff"), world.users["staff"])
    assert (onsite.zone, onsite.price) == (zones["west"], Decimal("520.00"))


def test_a_country_without_a_zone_has_no_onsite_service(world, zones):
    OnsiteCountry.objects.filter(country="PL").delete()
    ticket = ticket_for(world)
    with pytest.raises(ValidationError, match="no onsite service in Poland"):
        ask(ticket, world.users["caller"])
    assert not OnsiteRequest.objects.exists()


def test_a_zone_without_a_rate_for_the_product_type_has_no_onsite_service(world, zones):
    ticket = ticket_for(world, kind=Product.Kind.SUBSCRIPTION)
    with pytest.raises(ValidationError, match="subscription"):
        ask(ticket, world.users["caller"])


def test_the_request_is_recorded_on_the_ticket(world, zones):
    onsite = ask(ticket_for(world), world.users["caller"])
    event = onsite.ticket.events.get(kind=TicketEvent.Kind.ONSITE)
    assert onsite.quote.number in event.description


def test_a_second_request_hands_back_the_live_quote(world, zones):
    ticket = ticket_for(world)
    first = ask(ticket, world.users["caller"])
    second = ask(ticket, world.users["stc"], now=NOW + timedelta(days=2))
    assert second == first
    assert Quote.objects.filter(kind="onsite").count() == 1


def test_after_the_quote_expired_a_new_request_gets_a_new_quote(world, zones):
    ticket = ticket_for(world)
    first = ask(ticket, world.users["caller"])
    later = ask(ticket, world.users["caller"], now=NOW + timedelta(days=40))
    first.refresh_from_db()
    assert later.quote != first.quote
    assert first.status == OnsiteRequest.Status.CLOSED


def test_for_a_resellers_client_the_quote_waits_for_the_resellers_price(world, zones):
    onsite = ask(ticket_for(world), world.users["caller"])
    assert onsite.quote.state == Quote.State.DRAFT  # N6


def test_those_who_cannot_follow_up_the_ticket_cannot_ask(world, zones):
    ticket = ticket_for(world)
    with pytest.raises(PermissionDenied):
        ask(ticket, world.users["other_customer"])


def test_accepting_the_onsite_quote_books_the_visit(world, zones):
    direct(world)
    onsite = ask(ticket_for(world, role="primary"), world.users["primary"])
    quote_accept(
        quote_id=onsite.quote_id,
        actor=world.users["primary"],
        as_of=NOW.date() + timedelta(days=1),
        now=NOW + timedelta(days=1),
    )
    onsite.refresh_from_db()
    assert (onsite.status, onsite.booked_on) == (
        OnsiteRequest.Status.BOOKED,
        NOW.date() + timedelta(days=1),
    )
    assert onsite.ticket.events.filter(description__contains="booked").exists()


# --- the page -----------------------------------------------------------------------------------


def test_the_page_shows_the_price_before_confirming(client, world, zones):
    direct(world)
    ticket = ticket_for(world, role="primary", now=timezone.now())
    client.force_login(world.users["primary"])
    response = client.get(reverse("support:onsite_request", args=[ticket.number]))
    assert response.status_code == 200
    assert "450" in response.content.decode()
    assert not OnsiteRequest.objects.exists()


def test_confirming_shows_the_quote(client, world, zones):
    direct(world)
    ticket = ticket_for(world, role="primary", now=timezone.now())
    client.force_login(world.users["primary"])
    response = client.post(
        reverse("support:onsite_request", args=[ticket.number]),
        {"reason": "The unit must be looked at on site.", "confirm": "1"},
    )
    quote = OnsiteRequest.objects.get().quote
    assert response["Location"] == reverse("renewals:quote_detail", args=[quote.number])


def test_a_caller_who_does_not_see_quotes_goes_back_to_the_ticket(client, world, zones):
    ticket = ticket_for(world, now=timezone.now())
    client.force_login(world.users["caller"])
    response = client.post(
        reverse("support:onsite_request", args=[ticket.number]),
        {"reason": "The unit must be looked at on site."},
    )
    assert response["Location"] == reverse("support:ticket_detail", args=[ticket.number])


def test_the_page_says_when_there_is_no_onsite_service(client, world, zones):
    OnsiteCountry.objects.filter(country="PL").delete()
    ticket = ticket_for(world, now=timezone.now())
    client.force_login(world.users["caller"])
    response = client.get(reverse("support:onsite_request", args=[ticket.number]))
    assert "no onsite service in Poland" in response.content.decode()
