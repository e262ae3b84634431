"""Issue #10 item 2: `demo_data --scale small|large` builds scale data on top of the demo,
valid under the models' rules, seen by the demo users, with a number of queries that does not
grow with the size. The tests build internal sizes far below `small` (a second or two each)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count, Max, Min
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.demo import demo_data_load
from accounts.models import Agreement, Contact, Organisation, Site, User
from licensing.models import CoveragePeriod, Entitlement, Order, OrderLine
from portal.core.models import OutgoingEmail
from renewals.models import Quote, QuoteLine
from renewals.notices import monthly_groups_due
from support import scale
from support.management.commands import demo_data as command
from support.models import Ticket, TicketComment, TicketEvent
from support.scale import SIZES, ScaleDataExistsError, ScaleSize, scale_data_load, scale_sites
from support.selectors import calendar_for_site
from support.sla import targets

pytestmark = pytest.mark.django_db

TINY = ScaleSize("tiny", customers=10, sites=16, resellers=2, entitlements=1_600, tickets=400,
                 estate_sites=4)  # fmt: skip
TINIER = ScaleSize("tinier", customers=5, sites=8, resellers=1, entitlements=400, tickets=100,
                   estate_sites=2)  # fmt: skip
DEMO_SITES = 6  # accounts.demo


@pytest.fixture
def demo_accounts():
    """The part of the demo the scale data builds on: Northwind and the demo users."""
    demo_data_load()


@pytest.fixture(scope="class")
def tiny(django_db_setup, django_db_blocker):
    """Built once for the read-only tests of TestTinyScale, rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_data_load()
        yield scale_data_load(size=TINY, now=timezone.now(), quiet=True)
        transaction.set_rollback(True)


def _user(email: str) -> User:
    return User.objects.get(email=email)


def test_small_is_about_a_fiftieth_of_large():
    """The CI size keeps the large one's proportions (issue #10: 1/50)."""
    small, large = SIZES["small"], SIZES["large"]
    for what in ("customers", "sites", "resellers", "entitlements", "tickets"):
        assert getattr(large, what) == 50 * getattr(small, what), what
    assert (large.customers, large.sites, large.resellers) == (2_000, 5_000, 200)
    assert (large.entitlements, large.tickets) == (500_000, 100_000)


