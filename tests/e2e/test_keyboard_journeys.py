"""Each role's main journey by keyboard alone (issue #10 item 6): Tab and Shift+Tab to move,
Enter and Space to follow and press, arrow keys in selects and radio groups, and typing into
fields -- no mouse. Every element the focus lands on along the way shows it (an outline or a
box-shadow), and each step of the journey is reached by Tab. The pages are audited as in every
browser test (tests/e2e/audit.py, through the `new_context` fixture).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from support.models import Ticket
from tests.accounts.factories import TEST_PASSWORD
from tests.e2e.helpers import field, totp_code
from tests.e2e.test_licensing_journey import customer_estate  # noqa: F401 (fixture)
from tests.e2e.test_reseller_quote_journey import draft_quote  # noqa: F401 (fixture)
from tests.e2e.test_support_journeys import support_site  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e

TAB_LIMIT = 150  # Tab presses to reach one step before it counts as unreachable

# Where the focus is now, as [is it the target, is it on nothing (the body), does it show it
# (an outline -- the portal's :focus-visible rule or the browser's ring -- or a box-shadow, as
# Bootstrap's form controls have), what it is]: one round trip per key press.
FOCUS_NOW = """target => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = Boolean(style.boxShadow && style.boxShadow !== "none");
  const what = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " " +
    (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 40);
  return [el === target, el === document.body, outline || shadow, what];
}"""


class Keyboard:
    """Moves through a page by Tab, noting every focus stop that does not show the focus."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.unseen: list[str] = []
        self.stops = 0

    def tab_to(self, target: Locator, *, backwards: bool = False) -> None:
        """Press Tab (Shift+Tab) until `target` has the focus; fail if it never does."""
        expect(target).to_be_visible()
        handle = target.element_handle()
        for _ in range(TAB_LIMIT):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            reached, on_nothing, shown, what = handle.evaluate(FOCUS_NOW)
            if not on_nothing:
                self.stops += 1
                if not shown:
                    self.unseen.append(f"{self.page.url}: {what}")
            if reached:
                return
        raise AssertionError(f"not reachable by keyboard on {self.page.url}: {target}")

    def follow(self, target: Locator) -> None:
        """Tab to a link or button and press Enter."""
        self.tab_to(target)
        self.page.keyboard.press("Enter")

    def type_into(self, target: Locator, text: str) -> None:
        self.tab_to(target)
        self.page.keyboard.type(text)

    def sign_in(self, email: str, *, password: str, totp: bool = False) -> None:
        page = self.page
        page.goto("/accounts/login/")
        self.type_into(field(page, "Email"), email)
        self.type_into(field(page, "Password"), password)
        page.keyboard.press("Enter")
        if totp:
            expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
            self.type_into(field(page, "Code"), totp_code())
            page.keyboard.press("Enter")
        expect(page.get_by_role("button", name="Sign out")).to_be_attached()

    def assert_focus_always_shown(self) -> None:
        assert self.stops > 0
        assert self.unseen == [], "focus not visible on: " + "; ".join(self.unseen)


def test_a_primary_contact_walks_from_the_dashboard_to_a_sites_poe_by_keyboard(
    new_context,
    customer_estate,  # noqa: F811 (the fixture imported above)
):
    page = new_context().new_page()
    keys = Keyboard(page)
    keys.sign_in("olga@orbit.test", password=TEST_PASSWORD)
    site = customer_estate["site_a"]

    keys.follow(page.get_by_role("link", name=site.number, exact=True))
    expect(page.get_by_role("heading", level=1)).to_contain_text(site.name)
    keys.follow(page.get_by_role("link", name="Inventory of this site"))
    expect(page.get_by_role("heading", name="Inventory")).to_be_visible()
    keys.follow(page.get_by_role("link", name="Atlas Database Server"))
    expect(page.get_by_role("heading", name=re.compile("Atlas Database Server"))).to_be_visible()
    # Shift+Tab works too: back up past the PoE link and come forward to it again.
    poe = page.get_by_role("link", name="Site PoE (PDF)")
    keys.tab_to(poe)
    page.keyboard.press("Tab")
    keys.tab_to(poe, backwards=True)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.path().read_bytes().startswith(b"%PDF")
    keys.assert_focus_always_shown()
    # The check sees a focus that is not shown: with the indicators taken away, it fails.
    page.add_style_tag(content="* { outline: none !important; box-shadow: none !important; }")
    keys.tab_to(poe, backwards=True)
    assert keys.unseen


