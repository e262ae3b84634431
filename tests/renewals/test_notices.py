"""The renewal notice job (N1, N3, N5, N10): anniversary quotes with due and co-term lines,
monthly consolidated notices, who receives them, and what never gets one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Agreement
from portal.core.models import OutgoingEmail
from renewals.models import Quote
from renewals.notices import anniversaries_due, renewal_notices_send
from renewals.services import quote_accept, quotes_expire
from tests.accounts.factories import AgreementFactory, ResellerFactory, UserFactory
from tests.licensing.factories import ProductFactory
from tests.renewals.factories import at_noon, renewal_quote_for
from tests.renewals.notice_world import bought, emails, site_with_contacts

pytestmark = pytest.mark.django_db

# Anniversary month March: A = 31 Mar 2027, its notice day 90 days before, 31 Dec 2026.
NOTICE_DAY = date(2026, 12, 31)


@pytest.fixture
def product():
    return ProductFactory(name="Atlas", annual_ss_price=Decimal("240.00"))


@pytest.fixture
def site():
    return site_with_contacts(
        primary="primary@example.test",
        renewal="renewals@example.test",
        agreement__anniversary_month=3,
        agreement__number="PA-1",
    )


def test_the_anniversary_quote_is_due_90_days_before_the_anniversary_and_caught_up_14_days():
    """N1: A = 31 Mar 2027 is due from 31 Dec 2026, caught up until 14 Jan 2027, never later."""
    assert anniversaries_due(date(2026, 12, 30)) == []
    assert anniversaries_due(NOTICE_DAY) == [date(2027, 3, 31)]
    assert anniversaries_due(date(2027, 1, 14)) == [date(2027, 3, 31)]
    assert anniversaries_due(date(2027, 1, 15)) == []


def test_the_anniversary_quote_has_due_lines_to_the_next_anniversary_and_optional_co_term_lines(
    site, product
):
    """N1: due lines (ending in March) renew to A' = 31 Mar 2028; lines ending later are
    optional co-term lines renewed from their end to A'; the total counts due lines only."""
    bought(site, product, date(2026, 3, 11), quantity=2)  # ends 10 Mar 2027: due
    bought(site, product, date(2026, 6, 10))  # ends 9 Jun 2027: co-term
    renewal_notices_send(as_of=date(2026, 12, 30))
    assert not Quote.objects.exists()
    renewal_notices_send(as_of=NOTICE_DAY)
    quote = Quote.objects.get()
    assert (quote.notice, quote.series_key, quote.state) == (
        "anniversary",
        f"anniversary:{site.agreement_id}:direct:2027-03-31",
        "open",
    )
    assert (quote.valid_until, quote.renews_to) == (date(2027, 3, 10), date(2028, 3, 31))
    lines = [
        (line.covers_from, line.covers_to, line.months, line.amount, line.is_optional)
        for line in quote.lines.order_by("position")
    ]
    assert lines == [
        (date(2027, 3, 11), date(2028, 3, 31), 13, Decimal("520.00"), False),  # 240×13/12×2
        (date(2027, 6, 10), date(2028, 3, 31), 10, Decimal("200.00"), True),
    ]
    assert quote.vendor_total == Decimal("520.00")


def test_a_second_run_for_the_same_day_issues_nothing(site, product):
    """N10: the series key makes a second run a no-op."""
    bought(site, product, date(2026, 3, 11))
    renewal_notices_send(as_of=NOTICE_DAY)
    before = OutgoingEmail.objects.count()
    summary = renewal_notices_send(as_of=NOTICE_DAY)
    later = renewal_notices_send(as_of=date(2027, 1, 5))
    assert Quote.objects.count() == 1
    assert OutgoingEmail.objects.count() == before
    assert summary.counts == {}
    assert later.counts == {}


def test_a_missed_notice_day_is_caught_up_but_not_after_14_days(site, product):
    """N1: the job did not run on the notice day; it catches up within 14 days only."""
    bought(site, product, date(2026, 3, 11))
    renewal_notices_send(as_of=date(2027, 1, 15))
    assert not Quote.objects.exists()
    renewal_notices_send(as_of=date(2027, 1, 14))
    assert Quote.objects.filter(notice="anniversary").count() == 1


