"""S6: advance hardware replacement: the ship-by date, the return due date, one live RMA per
unit, refusals, the overdue job with its list-price quote, and the pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import Site
from licensing.models import Entitlement, Product
from portal.core.mail import email_render
from portal.core.models import OutgoingEmail
from renewals.models import Quote
from renewals.services.quotes import quote_accept
from support.models import Holiday, ReplacementRequest, TicketEvent
from support.services.replacements import (
    business_days_after,
    replacements_overdue_flag,
    rma_mark_received,
    rma_mark_shipped,
    rma_request,
    rma_return_tracking_set,
)
from support.sla import SupportCalendar
from tests.licensing.factories import ProductFactory
from tests.support.factories import covered_line, ticket_opened

pytestmark = pytest.mark.django_db

FRIDAY = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)  # a Friday, 11:00 in Warsaw
THURSDAY = FRIDAY - timedelta(days=1)


# --- business days (pure) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "count", "holidays", "expected"),
    [
        (date(2026, 12, 4), 1, (), date(2026, 12, 7)),  # Friday → Monday
        (date(2026, 12, 5), 1, (), date(2026, 12, 7)),  # Saturday → Monday
        (date(2026, 12, 1), 1, (), date(2026, 12, 2)),  # Tuesday → Wednesday
        (date(2026, 12, 3), 1, (date(2026, 12, 4),), date(2026, 12, 7)),  # before a holiday
        (date(2026, 12, 7), 10, (), date(2026, 12, 21)),  # two working weeks
        (date(2026, 12, 7), 10, (date(2026, 12, 10),), date(2026, 12, 22)),
    ],
)
def test_business_days_skip_weekends_and_holidays(day, count, holidays, expected):
    calendar = SupportCalendar(time_zone="Europe/Warsaw", holidays=frozenset(holidays))
    assert business_days_after(day, count, calendar) == expected


# --- helpers ------------------------------------------------------------------------------------


def hardware_line(site, *, today: date, list_price=Decimal("900.00")):
    product = ProductFactory(kind=Product.Kind.HARDWARE, list_price=list_price)
    return covered_line(site, product=product, today=today)


def hardware_ticket(world, *, now=FRIDAY, role="caller", line=None):
    line = line or hardware_line(world.site, today=now.date())
    return ticket_opened(world, role=role, line=line, now=now, title="The phone is dead")


def request_rma(ticket, actor, *, now=FRIDAY, serial="SN-1", **kwargs):
    return rma_request(
        ticket_id=ticket.pk,
        failed_serial=serial,
        fault="No dial tone.",
        ship_to="1 Main Street, Warszawa",
        actor=actor,
        now=now,
        **kwargs,
    )


def direct(world) -> None:
    """The own site bought direct: quotes are open (sent) at once, no reseller's price first."""
    Site.objects.filter(pk=world.site.pk).update(reseller=None)
    world.site.refresh_from_db()


# --- the request --------------------------------------------------------------------------------


def test_a_request_on_a_friday_ships_by_monday(world):
    ticket = hardware_ticket(world)
    rma = request_rma(ticket, world.users["caller"])
    assert rma.ship_by == date(2026, 12, 7)
    assert rma.status == ReplacementRequest.Status.REQUESTED


def test_a_request_before_a_holiday_ships_after_it(world):
    Holiday.objects.create(country="PL", day=date(2026, 12, 4), name="Test holiday")
    ticket = hardware_ticket(world, now=THURSDAY)
    rma = request_rma(ticket, world.users["caller"], now=THURSDAY)
    assert rma.ship_by == date(2026, 12, 7)


def test_the_sites_certified_partner_installs_the_part(world):
    rma = request_rma(hardware_ticket(world), world.users["caller"])
    assert rma.installer == world.reseller


