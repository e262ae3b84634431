"""ACCEPTANCE (N1, N3, N4, N5, N10; seed 001 FAQ): the renewal jobs driven day by day through a
simulated year with `--as-of`, as beat would run them, asserting the exact e-mails sent —
recipients, subjects, lines, totals.

The world: a PA agreement with its anniversary in March (A = 31 Mar 2027, notice day
31 Dec 2026) and two sites — Warsaw, bought direct, and Gdańsk, managed by the reseller
Northwind. Purchases made during the year are written on their day, after that day's jobs.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from portal.core.models import JobRun, OutgoingEmail
from renewals import notices
from renewals.models import Quote
from tests.accounts.factories import AgreementFactory, ResellerFactory, UserFactory
from tests.licensing.factories import ProductFactory
from tests.renewals.notice_world import bought, run, run_day, site_with_contacts

pytestmark = pytest.mark.django_db

START, END = date(2026, 10, 1), date(2027, 9, 30)
CUSTOMER = ["primary@warsaw.test", "renewals@warsaw.test"]


@pytest.fixture
def world():
    agreement = AgreementFactory(anniversary_month=3, number="PA-2026")
    northwind = ResellerFactory(name="Northwind")
    UserFactory(email="rita@northwind.test", reseller=northwind)
    warsaw = site_with_contacts(
        primary=CUSTOMER[0],
        renewal=CUSTOMER[1],
        agreement=agreement,
        number="1000001",
        name="Warsaw",
    )
    gdansk = site_with_contacts(
        primary="primary@gdansk.test",
        agreement=agreement,
        reseller=northwind,
        number="1000003",
        name="Gdansk",
    )
    atlas = ProductFactory(name="Atlas", part_number="ATL-1", annual_ss_price=Decimal("240.00"))
    beacon = ProductFactory(name="Beacon", part_number="BCN-1", annual_ss_price=Decimal("120.00"))
    # Bought last year, before the simulation starts.
    bought(warsaw, atlas, date(2026, 3, 11), quantity=2)  # ends 10 Mar 2027: due at A
    for day in (10, 12, 20):  # the FAQ's three purchases in one month: ends 9/11/19 Jan 2027
        bought(warsaw, beacon, date(2026, 1, day))
    bought(warsaw, atlas, date(2026, 6, 15))  # ends 14 Jun 2027: co-term at A
    bought(gdansk, beacon, date(2026, 2, 20), quantity=4)  # ends 19 Feb 2027: Northwind's
    bought(gdansk, atlas, date(2026, 3, 25))  # ends 24 Mar 2027: Northwind's anniversary
    # Purchases during the simulated year, made on their day (after the day's jobs).
    purchases = {
        date(2027, 1, 15): lambda: bought(warsaw, beacon, date(2027, 1, 15)),  # → revision
        date(2027, 3, 5): lambda: bought(warsaw, beacon, date(2027, 3, 5)),  # anniv. month
    }
    return {"warsaw": warsaw, "gdansk": gdansk, "purchases": purchases}


def simulate(world, *, twice: bool = True) -> dict[date, list[OutgoingEmail]]:
    """Run every day's jobs; on a day that wrote e-mails, run them again and check that
    the second run sends nothing."""
    sent: dict[date, list[OutgoingEmail]] = {}
    day = START
    while day <= END:
        before = OutgoingEmail.objects.count()
        run_day(day)
        after = OutgoingEmail.objects.count()
        if after != before:
            sent[day] = list(OutgoingEmail.objects.order_by("pk")[before:])
            if twice:
                quotes = Quote.objects.count()
                run_day(day)
                assert (OutgoingEmail.objects.count(), Quote.objects.count()) == (after, quotes)
        if day in world["purchases"]:
            world["purchases"][day]()
        day += timedelta(days=1)
    return sent


def _by_quote(emails: list[OutgoingEmail]) -> list[tuple[str, str]]:
    return sorted((e.to, e.subject) for e in emails)


def test_a_simulated_year_sends_exactly_these_emails(world):
    """The whole year: which days send what to whom."""
    sent = simulate(world)
    quotes = {q.number: q for q in Quote.objects.all()}
    january = Quote.objects.get(series_key=f"monthly:{world['warsaw'].pk}:2027-01")
    february = Quote.objects.get(series_key=f"monthly:{world['gdansk'].pk}:2027-02")
    anniversary = Quote.objects.get(notice="anniversary", revision=0, reseller=None)
    nw_anniversary = Quote.objects.get(notice="anniversary", revision=0, reseller__isnull=False)
    revised = Quote.objects.get(notice="anniversary", revision=1)
    june = Quote.objects.get(series_key=f"monthly:{world['warsaw'].pk}:2027-06")
    assert len(quotes) == 6
    assert sorted(sent) == [
        date(2026, 10, 11),  # N3: 9 Jan 2027 − 90 days, the three January purchases
        date(2026, 11, 21),  # N3: 19 Feb 2027 − 90 days, Gdańsk (Northwind's draft)
        date(2026, 12, 31),  # N1: the anniversary quotes, 90 days before 31 Mar 2027
        date(2027, 1, 16),  # N4: the purchase of 15 Jan → one revised quote
        date(2027, 3, 16),  # N3: June's notice, 14 Jun − 90 days (the anniversary quote
        # offering the line expired on 11 Mar, so it is no longer held back)
    ]
    assert _by_quote(sent[date(2026, 10, 11)]) == [
        (
            to,
            (
                f"Renewal notice {january.number}: S&S ending in January 2027 at site 1000001"
                " – S&S to 31 Mar 2027"
            ),
        )
        for to in CUSTOMER
    ]
    assert _by_quote(sent[date(2026, 11, 21)]) == [
        (
            "rita@northwind.test",
            (
                f"Set your client's price: renewal notice {february.number} for site 1000003,"
                " S&S ending in February 2027"
            ),
        )
    ]
    assert _by_quote(sent[date(2026, 12, 31)]) == sorted(
        [
            (
                "rita@northwind.test",
                (
                    f"Set your client's price: anniversary quote {nw_anniversary.number} for "
                    f"{world['warsaw'].customer.name}, March 2027"
                ),
            ),
            *[
                (
                    to,
                    (
                        f"Anniversary renewal quote {anniversary.number} for March 2027"
                        " – S&S to 31 Mar 2028"
                    ),
                )
                for to in CUSTOMER
            ],
        ]
    )
    assert _by_quote(sent[date(2027, 1, 16)]) == [
        (
            to,
            (
                f"Revised anniversary renewal quote {revised.number} for March 2027 (revision 1)"
                " – S&S to 31 Mar 2028"
            ),
        )
        for to in CUSTOMER
    ]
    assert _by_quote(sent[date(2027, 3, 16)]) == [
        (
            to,
            (
                f"Renewal notice {june.number}: S&S ending in June 2027 at site 1000001"
                " – S&S to 31 Mar 2028"
            ),
        )
        for to in CUSTOMER
    ]
    # N4 (seed 001 FAQ): the purchase of 5 Mar 2027, in the anniversary month, is revised
    # into no quote and gets no monthly notice (it ends in March 2028, next year's).
    march = world["warsaw"].entitlements.get(purchased_on=date(2027, 3, 5))
    assert not march.quote_lines.exists()


def _lines(email: OutgoingEmail) -> list[str]:
    return [line for line in email.body_text.splitlines() if line.startswith(("- ", "Total"))]


def test_the_emails_list_the_lines_by_site_with_periods_months_and_totals(world):
    """N1/N3: lines with their coverage period, months and amounts; co-term lines marked;
    the total counts the due lines."""
    sent = simulate(world, twice=False)
    january = next(e for e in sent[date(2026, 10, 11)] if e.to == CUSTOMER[0])
    assert _lines(january) == [
        "- 1 × Beacon, 10 Jan 2027 – 31 Mar 2027 (3 months): €30.00",
        "- 1 × Beacon, 12 Jan 2027 – 31 Mar 2027 (3 months): €30.00",
        "- 1 × Beacon, 20 Jan 2027 – 31 Mar 2027 (3 months): €30.00",
        "Total: €90.00",
    ]
    anniversary = next(e for e in sent[date(2026, 12, 31)] if e.to == CUSTOMER[0])
    assert "Site 1000001 Warsaw" in anniversary.body_text
    assert "Valid until 10 Mar 2027." in anniversary.body_text
    assert _lines(anniversary) == [
        "- 2 × Atlas, 11 Mar 2027 – 31 Mar 2028 (13 months): €520.00",
        "- 1 × Atlas, 15 Jun 2027 – 31 Mar 2028 (10 months): €200.00 [optional co-term line]",
        "Total: €520.00",
    ]
    revised = next(e for e in sent[date(2027, 1, 16)] if e.to == CUSTOMER[0])
    assert "replaces the previous anniversary quote" in revised.body_text
    assert _lines(revised) == [
        "- 2 × Atlas, 11 Mar 2027 – 31 Mar 2028 (13 months): €520.00",
        "- 1 × Atlas, 15 Jun 2027 – 31 Mar 2028 (10 months): €200.00 [optional co-term line]",
        "- 1 × Beacon, 15 Jan 2028 – 31 Mar 2028 (3 months): €30.00 [optional co-term line]",
        "Total: €520.00",
    ]
    northwind = next(e for e in sent[date(2026, 11, 21)])
    assert _lines(northwind) == [
        "- 4 × Beacon, 20 Feb 2027 – 31 Mar 2027 (2 months): €80.00",
    ]
    assert "Vendor total: €80.00" in northwind.body_text


def test_a_job_killed_midway_and_run_again_loses_and_doubles_nothing(world, monkeypatch):
    """N10: the run dies after the first quote (each quote and its e-mails are one
    transaction); the run again issues the rest, none twice."""
    for day in (date(2026, 10, 12), date(2026, 10, 14)):  # two more January groups
        site = site_with_contacts(
            primary=f"p{day.day}@example.test", agreement=world["warsaw"].agreement
        )
        bought(site, ProductFactory(), day.replace(year=2026, month=1))
    real = notices.quote_issue
    issued = []

    def dies_after_the_first(**kwargs):
        if issued:
            raise RuntimeError("killed")
        issued.append(real(**kwargs))
        return issued[-1]

    monkeypatch.setattr(notices, "quote_issue", dies_after_the_first)
    with pytest.raises(RuntimeError, match="killed"):
        run("send_renewal_notices", date(2026, 10, 20))
    assert Quote.objects.count() == 1
    assert JobRun.objects.get(job="renewal_notices_send").outcome == JobRun.Outcome.FAILED
    monkeypatch.setattr(notices, "quote_issue", real)
    run("send_renewal_notices", date(2026, 10, 20))
    run("send_renewal_notices", date(2026, 10, 20))
    keys = list(Quote.objects.values_list("series_key", flat=True))
    assert len(keys) == len(set(keys)) == 3
    assert OutgoingEmail.objects.count() == 2 + 1 + 1  # Warsaw's two contacts, one each
