"""Issue #10 acceptance: a Polish and a Traditional Chinese user each walk their main journey
in Chromium — the pages, the e-mail files and the PDFs are in their language, with dates and
money in their locale (SPEC E2). Every page is audited (axe-core, overflow) by the fixtures.

The expected words come from the catalogues (gettext in the user's language) and the expected
dates and amounts from the one formatting module, so the test checks that pages use them, not
a copy of today's wording."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone, translation
from fontTools.ttLib import TTFont
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.models import User
from licensing.models import Entitlement, Product
from licensing.services import LineRequest, order_place
from portal.core.formatting import format_day, format_money
from tests.accounts.factories import (
    TEST_PASSWORD,
    AgreementFactory,
    ContactFactory,
    OrganisationFactory,
    SiteFactory,
    UserFactory,
)
from tests.e2e.helpers import field, sign_in, text_body
from tests.licensing.factories import ProductFactory, VersionFactory

pytestmark = pytest.mark.e2e

PDF_FONT = settings.BASE_DIR / "static" / "vendor" / "noto-sans-tc" / "NotoSansTC-Regular.ttf"


def words(language: str, text: str) -> str:
    """`text` as the catalogue has it in `language` (what the page must show)."""
    with translation.override(language):
        return translation.gettext(text)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\u00a0", " ")


def pdf_fonts(data: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(data))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


def estate(*, email: str, language: str, site_name: str) -> dict:
    """A customer whose primary contact reads `language`, holding an Atlas licence."""
    today = date.today()  # noqa: DTZ011
    customer = OrganisationFactory(name=f"{site_name} Holdings")
    site = SiteFactory(
        number="4242424", name=site_name, agreement=AgreementFactory(customer=customer)
    )
    user = UserFactory(email=email, language=language, first_name="Ola")
    ContactFactory(
        site=site,
        email=email,
        user=user,
        is_primary=True,
        language=language,
        site_number_confirmed_at=timezone.now(),
    )
    atlas = ProductFactory(
        part_number="ATL-DB-100",
        name="Atlas Database Server",
        kind=Product.Kind.SOFTWARE,
        delivery=Product.Delivery.OFFLINE,  # its page quotes the L8.7 move: 50 % of the price
        list_price="12345.50",
        annual_ss_price="2469.10",
    )
    version = VersionFactory(
        product=atlas, version="10.0", release_date=today - timedelta(days=100)
    )
    order_place(
        site=site,
        ordered_on=today - timedelta(days=30),
        actor=None,
        source="admin",
        lines=[LineRequest(product=atlas, quantity=3, version=version)],
        as_of=today,
    )
    return {"site": site, "user": user, "entitlement": Entitlement.objects.get(site=site)}


def walk_to_the_poe(page, language: str, entitlement: Entitlement) -> bytes:
    """Dashboard → inventory → the entitlement → its site PoE, all in `language`."""
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    page.get_by_role("link", name=words(language, "Inventory"), exact=True).click()
    expect(page.get_by_role("heading", name=words(language, "Inventory"))).to_be_visible()
    # E2: the coverage end in the reader's locale ("31 gru 2027", "2027年12月31日").
    expect(
        page.get_by_text(format_day(entitlement.coverage_end, language=language))
    ).to_be_visible()
    page.get_by_role("link", name="Atlas Database Server").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    # L8.7's fee, half of 12,345.50, in the reader's money format ("6 172,75 €" in Polish).
    expect(page.locator("main")).to_contain_text(
        format_money(Decimal("6172.75"), "EUR", language=language)
    )
    with page.expect_download() as download_info:
        page.get_by_role("link", name=words(language, "Site PoE (PDF)")).click()
    return download_info.value.path().read_bytes()


def test_a_polish_user_walks_the_portal_reads_her_poe_and_her_e_mail_in_polish(
    new_context, mailbox
):
    polish = estate(email="ola@orbita.test", language="pl", site_name="Orbita Gdynia")
    entitlement = polish["entitlement"]
    # A Polish browser: the sign-in pages are in Polish before anyone is known.
    page = new_context(locale="pl-PL").new_page()

    page.goto("/accounts/password/reset/")
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    field(page, words("pl", "Email")).fill("ola@orbita.test")
    page.locator("main form [type=submit]").click()
    message = mailbox.wait_for(
        to="ola@orbita.test", subject=words("pl", "Reset your Entitle password")
    )
    body = text_body(message)
    assert "Ola" in body
    assert words("pl", "We never send passwords by e-mail.") in body
    assert message.get_content_type() == "multipart/alternative"  # E2: text and HTML

    page.goto("/accounts/login/")
    field(page, words("pl", "Email")).fill("ola@orbita.test")
    field(page, words("pl", "Password")).fill(TEST_PASSWORD)
    page.locator("main form [type=submit]").click()
    pdf = walk_to_the_poe(page, "pl", entitlement)
    text = pdf_text(pdf)
    assert words("pl", "Proof of Entitlement") in text
    assert format_day(entitlement.coverage_end, language="pl") in text
    assert format_day(timezone.localdate(), language="pl") in text
    assert format_money("6172.75", "EUR", language="pl") == "6\u00a0172,75\u00a0€"


def test_a_chinese_user_switches_language_and_reads_pages_pdf_and_e_mail_in_chinese(
    new_context, mailbox
):
    chinese = estate(email="mei@orbit.test", language="en", site_name="Orbit Taipei")
    entitlement = chinese["entitlement"]
    page = new_context().new_page()
    sign_in(page, "mei@orbit.test")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # The language switcher: each language named in itself; the choice is kept on the profile.
    page.get_by_role("button", name=re.compile("English")).click()
    page.get_by_role("button", name="繁體中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    assert User.objects.get(email="mei@orbit.test").language == "zh-hant"

    pdf = walk_to_the_poe(page, "zh-hant", entitlement)
    text = pdf_text(pdf)
    assert words("zh-hant", "Proof of Entitlement") in text
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", text)  # "2026年12月1日"
    assert format_day(entitlement.coverage_end, language="zh-hant") in text
    # No missing-glyph boxes: the Chinese font is embedded and has every Chinese character.
    assert "Noto-Sans-TC" in pdf_fonts(pdf)
    cmap = TTFont(PDF_FONT).getBestCmap()
    uncovered = {c for c in text if ord(c) >= 0x2E80 and ord(c) not in cmap}
    assert uncovered == set()

    # The profile's language follows into e-mail: signed out, the reset e-mail is in Chinese.
    page.get_by_role("button", name=words("zh-hant", "Sign out")).click()
    page.goto("/accounts/password/reset/")
    field(page, words("zh-hant", "Email")).fill("mei@orbit.test")
    page.locator("main form [type=submit]").click()
    message = mailbox.wait_for(
        to="mei@orbit.test", subject=words("zh-hant", "Reset your Entitle password")
    )
    assert words("zh-hant", "We never send passwords by e-mail.") in text_body(message)