class TestTinyScale:
    """Read-only checks of one build of TINY (the class shares it)."""

    def test_scale_data_builds_the_promised_numbers_of_rows(self, tiny):
        assert tiny.created
        assert Organisation.objects.filter(name__contains="Channel Partners").count() == 2
        assert scale_sites().count() == TINY.sites
        assert Site.objects.count() == DEMO_SITES + TINY.sites
        customers = Organisation.objects.filter(sites__in=scale_sites()).distinct()
        assert customers.count() == TINY.customers
        assert Entitlement.objects.filter(site__in=scale_sites()).count() == TINY.entitlements
        assert Ticket.objects.filter(site__in=scale_sites()).count() == TINY.tickets
        assert tiny.counts["entitlements"] == TINY.entitlements
        assert tiny.counts["tickets"] == TINY.tickets

    def test_every_scale_site_holds_several_products(self, tiny):
        per_site = (
            Entitlement.objects.filter(site__in=scale_sites())
            .values("site")
            .annotate(products=Count("product", distinct=True), lines=Count("pk"))
        )
        assert len(per_site) == TINY.sites
        assert min(row["products"] for row in per_site) >= 5
        assert {row["lines"] for row in per_site} == {TINY.entitlements // TINY.sites}

    def test_coverage_ends_spread_over_the_coming_year_with_some_lapsed(self, tiny):
        today = timezone.localdate()
        ends = list(
            Entitlement.objects.filter(site__in=scale_sites()).values_list(
                "coverage_end", flat=True
            )
        )
        lapsed = sum(1 for end in ends if end < today)
        months = {(end.year, end.month) for end in ends if end >= today}
        assert 0.05 * len(ends) < lapsed < 0.3 * len(ends)
        assert len(months) >= 12
        assert max(ends) <= today + timedelta(days=366)

    def test_coverage_periods_span_each_entitlement_exactly(self, tiny):
        """L3: coverage_start/end mirror the periods (a purchase, then one renewal a year)."""
        spans = (
            CoveragePeriod.objects.filter(entitlement__site__in=scale_sites())
            .values("entitlement")
            .annotate(first=Min("starts_on"), last=Max("ends_on"), periods=Count("pk"))
        )
        lines = {
            pk: (start, end)
            for pk, start, end in Entitlement.objects.filter(site__in=scale_sites()).values_list(
                "pk", "coverage_start", "coverage_end"
            )
        }
        assert len(spans) == len(lines)
        for span in spans:
            assert (span["first"], span["last"]) == lines[span["entitlement"]]
        assert max(span["periods"] for span in spans) >= 3

    def test_each_entitlement_comes_from_an_order_line_of_its_site(self, tiny):
        lines = Entitlement.objects.filter(site__in=scale_sites()).select_related(
            "order_line__order"
        )
        for line in lines[:: TINY.entitlements // 50]:
            assert line.order_line.order.site_id == line.site_id
            assert line.order_line.order.ordered_on == line.purchased_on
            assert line.order_line.quantity == line.quantity
        assert OrderLine.objects.filter(order__site__in=scale_sites()).count() == TINY.entitlements

    def test_the_scale_rows_pass_model_validation(self, tiny):
        """The models' own rules (clean, field validators, constraints), row by row: every
        organisation, agreement, site and contact, and a sample of the rest."""
        samples = [
            *Organisation.objects.filter(sites__in=scale_sites()).distinct(),
            *Organisation.objects.filter(name__contains="Channel Partners"),
            *Agreement.objects.filter(sites__in=scale_sites()).distinct(),
            *scale_sites(),
            *Contact.objects.filter(site__in=scale_sites())[::2],
            *Order.objects.filter(site__in=scale_sites())[::60],
            *Entitlement.objects.filter(site__in=scale_sites())[::80],
            *Ticket.objects.filter(site__in=scale_sites())[::40],
            *Quote.objects.filter(agreement__sites__in=scale_sites()).distinct()[::20],
        ]
        for row in samples:
            row.full_clean()
        assert len(samples) > 80

    def test_each_pae_agreement_has_exactly_one_site(self, tiny):
        """A1: PAE is a single-site programme (Site.clean checks it one site at a time)."""
        sites = Counter(
            scale_sites()
            .filter(agreement__programme=Agreement.Programme.PAE)
            .values_list("agreement", flat=True)
        )
        assert sites
        assert set(sites.values()) == {1}

    def test_tickets_mix_statuses_and_severities_on_covered_products(self, tiny):
        tickets = list(Ticket.objects.filter(site__in=scale_sites()).select_related("entitlement"))
        assert len({ticket.status for ticket in tickets}) >= 5
        assert {ticket.severity for ticket in tickets} == {1, 2, 3, 4}
        for ticket in tickets:
            opened_on = ticket.opened_at.date()
            assert ticket.entitlement.coverage_start <= opened_on <= ticket.entitlement.coverage_end
            assert ticket.product_id == ticket.entitlement.product_id
            assert ticket.opened_at <= timezone.now()
        closed = [ticket for ticket in tickets if ticket.status == "closed"]
        assert all(t.first_response_at and t.resolved_at and t.closed_at for t in closed)

    def test_ticket_due_instants_are_those_the_sla_clock_gives(self, tiny):
        """S4: stored as ticket_open stores them (the site's time zone and holidays)."""
        tickets = Ticket.objects.filter(site__in=scale_sites()).select_related("site")
        for ticket in tickets[::10]:
            calendar = calendar_for_site(ticket.site, start=ticket.opened_at.date())
            found = targets(opened_at=ticket.opened_at, severity=ticket.severity, calendar=calendar)
            assert (ticket.response_due_at, ticket.at_risk_at) == (found.due_at, found.at_risk_at)

    def test_answered_tickets_have_the_support_comment_and_history(self, tiny):
        answered = Ticket.objects.filter(site__in=scale_sites(), first_response_at__isnull=False)
        comments = TicketComment.objects.filter(ticket__in=answered, is_from_support=True)
        assert comments.count() == answered.count()
        events = TicketEvent.objects.filter(ticket__site__in=scale_sites(), kind="opened")
        assert events.count() == TINY.tickets

    def test_a_year_of_quotes_in_every_state_with_one_live_quote_per_series(self, tiny):
        quotes = Quote.objects.filter(lines__site__in=scale_sites()).distinct()
        states = Counter(quotes.values_list("state", flat=True))
        assert {"accepted", "open"} <= set(states)
        # Lapsed lines were offered and not renewed: an expired or declined quote, or a line of an
        # accepted one the customer left out.
        refused = QuoteLine.objects.filter(site__in=scale_sites(), is_selected=False).count()
        assert refused + states["expired"] + states["declined"] > 0
        issued = list(quotes.values_list("issued_on", flat=True))
        assert max(issued) - min(issued) >= timedelta(days=300)
        live = Counter(quotes.live().values_list("series_key", flat=True))
        assert set(live.values()) == {1}
        lines = QuoteLine.objects.filter(site__in=scale_sites())
        assert all(line.covers_from <= line.covers_to for line in lines)

    def test_the_daily_renewal_job_finds_no_monthly_notice_left_to_send(self, tiny):
        """N3: the notices due by today were issued with the scale data, so the job's first
        run after it does not send hundreds of notices at once."""
        assert monthly_groups_due(timezone.localdate()) == []

    def test_each_quote_and_ticket_has_its_e_mail_sent(self, tiny):
        sent = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT)
        tickets = sent.filter(key__startswith="ticket:T-S")
        assert tickets.count() == TINY.tickets
        sent_quotes = Quote.objects.filter(lines__site__in=scale_sites()).exclude(state="draft")
        assert sent.filter(key__startswith="quote:").count() >= sent_quotes.distinct().count()
        assert not OutgoingEmail.objects.exclude(status=OutgoingEmail.Status.SENT).exists()
        oldest = sent.order_by("created_at").first()
        assert oldest.created_at < timezone.now() - timedelta(days=200)

    def test_the_demo_customer_users_see_the_demo_estate(self, tiny):
        for email, own_sites in (
            ("primary@demo.entitle.test", 3),
            ("admin@demo.entitle.test", 1),
            ("stc@demo.entitle.test", 1),
            ("caller@demo.entitle.test", 1),
        ):
            user = _user(email)
            assert Site.objects.for_user(user).count() == own_sites + TINY.estate_sites, email
            estate_lines = TINY.estate_sites * TINY.entitlements // TINY.sites
            assert Entitlement.objects.for_user(user).count() >= estate_lines
        assert Ticket.objects.for_user(_user("caller@demo.entitle.test")).exists()

    def test_the_demo_reseller_manages_a_good_share_of_the_scale_sites(self, tiny):
        reseller = _user("reseller@demo.entitle.test")
        managed = Site.objects.for_user(reseller).filter(pk__in=scale_sites()).count()
        assert managed >= max(TINY.estate_sites, TINY.sites // 5)
        assert Ticket.objects.for_user(reseller).filter(site__in=scale_sites()).exists()


def test_the_same_size_again_changes_nothing_and_another_size_is_refused(demo_accounts):
    scale_data_load(size=TINIER, now=timezone.now(), quiet=True)
    before = Entitlement.objects.count()

    again = scale_data_load(size=TINIER, now=timezone.now(), quiet=True)

    assert not again.created
    assert Entitlement.objects.count() == before
    with pytest.raises(ScaleDataExistsError, match="not resized in place"):
        scale_data_load(size=TINY, now=timezone.now(), quiet=True)


def _queries(size: ScaleSize) -> int:
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        result = scale_data_load(size=size, now=timezone.now(), quiet=True)
        transaction.set_rollback(True)
    assert result.created
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_size(demo_accounts):
    """No query per row: four times the rows (each table under one batch), the same count;
    rows are written one batch per statement."""
    small_count = _queries(TINIER)
    large_count = _queries(TINY)

    assert large_count == small_count
    assert large_count < 80


def test_rows_are_written_in_batches(demo_accounts, monkeypatch):
    """A smaller batch, more statements: one per batch and table, never one per row."""
    monkeypatch.setattr(scale, "BATCH", 100)
    with CaptureQueriesContext(connection) as queries:
        result = scale_data_load(size=TINIER, now=timezone.now(), quiet=True)
    inserts = sum(1 for query in queries if query["sql"].startswith("INSERT"))
    rows = sum(result.counts.values())
    assert rows > 2_000
    assert inserts < rows / 50


def test_the_command_builds_the_scale_on_top_of_the_demo_and_reports_it(monkeypatch):
    # The accounts demo is what the scale data builds on; the rest of the demo (orders,
    # notices, tickets through the services) has its own tests and takes most of the time.
    for loader in ("licensing_demo_load", "renewals_demo_load", "support_demo_load"):
        monkeypatch.setattr(f"{command.__name__}.{loader}", lambda **_when: None)
    monkeypatch.setitem(SIZES, "small", TINIER)
    out = StringIO()

    call_command("demo_data", "--scale", "small", stdout=out)

    text = out.getvalue()
    assert "orders and entitlements" in text
    assert "400 entitlements" in text
    assert scale_sites().count() == TINIER.sites
    assert Site.objects.filter(number="1000001").exists()
    call_command("demo_data", "--scale", "small", stdout=(again := StringIO()))
    assert "already loaded" in again.getvalue()
    monkeypatch.setitem(SIZES, "large", TINY)
    with pytest.raises(CommandError, match="Start from an empty database"):
        call_command("demo_data", "--scale", "large", stdout=StringIO())


class _Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_prints_one_line_per_stage_with_its_rows_and_time():
    out = StringIO()
    progress = scale.Progress(out, stages=2)
    progress.begin("sites", 100)
    progress.advance(60)
    progress.advance(40)
    progress.end()
    progress.begin("tickets", 5)
    progress.end(5)

    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("[1/2] sites")
    assert "100 rows" in lines[0]
    assert " s " in lines[0]
    assert "\r" not in out.getvalue()


def test_progress_redraws_a_bar_on_a_terminal():
    out = _Terminal()
    progress = scale.Progress(out, stages=1)
    progress.begin("entitlements", 10)
    progress.advance(5)
    assert out.getvalue().endswith("50% 5/10")
    assert "[###############---------------]" in out.getvalue()
    progress.end()
    assert out.getvalue().endswith("\n")
