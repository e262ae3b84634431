"""A site's contact pages on a phone (review #7 item 22, the contacts page): at 390 px nothing
overflows the viewport; the table scrolls inside its card (the page audit measures every page
loaded, tests/e2e/audit.py). The culprit was the visually hidden "Actions" header: absolutely
positioned, it escaped the table's scroll container and widened the page to 645 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Contact, Invitation
from tests.accounts.factories import ContactFactory, SiteFactory, UserFactory
from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.e2e


def test_the_contacts_page_fits_a_phone(new_context):
    site = SiteFactory(number="4567890", name="Epsilon Logistics and Warehousing")
    primary = UserFactory(email="paula.primary-contact@epsilon-logistics.test")
    ContactFactory(
        site=site,
        name="Paula Primary",
        email=primary.email,
        user=primary,
        is_primary=True,
        site_number_confirmed_at=timezone.now(),
    )
    ContactFactory(
        site=site,
        name="Bartholomew Longname-Billing",
        email="bartholomew.longname-billing@epsilon-logistics.test",
        phone="+48 600 000 000",
        is_site_admin=True,
        stc_role=Contact.STCRole.SECONDARY,
        is_billing_contact=True,
        is_renewal_contact=True,
    )
    invited = ContactFactory(
        site=site,
        name="Ivo Invited",
        email="ivo.invited-caller-with-a-long-address@epsilon-logistics.test",
        is_authorized_caller=True,
    )
    Invitation.objects.create(
        contact=invited,
        kind=Invitation.Kind.INVITATION,
        email=invited.email,
        invited_by=primary,
        expires_at=timezone.now() + timedelta(days=7),
    )

    page = new_context(width=390, height=844).new_page()
    sign_in(page, primary.email)
    page.goto(f"/sites/{site.number}/contacts/")

    expect(page.get_by_role("heading", name="Contacts", exact=True)).to_be_visible()
    expect(page.get_by_text("bartholomew.longname-billing@epsilon-logistics.test")).to_be_attached()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width

    # The other tables of the site's people pages scroll inside their cards too.
    for path, heading in (
        ("users/", "Users"),
        ("callers/", "Authorized technical callers"),
    ):
        page.goto(f"/sites/{site.number}/{path}")
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
