"""The level pages (N7, N8, N9): the dashboard's level panel for customers — points so far
and points to the next band (PA), the VIP live projection ("3 more licences before … reach
level 2"), an inline SVG level-progress chart — and the commitment page's refusals. Query
counts do not grow with the orders counted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from renewals.pricing import next_anniversary, reconciliation_day
from tests.accounts.factories import ContactFactory, UserFactory
from tests.licensing.factories import ProductFactory
from tests.renewals.level_factories import agreement_site, buy, invited, level_set, subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


def _signed_in(client, site):
    client.force_login(site.contacts.get(is_primary=True).user)
    return client


def test_a_vip_customer_sees_how_many_more_licences_reach_the_next_level_by_when(client, today):
    month = (today.month + 2) % 12 + 1  # the reconciliation day is still ahead
    site = agreement_site(programme="VIP", month=month)
    buy(site, subscription(), 7, today)
    response = _signed_in(client, site).get(reverse("dashboard"))
    (panel,) = response.context["level_panels"]
    deadline = reconciliation_day(next_anniversary(today, month))
    assert (panel["summary"].to_next, panel["summary"].deadline) == (3, deadline)
    page = response.content.decode()
    assert "3 more licences before" in page
    assert 'role="img"' in page
    assert "<title" in page  # the chart's accessible name


def test_a_pa_customer_sees_points_so_far_and_points_to_the_next_band(client, today):
    site = agreement_site(programme="PA", month=today.month)
    buy(site, ProductFactory(points_per_unit=150), 2, today)  # 300 points
    response = _signed_in(client, site).get(reverse("dashboard"))
    summary = response.context["level_panels"][0]["summary"]
    assert (summary.value, summary.to_next, summary.next_level.code) == (300, 200, "D")
    assert "200 more points by" in response.content.decode()


def test_technical_contacts_see_no_levels(client, today):
    site = agreement_site(programme="VIP", month=today.month)
    stc = UserFactory()
    ContactFactory(site=site, user=stc, stc_role="primary", site_number_confirmed_at=timezone.now())
    client.force_login(stc)
    assert client.get(reverse("dashboard")).context["level_panels"] == []


def test_the_dashboards_level_panel_costs_the_same_queries_whatever_the_orders(client, today):
    def queries_for(orders: int) -> int:
        site = agreement_site(programme="VIP", month=today.month)
        level_set(site, "2", since=today - timedelta(days=10), vip_select=True)
        product = subscription()
        for _ in range(orders):
            buy(site, product, 1, today)
        client.force_login(site.contacts.get(is_primary=True).user)
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("dashboard"))
        return len(captured.captured_queries)

    assert queries_for(2) == queries_for(25)


def test_the_commitment_page_refuses_less_than_the_licences_held(client, today):
    site = agreement_site(programme="VIP", month=today.month % 12 + 1)
    buy(site, subscription(), 15, today)  # level 2 at once
    invited(site, today)
    url = reverse("renewals:commitment_accept", args=[site.agreement.number])
    response = _signed_in(client, site).post(url, {"quantity": "12"})
    assert response.status_code == 200
    assert "You hold 15 qualifying licences now: commit to at least 15." in (
        response.content.decode()
    )


def test_the_commitment_page_says_when_there_is_no_offer(client, today):
    site = agreement_site(programme="VIP", month=today.month)
    url = reverse("renewals:commitment_accept", args=[site.agreement.number])
    page = _signed_in(client, site).get(url).content.decode()
    assert "There is no three-year commitment offer for this agreement yet." in page