@pytest.mark.parametrize(
    ("month", "purchased_on", "notice_day", "expected"),
    [
        # 29 February: A = 29 Feb 2028; a coverage ending on the anniversary itself is due
        # and renews twelve months, to 28 Feb 2029.
        (2, date(2027, 3, 1), date(2027, 12, 1), (date(2028, 2, 29), date(2029, 2, 28), 12)),
        # The 31st: A = 31 Jan 2027; coverage bought on 1 Feb 2026 ends on A itself.
        (1, date(2026, 2, 1), date(2026, 11, 2), (date(2027, 1, 31), date(2028, 1, 31), 12)),
        # A coverage end early in the anniversary month: 13 started months to A'.
        (8, date(2026, 8, 2), date(2027, 6, 2), (date(2027, 8, 1), date(2028, 8, 31), 13)),
    ],
)
def test_month_end_anniversaries(product, month, purchased_on, notice_day, expected):
    """N1, A1: anniversaries are month ends: 29 February, the 31st, an end on A itself."""
    site = site_with_contacts(primary="p@example.test", agreement__anniversary_month=month)
    entitlement = bought(site, product, purchased_on)
    renewal_notices_send(as_of=notice_day)
    line = Quote.objects.get().lines.get()
    assert (entitlement.coverage_end, line.covers_to, line.months) == expected
    assert not line.is_optional


def test_three_purchases_in_one_month_get_one_monthly_notice(site, product):
    """N3 (seed 001 FAQ): purchases on the 10th, 12th and 20th of January give ONE notice a
    year later, 90 days before the earliest end (9 Jan 2027 → 11 Oct 2026), priced to
    co-term to the following anniversary (31 Mar 2027)."""
    for day in (10, 12, 20):
        bought(site, product, date(2026, 1, day))
    renewal_notices_send(as_of=date(2026, 10, 10))
    assert not Quote.objects.exists()
    renewal_notices_send(as_of=date(2026, 10, 11))
    quote = Quote.objects.get()
    assert (quote.notice, quote.series_key, quote.site_id) == (
        "monthly",
        f"monthly:{site.pk}:2027-01",
        site.pk,
    )
    assert (quote.valid_until, quote.renews_to) == (date(2027, 1, 9), date(2027, 3, 31))
    assert [(line.covers_from, line.months) for line in quote.lines.order_by("position")] == [
        (date(2027, 1, 10), 3),
        (date(2027, 1, 12), 3),
        (date(2027, 1, 20), 3),
    ]
    assert quote.vendor_total == Decimal("180.00")
    for day in (12, 20, 30):
        renewal_notices_send(as_of=date(2026, 10, day))
    assert Quote.objects.count() == 1


def test_each_site_and_month_has_its_own_notice(site, product):
    """N3: consolidated per site per month — another month or another site is another one."""
    other = site_with_contacts(primary="other@example.test", agreement=site.agreement)
    bought(site, product, date(2026, 1, 10))
    bought(site, product, date(2026, 2, 10))
    bought(other, product, date(2026, 1, 15))
    renewal_notices_send(as_of=date(2026, 11, 10))  # both January notices, not February yet
    assert sorted(Quote.objects.values_list("series_key", flat=True)) == sorted(
        [f"monthly:{site.pk}:2027-01", f"monthly:{other.pk}:2027-01"]
    )
    renewal_notices_send(as_of=date(2026, 11, 11))  # 9 Feb 2027 − 90 days
    assert Quote.objects.filter(series_key=f"monthly:{site.pk}:2027-02").exists()


def test_a_quote_number_already_taken_is_drawn_again(site, product, monkeypatch):
    """N3/N10: the notices of one day share the date in their numbers, and the busiest day of
    a large estate issues thousands; a random part already used is drawn again instead of
    failing the job on the unique constraint (found by `make bench`)."""
    other = site_with_contacts(primary="other@example.test", agreement=site.agreement)
    bought(site, product, date(2026, 1, 10))
    bought(other, product, date(2026, 1, 15))
    draws = iter(["Q-20261110-AAAAAA", "Q-20261110-AAAAAA", "Q-20261110-AAAAAA", "Q-B"])
    monkeypatch.setattr("renewals.services.quotes.new_quote_number", lambda _day: next(draws))
    summary = renewal_notices_send(as_of=date(2026, 11, 10))
    assert summary.counts["monthly"] == 2
    assert sorted(Quote.objects.values_list("number", flat=True)) == [
        "Q-20261110-AAAAAA",
        "Q-B",
    ]


