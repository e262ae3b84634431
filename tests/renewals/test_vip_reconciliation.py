"""N8: VIP levels by the count of qualifying licences. A single order of 10+ raises the level
at once (licensing.signals.order_placed); the reconciliation 31 days before the anniversary
sums the qualifying licences bought in the current subscription year, sets the level for the
next renewal, keeps VIP Select once reached, and e-mails the customer and the account
manager the old and new level — once, however often the job runs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from licensing.models import Order, OrderLine
from licensing.services import LineRequest, order_place
from portal.core.models import OutgoingEmail
from renewals.models import AgreementLevel, LevelChange
from renewals.services import vip_reconcile
from tests.accounts.factories import ResellerFactory, UserFactory
from tests.renewals.level_factories import agreement_site, buy, consumable, level_set, subscription

pytestmark = pytest.mark.django_db

ANNIVERSARY = date(2026, 5, 31)
RECONCILIATION = date(2026, 4, 30)  # 31 days before


@pytest.fixture
def reseller():
    reseller = ResellerFactory(name="Partner One")
    UserFactory(email="am@partner.test", reseller=reseller)
    return reseller


@pytest.fixture
def site(reseller):
    return agreement_site(programme="VIP", month=5, reseller=reseller)


@pytest.fixture
def product():
    return subscription()


def _state(site) -> AgreementLevel:
    return AgreementLevel.objects.get(agreement=site.agreement)


def test_the_reconciliation_sums_the_years_qualifying_licences_and_sets_the_level(site, product):
    buy(site, product, 6, date(2025, 6, 1))
    buy(site, product, 5, date(2026, 4, 30))  # the reconciliation day itself counts
    buy(site, consumable(), 50, date(2026, 1, 10))  # consumables never count
    buy(site, product, 7, date(2025, 5, 31))  # last subscription year
    vip_reconcile(as_of=RECONCILIATION)
    state = _state(site)
    assert (state.level.code, state.vip_select_since) == ("2", RECONCILIATION)
    change = LevelChange.objects.get(agreement=site.agreement)
    assert (change.key, change.count, change.old_code, change.new_code) == (
        f"reconciliation:{site.agreement_id}:2026-05-31",
        11,
        "1",
        "2",
    )


def test_the_customer_and_the_account_manager_are_emailed_the_old_and_new_level(site, product):
    buy(site, product, 6, date(2025, 6, 1))
    buy(site, product, 5, date(2025, 12, 1))
    vip_reconcile(as_of=RECONCILIATION)
    emails = OutgoingEmail.objects.filter(key__startswith="reconciliation:")
    assert sorted(email.to for email in emails) == sorted(
        [
            f"primary-{site.number}@customer.test",
            f"renewals-{site.number}@customer.test",
            "am@partner.test",
        ]
    )
    body = emails.first().body_text
    assert "Level 1" in body
    assert "Level 2 (VIP Select)" in body
    assert ": 11." in body


def test_nothing_is_reconciled_before_the_reconciliation_day(site, product):
    buy(site, product, 12, date(2025, 6, 1))
    LevelChange.objects.all().delete()  # the order's own raise is another rule
    assert vip_reconcile(as_of=date(2026, 4, 29)).counts == {}
    assert not LevelChange.objects.filter(reason=LevelChange.Reason.RECONCILIATION).exists()


def test_a_job_run_twice_or_late_reconciles_once_and_sends_nothing_more(site, product):
    buy(site, product, 3, date(2025, 6, 1))
    vip_reconcile(as_of=RECONCILIATION)
    sent = OutgoingEmail.objects.count()
    assert vip_reconcile(as_of=RECONCILIATION).counts == {}
    assert vip_reconcile(as_of=date(2026, 5, 10)).counts == {}
    assert OutgoingEmail.objects.count() == sent
    assert LevelChange.objects.filter(reason=LevelChange.Reason.RECONCILIATION).count() == 1


def test_a_missed_reconciliation_day_is_caught_up_counting_through_that_day(site, product):
    buy(site, product, 10, date(2026, 4, 30))
    buy(site, product, 40, date(2026, 5, 5))  # after the reconciliation day: next year
    LevelChange.objects.all().delete()
    vip_reconcile(as_of=date(2026, 5, 10))
    assert LevelChange.objects.get(reason=LevelChange.Reason.RECONCILIATION).count == 10


def test_vip_select_once_reached_is_kept_for_a_later_renewal_of_any_size(site, product):
    level_set(site, "3", since=date(2025, 5, 1), vip_select=True)
    buy(site, product, 3, date(2025, 9, 1))
    vip_reconcile(as_of=RECONCILIATION)
    assert _state(site).level.code == "2"  # below 50: not 3 any more, but never below 2


def test_without_vip_select_a_small_year_stays_at_level_one(site, product):
    buy(site, product, 9, date(2025, 9, 1))
    vip_reconcile(as_of=RECONCILIATION)
    state = _state(site)
    assert (state.level.code, state.vip_select_since) == ("1", None)


def test_a_single_order_of_ten_qualifying_licences_raises_the_level_at_once(site, product):
    order = buy(site, product, 12, date(2025, 9, 1))
    state = _state(site)
    assert (state.level.code, state.vip_select_since) == ("2", date(2025, 9, 1))
    change = LevelChange.objects.get(key=f"order:{order.pk}")
    assert (change.reason, change.count) == (LevelChange.Reason.ORDER, 12)
    # The order that raises the level is priced at it: level 2, 6 % off (a subscription
    # bought 1 September runs to 31 May: 9 started months of 1,200 a year).
    assert OrderLine.objects.get(order=order).unit_price == Decimal("846.00")


def test_an_order_of_nine_licences_and_consumables_raises_nothing(site, product):
    buy(site, product, 9, date(2025, 9, 1))
    order_place(
        site=site,
        ordered_on=date(2025, 9, 2),
        lines=[
            LineRequest(product=product, quantity=9),
            LineRequest(product=consumable(), quantity=20),
        ],
        actor=None,
        source=Order.Source.ADMIN,
        as_of=date(2025, 9, 2),
    )
    assert not AgreementLevel.objects.filter(agreement=site.agreement).exists()


def test_an_order_of_fifty_lifts_level_two_to_three(site, product):
    level_set(site, "2", since=date(2025, 6, 1), vip_select=True)
    buy(site, product, 50, date(2025, 9, 1))
    assert _state(site).level.code == "3"


def test_the_reconciliation_counts_every_due_agreement_in_one_grouped_query(product, reseller):
    """N10: set-based; the count query does not grow with the agreements (the writes are
    bulk, per chunk; the e-mails are one insert each)."""
    sites = [agreement_site(programme="VIP", month=5, reseller=reseller) for _ in range(6)]
    for site in sites:
        buy(site, product, 4, date(2025, 9, 1))
    with CaptureQueriesContext(connection) as captured:
        vip_reconcile(as_of=RECONCILIATION)
    sums = [q["sql"] for q in captured.captured_queries if "SUM(" in q["sql"].upper()]
    assert len(sums) == 1
