"""Browser sign-in: password for customers, required authenticator app for resellers (A6)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.accounts.factories import (
    TEST_PASSWORD,
    ContactFactory,
    ResellerFactory,
    SiteFactory,
    UserFactory,
)
from tests.e2e.helpers import field, sign_in, totp_code

pytestmark = pytest.mark.e2e


def test_primary_contact_signs_in_and_sees_dashboard(page):
    site = SiteFactory(number="4567890", name="Echo Office", agreement__customer__name="Echo")
    SiteFactory(number="4567891", name="Someone Else's Site")
    user = UserFactory(email="eve@echo.test")
    ContactFactory(
        site=site,
        user=user,
        email=user.email,
        is_primary=True,
        site_number_confirmed_at=timezone.now(),
    )

    sign_in(page, "eve@echo.test")

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Your sites")).to_be_visible()
    expect(page.get_by_role("link", name="4567890")).to_be_visible()
    expect(page.get_by_text("Someone Else's Site")).to_have_count(0)


def test_reseller_without_authenticator_must_set_one_up(page):
    UserFactory(email="ray@partner.test", reseller=ResellerFactory(name="Ray's Resale"))

    sign_in(page, "ray@partner.test")

    # A6: no site page until an authenticator app is set up. allauth asks for the password
    # once more before adding an authenticator.
    expect(page.get_by_role("alert").filter(has_text="needs two-factor")).to_be_visible()
    expect(page.get_by_role("heading", name="Confirm Access")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/\?next="))
    field(page, "Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()
    secret = page.get_by_label("Authenticator secret").input_value()
    field(page, "Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()

    page.goto("/")
    expect(page.get_by_role("heading", name="Client sites of Ray's Resale")).to_be_visible()