def test_a_request_records_an_event_and_emails_the_customer_and_the_partner(world):
    ticket = hardware_ticket(world)
    rma = request_rma(ticket, world.users["caller"])
    assert ticket.events.filter(kind=TicketEvent.Kind.RMA).count() == 1
    sent_to = set(
        OutgoingEmail.objects.filter(key__startswith=f"rma:{rma.number}:requested:").values_list(
            "to", flat=True
        )
    )
    assert {"caller@alpha.test", "stc@alpha.test", "rita@reseller-one.test"} <= sent_to


def test_a_software_ticket_gets_no_replacement(world):
    ticket = ticket_opened(world, now=FRIDAY)  # a software line
    with pytest.raises(ValidationError, match="hardware"):
        request_rma(ticket, world.users["caller"])


def test_hardware_whose_support_lapsed_gets_no_replacement(world):
    ticket = hardware_ticket(world)
    Entitlement.objects.filter(pk=ticket.entitlement_id).update(
        coverage_end=FRIDAY.date() - timedelta(days=1)
    )
    with pytest.raises(ValidationError, match="does not cover today"):
        request_rma(ticket, world.users["caller"])


def test_a_second_request_for_the_same_unit_is_refused(world):
    ticket = hardware_ticket(world)
    first = request_rma(ticket, world.users["caller"])
    with pytest.raises(ValidationError, match=first.number):
        request_rma(ticket, world.users["stc"], serial=" SN-1 ")
    assert ReplacementRequest.objects.count() == 1


def test_another_unit_of_the_same_ticket_may_be_replaced(world):
    ticket = hardware_ticket(world)
    request_rma(ticket, world.users["caller"])
    request_rma(ticket, world.users["caller"], serial="SN-2")
    assert ReplacementRequest.objects.count() == 2


def test_the_same_form_submitted_twice_makes_one_replacement(world):
    ticket = hardware_ticket(world)
    first = request_rma(ticket, world.users["caller"], submission_key="k" * 32)
    again = request_rma(ticket, world.users["caller"], submission_key="k" * 32)
    assert again == first


def test_a_reseller_that_is_no_partner_cannot_ask(world):
    ticket = hardware_ticket(world)
    with pytest.raises(PermissionDenied):
        request_rma(ticket, world.users["other_reseller"])


# --- shipping and the return ---------------------------------------------------------------------


def shipped(world, *, shipped_on=date(2026, 12, 7)):
    rma = request_rma(hardware_ticket(world), world.users["caller"])
    return rma_mark_shipped(
        rma_id=rma.pk,
        shipped_on=shipped_on,
        tracking="1Z-OUT",
        actor=world.users["staff"],
        now=FRIDAY + timedelta(days=3),
    )


def test_shipping_makes_the_unit_due_back_in_ten_business_days(world):
    rma = shipped(world)
    assert (rma.status, rma.outbound_tracking) == (ReplacementRequest.Status.SHIPPED, "1Z-OUT")
    assert rma.return_due_on == date(2026, 12, 21)


def test_a_holiday_moves_the_return_due_date(world):
    Holiday.objects.create(country="PL", day=date(2026, 12, 10), name="Test holiday")
    assert shipped(world).return_due_on == date(2026, 12, 22)


def test_shipping_emails_the_customer_the_due_date(world):
    rma = shipped(world)
    email = OutgoingEmail.objects.get(key=f"rma:{rma.number}:shipped:caller@alpha.test")
    assert "21" in email.subject
    assert "1Z-OUT" in email.body_text


def test_only_staff_mark_a_replacement_shipped(world):
    rma = request_rma(hardware_ticket(world), world.users["caller"])
    with pytest.raises(PermissionDenied):
        rma_mark_shipped(
            rma_id=rma.pk,
            shipped_on=date(2026, 12, 7),
            tracking="X",
            actor=world.users["primary"],
            now=FRIDAY,
        )


def test_the_customer_records_the_return_tracking(world):
    rma = shipped(world)
    rma = rma_return_tracking_set(
        rma_id=rma.pk, tracking="1Z-BACK", actor=world.users["caller"], now=FRIDAY
    )
    assert rma.return_tracking == "1Z-BACK"