def test_a_vip_agreement_gets_only_its_anniversary_quote(product):
    """N3: VIP subscriptions bought mid-term run to the anniversary; no monthly notices."""
    site = site_with_contacts(
        primary="vip@example.test",
        agreement__anniversary_month=3,
        agreement__programme=Agreement.Programme.VIP,
    )
    bought(site, product, date(2026, 1, 10))  # ends 9 Jan 2027
    bought(site, product, date(2026, 3, 20))  # ends 19 Mar 2027
    renewal_notices_send(as_of=date(2026, 10, 11))
    assert not Quote.objects.exists()
    renewal_notices_send(as_of=NOTICE_DAY)
    assert list(Quote.objects.values_list("notice", flat=True)) == ["anniversary"]


def test_pae_agreements_get_monthly_notices(product):
    """N3 applies to PA and PAE."""
    site = site_with_contacts(
        primary="pae@example.test",
        agreement__anniversary_month=6,
        agreement__programme=Agreement.Programme.PAE,
    )
    bought(site, product, date(2026, 1, 10))
    renewal_notices_send(as_of=date(2026, 10, 11))
    assert Quote.objects.get().notice == "monthly"


def test_lapsed_lines_get_no_notice(site, product):
    """N5: coverage that ended before the run day is reinstated, not renewed: neither the
    monthly notice nor the anniversary quote offers it."""
    bought(site, product, date(2025, 1, 10))  # ended 9 Jan 2026
    bought(site, product, date(2025, 3, 11))  # ended 10 Mar 2026, a year before A
    for day in (date(2026, 3, 12), date(2026, 10, 11), NOTICE_DAY, date(2027, 1, 10)):
        renewal_notices_send(as_of=day)
    assert not Quote.objects.exists()


def test_a_line_that_lapsed_is_left_off_a_late_monthly_notice(site, product):
    """N3, N5: a notice issued late leaves off the lines that lapsed meanwhile."""
    bought(site, product, date(2026, 1, 10))  # ends 9 Jan 2027
    bought(site, product, date(2026, 1, 20))  # ends 19 Jan 2027
    renewal_notices_send(as_of=date(2027, 1, 10))
    quote = Quote.objects.get()
    assert [line.covers_from for line in quote.lines.all()] == [date(2027, 1, 20)]


def test_no_licences_left_no_notice(site, product):
    """Lines whose licences all left (quantity 0: transferred away) get no notice."""
    bought(site, product, date(2026, 1, 10), quantity=0)
    renewal_notices_send(as_of=date(2026, 10, 11))
    assert not Quote.objects.exists()


def test_one_anniversary_quote_per_account_manager(product):
    """N1: one quote per agreement and account manager: the direct sites and each reseller's."""
    agreement = AgreementFactory(anniversary_month=3)
    reseller = ResellerFactory()
    direct = site_with_contacts(primary="d@example.test", agreement=agreement)
    managed = site_with_contacts(primary="m@example.test", agreement=agreement, reseller=reseller)
    also_direct = site_with_contacts(primary="d2@example.test", agreement=agreement)
    for site in (direct, managed, also_direct):
        bought(site, product, date(2026, 3, 11))
    renewal_notices_send(as_of=NOTICE_DAY)
    quotes = {q.reseller_id: q for q in Quote.objects.all()}
    assert set(quotes) == {None, reseller.pk}
    assert sorted(quotes[None].lines.values_list("site_id", flat=True)) == sorted(
        [direct.pk, also_direct.pk]
    )
    assert list(quotes[reseller.pk].lines.values_list("site_id", flat=True)) == [managed.pk]


def test_recipients_are_the_primary_and_renewal_contacts(site, product):
    """N1: the primary contact and the renewal contact, one e-mail each."""
    bought(site, product, date(2026, 3, 11))
    renewal_notices_send(as_of=NOTICE_DAY)
    quote = Quote.objects.get()
    assert [e.to for e in emails()] == ["primary@example.test", "renewals@example.test"]
    assert {e.subject for e in emails()} == {
        f"Anniversary renewal quote {quote.number} for March 2027 – S&S to 31 Mar 2028"
    }


