"""N7: PA points of every site of the enterprise in the agreement year set next year's level
(the roll after each anniversary, once); an order whose own points reach a higher band than
the current level is priced at that band (licensing.pricing_hooks, registered by renewals);
PAE has no points and one fixed level."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from licensing.models import OrderLine
from licensing.services import LineRequest
from licensing.services.orders import order_preview
from renewals.models import AgreementLevel, LevelChange
from renewals.services import levels_roll
from tests.accounts.factories import SiteFactory, UserFactory, with_totp
from tests.licensing.factories import ProductFactory
from tests.renewals.level_factories import agreement_site, buy, level_set

pytestmark = pytest.mark.django_db

ANNIVERSARY = date(2026, 3, 31)
DAY_AFTER = date(2026, 4, 1)


@pytest.fixture
def enterprise():
    """A PA agreement (anniversary March) with two sites, and a product of 100 points."""
    site = agreement_site(programme="PA", month=3)
    second = SiteFactory(agreement=site.agreement, customer=site.customer)
    product = ProductFactory(points_per_unit=100, list_price=Decimal("1000.00"))
    return site, second, product


def _level(site) -> str:
    return AgreementLevel.objects.get(agreement=site.agreement).level.code


def test_points_of_every_site_in_the_year_set_next_years_level(enterprise):
    site, second, product = enterprise
    buy(site, product, 3, date(2025, 6, 1))
    buy(second, product, 3, date(2026, 3, 31))  # the anniversary is the year's last day
    summary = levels_roll(as_of=DAY_AFTER)
    assert _level(site) == "D"  # 600 points: D is 500–1,999
    change = LevelChange.objects.get(agreement=site.agreement)
    assert (change.key, change.reason, change.count, change.old_code, change.new_code) == (
        f"points-year:{site.agreement_id}:2026-03-31",
        LevelChange.Reason.POINTS_YEAR,
        600,
        "BL",
        "D",
    )
    assert summary.counts["levels changed"] == 1


def test_points_from_before_the_agreement_year_do_not_count(enterprise):
    site, _second, product = enterprise
    buy(site, product, 5, date(2025, 3, 31))  # last year's anniversary: last year's points
    buy(site, product, 4, date(2025, 4, 1))
    levels_roll(as_of=DAY_AFTER)
    assert _level(site) == "BL"
    assert LevelChange.objects.get(agreement=site.agreement).count == 400


def test_the_roll_runs_once_per_year_however_often_the_job_runs(enterprise):
    site, _second, product = enterprise
    buy(site, product, 6, date(2025, 9, 1))
    levels_roll(as_of=DAY_AFTER)
    again = levels_roll(as_of=DAY_AFTER)
    later = levels_roll(as_of=date(2026, 4, 20))
    assert LevelChange.objects.filter(agreement=site.agreement).count() == 1
    assert again.counts == {}
    assert later.counts == {}


def test_a_year_of_few_points_lowers_the_level(enterprise):
    site, _second, product = enterprise
    level_set(site, "E", since=date(2025, 4, 1))
    buy(site, product, 1, date(2025, 9, 1))
    levels_roll(as_of=DAY_AFTER)
    assert _level(site) == "BL"


def test_a_dry_run_writes_nothing(enterprise):
    site, _second, product = enterprise
    buy(site, product, 6, date(2025, 9, 1))
    summary = levels_roll(as_of=DAY_AFTER, dry_run=True)
    assert summary.counts["levels changed"] == 1
    assert not LevelChange.objects.exists()


def test_the_management_command_runs_the_roll_for_a_day(enterprise, capsys):
    """N10: --as-of back-fills a day."""
    site, _second, product = enterprise
    buy(site, product, 25, date(2025, 9, 1))
    call_command("reconcile_vip_levels", "--as-of", "2026-04-01")
    assert _level(site) == "E"  # 2,500 points
    assert "vip_reconciliation as of 2026-04-01" in capsys.readouterr().out


def test_an_order_whose_own_points_reach_a_higher_band_is_priced_at_that_band(enterprise):
    site, _second, product = enterprise
    preview = order_preview(
        site=site, ordered_on=date(2025, 9, 1), lines=[LineRequest(product=product, quantity=6)]
    )
    assert preview.lines[0].unit_price == Decimal("970.00")  # D: 3 % off
    assert "600 points" in preview.discount.label
    order = buy(site, product, 6, date(2025, 9, 1))
    assert OrderLine.objects.get(order=order).unit_price == Decimal("970.00")


def test_a_small_order_is_priced_at_the_agreements_level(enterprise):
    site, _second, product = enterprise
    level_set(site, "E", since=date(2025, 4, 1))
    order = buy(site, product, 1, date(2025, 9, 1))
    assert OrderLine.objects.get(order=order).unit_price == Decimal("940.00")  # E: 6 % off


def test_an_order_level_prices_the_order_without_changing_the_agreements_level(enterprise):
    site, _second, product = enterprise
    buy(site, product, 30, date(2025, 9, 1))  # 3,000 points: E for this order
    assert not AgreementLevel.objects.filter(agreement=site.agreement).exists()


def test_a_price_given_on_the_line_is_never_discounted(enterprise):
    site, _second, product = enterprise
    preview = order_preview(
        site=site,
        ordered_on=date(2025, 9, 1),
        lines=[LineRequest(product=product, quantity=6, unit_price=Decimal("800"))],
    )
    assert preview.lines[0].unit_price == Decimal("800.00")


def test_pae_has_no_points_and_its_one_level(enterprise):
    _site, _second, product = enterprise
    express = agreement_site(programme="PAE", month=3)
    order = buy(express, product, 30, date(2025, 9, 1))
    assert OrderLine.objects.get(order=order).unit_price == Decimal("1000.00")
    levels_roll(as_of=DAY_AFTER)
    assert not LevelChange.objects.filter(agreement=express.agreement).exists()


def test_the_review_step_shows_the_level_the_order_is_priced_at(client, enterprise):
    """The hook's label is shown where the order is reviewed (templates/licensing)."""
    site, _second, product = enterprise
    staff = with_totp(UserFactory(is_staff=True))
    client.force_login(staff)
    response = client.post(
        reverse("licensing:order_create", args=[site.number]),
        {
            "action": "review",
            "ordered_on": date.today().isoformat(),  # noqa: DTZ011
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-product": str(product.pk),
            "lines-0-quantity": "6",
        },
    )
    assert response.status_code == 200
    assert 'data-testid="order-discount"' in response.content.decode()