def test_a_received_unit_is_returned(world):
    rma = shipped(world)
    rma = rma_mark_received(
        rma_id=rma.pk, received_on=date(2026, 12, 15), actor=world.users["staff"], now=FRIDAY
    )
    assert (rma.status, rma.returned_on) == (ReplacementRequest.Status.RETURNED, date(2026, 12, 15))


# --- overdue (the daily job) ----------------------------------------------------------------------


def test_an_unreturned_unit_is_flagged_overdue_and_quoted_at_its_list_price_once(world):
    rma = shipped(world)
    as_of = rma.return_due_on + timedelta(days=1)
    first = replacements_overdue_flag(as_of=as_of)
    second = replacements_overdue_flag(as_of=as_of)
    rma.refresh_from_db()
    assert (rma.status, rma.overdue_flagged_on) == (ReplacementRequest.Status.OVERDUE, as_of)
    quote = Quote.objects.get(series_key=f"rma-unit:{rma.pk}")
    line = quote.lines.get()
    assert (quote.kind, line.action, line.amount) == ("rma_unit", "fee", Decimal("900.00"))
    assert rma.unit_quote == quote
    assert first.counts == {"overdue": 1, "quotes": 1}
    assert second.counts == {"overdue": 0}


def test_a_unit_due_today_is_not_yet_overdue(world):
    rma = shipped(world)
    replacements_overdue_flag(as_of=rma.return_due_on)
    rma.refresh_from_db()
    assert rma.status == ReplacementRequest.Status.SHIPPED


def test_a_dry_run_flags_nothing(world):
    rma = shipped(world)
    summary = replacements_overdue_flag(as_of=rma.return_due_on + timedelta(days=1), dry_run=True)
    rma.refresh_from_db()
    assert (summary.counts, rma.status) == ({"overdue": 1}, ReplacementRequest.Status.SHIPPED)


def test_the_command_flags_overdue_returns(world, capsys):
    rma = shipped(world)
    day = (rma.return_due_on + timedelta(days=1)).isoformat()
    call_command("flag_overdue_returns", "--as-of", day)
    rma.refresh_from_db()
    assert rma.status == ReplacementRequest.Status.OVERDUE
    assert "overdue: 1" in capsys.readouterr().out


def test_for_a_resellers_client_the_unit_quote_waits_for_the_resellers_price(world):
    rma = shipped(world)
    replacements_overdue_flag(as_of=rma.return_due_on + timedelta(days=1))
    rma.refresh_from_db()
    assert rma.unit_quote.state == Quote.State.DRAFT  # N6


def test_accepting_the_unit_quote_records_the_payment_and_keeps_the_flag(world):
    direct(world)
    rma = shipped(world)
    as_of = rma.return_due_on + timedelta(days=1)
    replacements_overdue_flag(as_of=as_of)
    rma.refresh_from_db()
    quote_accept(
        quote_id=rma.unit_quote_id,
        actor=world.users["primary"],
        as_of=as_of,
        now=datetime(2026, 12, 23, 12, tzinfo=UTC),
    )
    rma.refresh_from_db()
    assert rma.status == ReplacementRequest.Status.OVERDUE
    assert rma.unit_quote.state == Quote.State.ACCEPTED
    assert rma.ticket.events.filter(description__contains="paid").exists()


def test_a_unit_received_after_the_flag_withdraws_its_open_quote(world):
    direct(world)
    rma = shipped(world)
    as_of = rma.return_due_on + timedelta(days=1)
    replacements_overdue_flag(as_of=as_of)
    rma.refresh_from_db()
    rma_mark_received(rma_id=rma.pk, received_on=as_of, actor=world.users["staff"], now=FRIDAY)
    rma.refresh_from_db()
    assert rma.status == ReplacementRequest.Status.RETURNED
    assert rma.unit_quote.state == Quote.State.EXPIRED


# --- pages --------------------------------------------------------------------------------------