def test_a_reseller_walks_from_its_clients_to_a_client_site_and_a_quote_by_keyboard(
    new_context,
    draft_quote,  # noqa: F811 (the fixture imported above)
):
    quote = draft_quote
    page = new_context().new_page()
    keys = Keyboard(page)
    keys.sign_in("rita@partner.test", password=TEST_PASSWORD, totp=True)

    keys.follow(page.get_by_role("link", name="Clients", exact=True))
    keys.follow(page.get_by_role("link", name="Delta Foods"))
    keys.follow(page.get_by_role("link", name="4242424", exact=True))  # its site
    expect(page.get_by_role("heading", level=1)).to_contain_text("Delta Works")
    keys.follow(page.get_by_role("link", name="Renewals", exact=True))
    row = page.get_by_role("row").filter(has_text=quote.number)
    keys.follow(row.get_by_role("link", name="Set your client's price"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(quote.number)
    keys.type_into(field(page, "Your adjustment (%)"), "8")
    keys.follow(page.get_by_role("button", name="Preview"))
    expect(page.locator("#client-total")).to_be_visible()
    keys.assert_focus_always_shown()


def test_a_caller_opens_a_ticket_and_staff_answer_it_by_keyboard(
    new_context,
    support_site,  # noqa: F811 (the fixture imported above)
):
    caller = new_context().new_page()
    keys = Keyboard(caller)
    keys.sign_in("carl@helios.test", password=TEST_PASSWORD)
    keys.follow(caller.get_by_role("link", name="Support", exact=True))
    keys.follow(caller.get_by_role("link", name="Open a ticket").first)
    expect(caller.get_by_role("heading", name="Open a ticket")).to_be_visible()
    product = field(caller, "Product")
    keys.tab_to(product)
    while product.evaluate("el => el.selectedOptions[0].text") != "Atlas Database Server":
        caller.keyboard.press("ArrowDown")
    severity_1 = caller.get_by_role("radio", name=re.compile(r"^Severity 1"))
    keys.tab_to(caller.get_by_role("radio").first)
    for _ in range(6):
        if severity_1.evaluate("el => el === document.activeElement"):
            break
        caller.keyboard.press("ArrowDown")
    caller.keyboard.press("Space")
    expect(severity_1).to_be_checked()
    keys.type_into(field(caller, "Title"), "Production database down")
    keys.type_into(field(caller, "Description"), "The cluster stopped at 10:02.")
    keys.follow(caller.get_by_role("button", name="Open the ticket"))
    expect(caller.get_by_role("heading", name="Production database down")).to_be_visible()
    ticket = Ticket.objects.get()

    staff = new_context().new_page()
    staff_keys = Keyboard(staff)
    staff_keys.sign_in("sam@vendor.test", password=TEST_PASSWORD, totp=True)
    staff_keys.follow(staff.get_by_role("link", name="Support queue"))
    staff_keys.follow(staff.get_by_role("link", name=ticket.number))
    staff_keys.type_into(field(staff, "Comment"), "We are on it.")
    staff_keys.follow(staff.get_by_role("button", name="Add the comment"))
    expect(staff.get_by_text("We are on it.").first).to_be_visible()
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None
    keys.assert_focus_always_shown()
    staff_keys.assert_focus_always_shown()


# --- every browser journey is audited --------------------------------------------------------

AUDITED_FIXTURES = {"page", "new_context"}  # tests/e2e/conftest.py: both install the audit


def test_every_browser_journey_runs_in_an_audited_browser_context():
    """axe-core runs on every page load of a context made by `new_context` (tests/e2e/audit.py);
    a browser test that opened its own context from `browser` would escape it."""
    unaudited = []
    for path in sorted(Path(__file__).parent.glob("test_*.py")):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                arguments = {argument.arg for argument in node.args.args}
                uses_browser = bool(arguments & {"browser", "playwright"})
                navigates = any(
                    isinstance(call, ast.Attribute) and call.attr in {"goto", "new_page"}
                    for call in ast.walk(node)
                )
                if uses_browser or (navigates and not arguments & AUDITED_FIXTURES):
                    unaudited.append(f"{path.name}::{node.name}")
    assert unaudited == []
