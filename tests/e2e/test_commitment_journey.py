"""Browser journey for a three-year commitment (N8, N9): a VIP customer whose single order of
12 qualifying licences raised the level to VIP Select at once is invited by e-mail, follows
the link, is refused a commitment below 10 with a clear message, commits to 12, and finds
level 12 on the dashboard with its level-progress chart. Every page is audited (axe-core,
overflow) at 1366 px."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from renewals.models import AgreementLevel, Commitment
from renewals.services import commitment_invitations_send
from tests.e2e.helpers import field, sign_in, text_body
from tests.renewals.level_factories import (
    agreement_site,
    buy,
    ensure_default_levels,
    subscription,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def vip_customer(transactional_db):
    ensure_default_levels()
    today = timezone.localdate()
    site = agreement_site(programme="VIP", month=today.month % 12 + 1, name="Vega Studio")
    buy(site, subscription(name="Vega Creative Cloud"), 12, today)  # N8: level 2 at once
    commitment_invitations_send(as_of=today)
    return site


def test_a_vip_customer_accepts_a_three_year_commitment(page, mailbox, vip_customer):
    site = vip_customer
    primary = f"primary-{site.number}@customer.test"
    assert AgreementLevel.objects.get(agreement=site.agreement).level.code == "2"
    invitation = mailbox.wait_for(to=primary, subject="fix your prices for three years")
    link = re.search(r"https?://\S+/commitment/", text_body(invitation)).group(0)

    sign_in(page, primary)
    panel = page.get_by_test_id("level-panel")
    expect(panel).to_contain_text("Level 2 (VIP Select)")
    expect(panel.get_by_role("img")).to_be_visible()  # the level-progress chart
    page.goto(link)
    expect(page.get_by_test_id("commitment-offer")).to_be_visible()

    field(page, "Licences to commit to").fill("9")
    page.get_by_role("button", name="Accept the three-year commitment").click()
    expect(page.get_by_text("Commit to at least 10 licences.")).to_be_visible()
    assert Commitment.objects.get(agreement=site.agreement).state == "invited"

    field(page, "Licences to commit to").fill("12")
    page.get_by_role("button", name="Accept the three-year commitment").click()
    expect(page.get_by_test_id("commitment-active")).to_contain_text("12 licences")
    expect(page.get_by_test_id("commitment-level")).to_have_text("Level 12 (3-year commitment)")

    page.get_by_role("link", name="Back to your sites").click()
    expect(page.get_by_test_id("level-code")).to_have_text("Level 12 (3-year commitment)")
    expect(page.get_by_test_id("level-panel")).to_contain_text("Three-year commitment: 12")