def test_the_request_page_refuses_a_software_ticket_saying_why(client, world):
    ticket = ticket_opened(world)
    client.force_login(world.users["caller"])
    response = client.get(reverse("support:rma_request", args=[ticket.number]))
    assert response.status_code == 200
    assert "Advance replacement is for hardware" in response.content.decode()
    assert response.context["refusal"] is not None


def test_the_request_page_prefills_the_sites_address_and_requests(client, world):
    ticket = hardware_ticket(world, now=timezone.now())
    client.force_login(world.users["caller"])
    url = reverse("support:rma_request", args=[ticket.number])
    page = client.get(url)
    assert "1 Main Street" in page.context["form"].initial["ship_to"]
    response = client.post(
        url, {"failed_serial": "SN-9", "fault": "Dead.", "ship_to": "Somewhere 1"}
    )
    rma = ReplacementRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("support:rma_detail", args=[rma.number])


def test_the_return_tracking_is_posted_from_the_rma_page(client, world):
    rma = shipped(world)
    client.force_login(world.users["stc"])
    response = client.post(
        reverse("support:rma_return", args=[rma.number]), {"return_tracking": "1Z-BACK"}
    )
    rma.refresh_from_db()
    assert (response.status_code, rma.return_tracking) == (302, "1Z-BACK")


@pytest.mark.parametrize("rmas", [1, 6])
def test_the_rma_page_costs_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries, rmas
):
    ticket = hardware_ticket(world)
    for index in range(rmas):
        rma = request_rma(ticket, world.users["caller"], serial=f"SN-{index}")
        TicketEvent.objects.create(
            ticket=ticket, kind="rma", happened_at=FRIDAY, description=f"event {index}"
        )
    client.force_login(world.users["primary"])
    url = reverse("support:rma_detail", args=[rma.number])
    # A first request sets the session's memos (the partner brand, S8; MFA, site confirmed).
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(7):
        response = client.get(url)
    assert response.status_code == 200
    assert rma.number in response.content.decode()


@pytest.mark.parametrize("rmas", [1, 6])
def test_the_ticket_pages_service_box_costs_a_fixed_number_of_queries(
    world, django_assert_max_num_queries, rmas
):
    ticket = hardware_ticket(world)
    for index in range(rmas):
        request_rma(ticket, world.users["caller"], serial=f"SN-{index}")
    request = RequestFactory().get("/")
    request.user = world.users["caller"]
    ticket = type(ticket).objects.select_related("site__reseller", "product").get(pk=ticket.pk)
    with django_assert_max_num_queries(4):
        html = render_to_string(
            "support/_service_panel.html", {"ticket": ticket, "request": request}
        )
    assert html.count("/support/replacements/") == rmas
    assert "Request advance replacement" in html


@pytest.mark.parametrize("language", ["en", "pl", "zh-hant"])
def test_the_rma_emails_render_in_each_language(world, language):
    """E2: each RMA e-mail renders in the recipient's language, dates in that locale."""
    rma = shipped(world)
    replacements_overdue_flag(as_of=rma.return_due_on + timedelta(days=1))
    rma.refresh_from_db()
    for template in ("support/rma_requested", "support/rma_shipped", "support/rma_overdue"):
        rendered = email_render(
            template=template,
            context={"rma": rma, "ticket": rma.ticket, "link": "x", "for_partner": False},
            language=language,
        )
        assert rma.number in rendered.subject + rendered.text


@pytest.mark.parametrize(("role", "sees_link"), [("primary", True), ("caller", False)])
def test_the_overdue_rma_page_links_the_unit_quote_for_those_who_see_quotes(
    client, world, role, sees_link
):
    rma = shipped(world)
    replacements_overdue_flag(as_of=rma.return_due_on + timedelta(days=1))
    rma.refresh_from_db()
    client.force_login(world.users[role])
    page = client.get(reverse("support:rma_detail", args=[rma.number])).content.decode()
    assert "flagged overdue" in page
    assert "Reseller One" in page  # N6: the reseller sets the client's price first
    assert (reverse("renewals:quote_detail", args=[rma.unit_quote.number]) in page) is sees_link
