"""Browser journeys for enrolment and first sign-in (SPEC A5, A6; STYLE: browser tests).

Each test drives Chromium against the live server: sign in, look, act. The welcome and
invitation e-mails are read from the files Django's file backend writes, and their links are
opened in fresh browser contexts, as the recipient would.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.accounts.factories import (
    ContactFactory,
    ResellerFactory,
    SiteFactory,
    UserFactory,
    with_totp,
)
from tests.e2e.helpers import field, invitation_link, sign_in, text_body

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Quiet-meadow-lantern-42"


def set_password(page: Page, *, first: str, last: str) -> None:
    """A5: the form behind a welcome or invitation link: names and a new password."""
    field(page, "First name").fill(first)
    field(page, "Last name").fill(last)
    field(page, "Password").fill(NEW_PASSWORD)
    field(page, "Password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()


def expect_message(page: Page, text: str) -> None:
    """A flash message (Django messages render as role="alert")."""
    expect(page.get_by_role("alert").filter(has_text=text)).to_be_visible()


def expect_link_used(page: Page, link: str) -> None:
    """A5: the link is single-use."""
    response = page.goto(link)
    assert response is not None
    assert response.status == 410
    expect(page.get_by_role("heading", name="This link cannot be used")).to_be_visible()
    expect(page.get_by_text("This link has already been used")).to_be_visible()


def test_reseller_enrols_site_and_primary_contact_onboards(new_context, mailbox, live_server):
    reseller = ResellerFactory(name="Partner Systems")
    with_totp(UserFactory(email="rita@partner.test", reseller=reseller))

    # The reseller signs in with password and authenticator code (A6) and enrols a site.
    reseller_page = new_context().new_page()
    sign_in(reseller_page, "rita@partner.test", totp=True)
    expect(
        reseller_page.get_by_role("heading", name="Client sites of Partner Systems")
    ).to_be_visible()
    reseller_page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Enrol a site"
    ).click()
    expect(reseller_page.get_by_role("heading", name="Enrol a client site")).to_be_visible()
    field(reseller_page, "New customer's name").fill("Gamma Foods")
    field(reseller_page, "Programme").select_option("PAE")
    field(reseller_page, "Agreement number").fill("PAE-100200")
    field(reseller_page, "Anniversary month").select_option(label="June")
    field(reseller_page, "Site number").fill("2345678")
    field(reseller_page, "Site name").fill("Gamma Plant")
    field(reseller_page, "Address").fill("5 Mill Road")
    field(reseller_page, "City").fill("Kraków")
    field(reseller_page, "Postcode").fill("30-001")
    field(reseller_page, "Country").select_option(label="Poland")
    field(reseller_page, "Language").select_option(label="English")
    field(reseller_page, "Primary contact's name").fill("Greta Gamma")
    field(reseller_page, "Primary contact's e-mail").fill("greta@gamma.test")
    reseller_page.get_by_role("button", name="Enrol site and send welcome e-mail").click()
    expect_message(
        reseller_page, "Site 2345678 is enrolled. greta@gamma.test will receive the welcome e-mail."
    )
    expect(reseller_page.get_by_role("heading", name="Gamma Plant")).to_be_visible()

    first_welcome = mailbox.wait_for(
        to="greta@gamma.test", subject="Welcome to Entitle: site 2345678"
    )
    first_link = invitation_link(first_welcome, live_server.url)

    # Review #7 items 12, 19: the client page shows the site waiting for its primary contact;
    # the reseller re-sends the welcome, after a confirmation, and the first link says so.
    menu = reseller_page.get_by_role("navigation", name="Main navigation")
    expect(menu.get_by_role("link", name="Client sites")).to_have_count(0)
    menu.get_by_role("link", name="Clients", exact=True).click()
    reseller_page.get_by_role("link", name="Gamma Foods").click()
    row = reseller_page.get_by_role("row", name=re.compile("2345678"))
    expect(row).to_contain_text("not yet accepted")
    expect(row).to_contain_text("Greta Gamma")
    row.get_by_role("link", name="Resend the welcome e-mail").click()
    expect(reseller_page.get_by_text("The link sent earlier will stop working.")).to_be_visible()
    reseller_page.get_by_role("button", name="Resend the welcome e-mail").click()
    expect_message(reseller_page, "A new welcome e-mail is on its way to greta@gamma.test")
    old_link_page = new_context().new_page()
    old_link_page.goto(first_link)
    expect(
        old_link_page.get_by_text("This link was replaced by a newer one sent on")
    ).to_be_visible()

    # The primary contact opens the newest welcome e-mail's link in their own browser.
    welcome = mailbox.wait_for(to="greta@gamma.test", subject="Welcome to Entitle: site 2345678")
    assert welcome["Message-ID"] != first_welcome["Message-ID"]
    assert "2345678" in text_body(welcome)
    assert "Set your password" in text_body(welcome)
    welcome_link = invitation_link(welcome, live_server.url)
    assert welcome_link != first_link
    greta = new_context().new_page()
    greta.goto(welcome_link)
    expect(greta.get_by_role("heading", name="Welcome to Entitle for Gamma Foods")).to_be_visible()
    set_password(greta, first="Greta", last="Gamma")

    # First sign-in: confirm the site number; a wrong number is refused.
    expect(greta.get_by_role("heading", name="Confirm your site number")).to_be_visible()
    field(greta, "Site number").fill("1111111")
    greta.get_by_role("button", name="Confirm site number").click()
    expect(greta.get_by_text("That is not the number of this site.")).to_be_visible()
    field(greta, "Site number").fill("2345678")
    greta.get_by_role("button", name="Confirm site number").click()
    expect_message(greta, "Site 2345678 is confirmed.")
    expect(greta.get_by_role("heading", name="Gamma Plant")).to_be_visible()
    expect(greta).to_have_url(re.compile(r"/sites/2345678/$"))

    # She invites a site administrator.
    greta.get_by_role("link", name="Users & invitations").click()
    greta.get_by_role("link", name="Invite a user").click()
    field(greta, "Name").fill("Adam Admin")
    field(greta, "E-mail address").fill("adam@gamma.test")
    greta.get_by_role("radio", name=re.compile("^Site administrator")).check()
    greta.get_by_role("button", name="Send invitation").click()
    expect_message(greta, "An invitation was sent to adam@gamma.test.")
    pending = greta.get_by_role("table", name="Invitations not yet accepted")
    expect(pending.get_by_role("row", name=re.compile("adam@gamma.test"))).to_be_visible()
    mailbox.wait_for(to="adam@gamma.test", subject="You are invited to Entitle: site 2345678")

    # She adds a primary site technical contact and invites him to the portal.
    greta.get_by_role("link", name="Contacts", exact=True).click()
    greta.get_by_role("link", name="Add a contact").click()
    field(greta, "Name").fill("Tom Tech")
    field(greta, "E-mail address").fill("tom@gamma.test")
    field(greta, "Site technical contact").select_option(label="Primary site technical contact")
    field(greta, "Invite this person to the portal").check()
    greta.get_by_role("button", name="Save").click()
    expect_message(greta, "Tom Tech was added.")
    expect_message(greta, "An invitation was sent to tom@gamma.test.")
    expect(greta.get_by_role("row", name=re.compile("tom@gamma.test"))).to_contain_text(
        "Primary STC"
    )

    # The STC accepts his invitation, sets a password and names an authorized caller (A3).
    invitation = mailbox.wait_for(
        to="tom@gamma.test", subject="You are invited to Entitle: site 2345678"
    )
    tom = new_context().new_page()
    tom.goto(invitation_link(invitation, live_server.url))
    set_password(tom, first="Tom", last="Tech")
    expect_message(tom, "Your password is set.")
    tom.get_by_role("link", name="2345678").click()
    tom.get_by_role("link", name="Authorized callers").click()
    field(tom, "Name").fill("Carla Caller")
    field(tom, "E-mail address").fill("carla@gamma.test")
    tom.get_by_role("button", name="Add authorized caller").click()
    expect_message(tom, "Carla Caller is now an authorized caller.")
    callers = tom.get_by_role("table", name="Authorized callers")
    expect(callers.get_by_role("row", name=re.compile("carla@gamma.test"))).to_be_visible()

    # The welcome link worked once (A5).
    expect_link_used(new_context().new_page(), welcome_link)


def test_staff_enrols_site_from_admin(new_context, mailbox, live_server):
    with_totp(UserFactory(email="sam@vendor.test", is_staff=True, is_superuser=True))
    site = SiteFactory(number="3456789", name="Delta Works", agreement__customer__name="Delta Ltd")
    ContactFactory(site=site, name="Dora Delta", email="dora@delta.test", is_primary=True)
    SiteFactory(number="3456790", name="Delta Annex")  # not selected: must not be enrolled

    # The admin signs in through allauth, with the authenticator code (A6).
    staff = new_context().new_page()
    staff.goto("/admin/")
    expect(staff).to_have_url(re.compile(r"/accounts/login/\?next=%2Fadmin%2F$"))
    sign_in(staff, "sam@vendor.test", totp=True)
    expect(staff.get_by_role("heading", name="Site administration")).to_be_visible()

    # Sites changelist → select the site → run the enrol action (A5).
    staff.get_by_role("link", name="Sites", exact=True).click()
    staff.get_by_role("checkbox", name=re.compile("3456789 Delta Works")).check()
    staff.get_by_label("Action:").select_option(
        label="Enrol: send the welcome e-mail to the primary contact"
    )
    staff.get_by_role("button", name="Go").click()
    expect(staff.get_by_text("1 site enrolled; its welcome e-mail is on its way.")).to_be_visible()
    # The country filter offers the countries sites are in, not every country in the world.
    expect(staff.get_by_role("link", name="Afghanistan")).to_have_count(0)

    welcome = mailbox.wait_for(to="dora@delta.test", subject="Welcome to Entitle: site 3456789")
    assert len(mailbox.messages()) == 1
    welcome_link = invitation_link(welcome, live_server.url)

    dora = new_context().new_page()
    dora.goto(welcome_link)
    set_password(dora, first="Dora", last="Delta")
    field(dora, "Site number").fill("3456789")
    dora.get_by_role("button", name="Confirm site number").click()
    expect(dora.get_by_role("heading", name="Delta Works")).to_be_visible()

    expect_link_used(new_context().new_page(), welcome_link)