def test_a_reseller_managed_quote_waits_for_the_resellers_price(product):
    """N1, N6: a reseller's client's quote is a draft, e-mailed to the reseller's users only,
    until the reseller sets its price and sends it."""
    reseller = ResellerFactory(name="Northwind")
    UserFactory(email="rita@northwind.test", reseller=reseller)
    site = site_with_contacts(
        primary="client@example.test", agreement__anniversary_month=3, reseller=reseller
    )
    bought(site, product, date(2026, 3, 11))
    renewal_notices_send(as_of=NOTICE_DAY)
    quote = Quote.objects.get()
    assert (quote.state, quote.reseller_id) == ("draft", reseller.pk)
    sent = emails()
    assert [(e.to, e.template) for e in sent] == [
        ("rita@northwind.test", "renewals/quote_for_reseller")
    ]
    assert sent[0].subject == (
        f"Set your client's price: anniversary quote {quote.number} for "
        f"{site.customer.name}, March 2027"
    )
    assert "€520.00" not in sent[0].body_text  # one licence: 240 × 13/12 = 260
    assert "€260.00" in sent[0].body_text


def test_a_co_term_line_chosen_at_the_anniversary_gets_no_monthly_notice(site, product):
    """N1, N2, N3: the customer co-termed at the anniversary: coverage moved to A', no
    monthly notice follows for the month it used to end in."""
    bought(site, product, date(2026, 3, 11))
    coterm = bought(site, product, date(2026, 5, 10))  # ends 9 May 2027
    renewal_notices_send(as_of=NOTICE_DAY)
    quote = Quote.objects.get()
    quote_accept(
        quote_id=quote.pk,
        actor=UserFactory(),
        as_of=date(2027, 1, 5),
        now=at_noon(date(2027, 1, 5)),
        chosen_ids=set(quote.lines.filter(is_optional=True).values_list("pk", flat=True)),
    )
    coterm.refresh_from_db()
    assert coterm.coverage_end == date(2028, 3, 31)
    for day in (date(2027, 2, 8), date(2027, 4, 1)):
        renewal_notices_send(as_of=day)
    assert not Quote.objects.filter(notice="monthly").exists()


def test_a_month_offered_as_co_term_gets_its_notice_once_the_anniversary_quote_is_gone(
    site, product
):
    """N3 (seed 001 FAQ): a customer who did not co-term may renew later, before the coverage
    ends: the month's notice is held back while the anniversary quote offers the line, and
    sent once that quote expired (here: the day after its validity)."""
    bought(site, product, date(2026, 3, 11))  # due, valid until 10 Mar 2027
    bought(site, product, date(2026, 5, 10))  # ends 9 May 2027: notice day 8 Feb 2027
    renewal_notices_send(as_of=NOTICE_DAY)
    renewal_notices_send(as_of=date(2027, 2, 8))
    assert not Quote.objects.filter(notice="monthly").exists()
    quotes_expire(as_of=date(2027, 3, 11))
    renewal_notices_send(as_of=date(2027, 3, 11))
    monthly = Quote.objects.get(notice="monthly")
    assert (monthly.series_key, monthly.renews_to) == (
        f"monthly:{site.pk}:2027-05",
        date(2028, 3, 31),
    )
    renewal_notices_send(as_of=date(2027, 3, 12))
    assert Quote.objects.filter(notice="monthly").count() == 1


def test_an_entitlement_on_a_live_quote_is_not_offered_again(site, product):
    """N3: an entitlement already on a live renewal quote (asked for on request) gets no
    monthly notice while that quote is live."""
    entitlement = bought(site, product, date(2026, 1, 10))
    renewal_quote_for([entitlement], as_of=date(2026, 10, 1), valid_until=date(2026, 12, 31))
    renewal_notices_send(as_of=date(2026, 10, 11))
    assert not Quote.objects.filter(notice="monthly").exists()


def test_dry_run_reports_and_writes_nothing(site, product):
    """N10: --dry-run tells what would be issued, writes nothing."""
    bought(site, product, date(2026, 3, 11))
    summary = renewal_notices_send(as_of=NOTICE_DAY, dry_run=True)
    assert summary.counts == {"anniversary": 1, "lines": 1}
    assert summary.lines[0].startswith(
        f"would issue anniversary quote anniversary:{site.agreement_id}:direct:2027-03-31"
    )
    assert not Quote.objects.exists()
    assert not OutgoingEmail.objects.exists()
