"""The client's price (N6): the quote's reseller sets an adjustment of the vendor's price
within bounds (never below zero, at most +100 %), previews the client's prices, then saves
and sends the quote to the client's primary and renewal contacts; once sent the price is
fixed."""

from datetime import date
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from portal.core.models import OutgoingEmail
from renewals.models import Quote
from tests.accounts.factories import (
    ContactFactory,
    ResellerFactory,
    SiteFactory,
    UserFactory,
    with_totp,
)
from tests.licensing.factories import EntitlementFactory, ProductFactory
from tests.renewals.factories import primary_contact, renewal_quote_for

pytestmark = pytest.mark.django_db

TODAY = date(2026, 1, 5)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("renewals.views.reseller.today", lambda: TODAY)


@pytest.fixture
def reseller():
    return ResellerFactory(name="Reseller One")


@pytest.fixture
def reseller_user(reseller):
    return with_totp(UserFactory(reseller=reseller, email="rita@reseller.test"))


@pytest.fixture
def site(reseller):
    site = SiteFactory(reseller=reseller, agreement__anniversary_month=3)
    primary_contact(site, email="primary@client.test")
    ContactFactory(site=site, email="renewals@client.test", is_renewal_contact=True)
    ContactFactory(site=site, email="billing@client.test")  # neither: not e-mailed
    return site


@pytest.fixture
def quote(site):
    product = ProductFactory(annual_ss_price=Decimal("240.00"))
    entitlement = EntitlementFactory(
        site=site, product=product, quantity=3, purchased_on=date(2025, 3, 10)
    )
    quote = renewal_quote_for([entitlement], as_of=TODAY)
    assert quote.state == Quote.State.DRAFT  # N6: waits for the reseller's price
    assert quote.vendor_total == Decimal("60.00")
    return quote


@pytest.fixture
def signed_in(client, reseller_user):
    client.force_login(reseller_user)
    return client


def price_url(quote) -> str:
    return reverse("renewals:quote_price", args=[quote.number])


def customer_emails(quote):
    return OutgoingEmail.objects.filter(key__startswith=f"quote:{quote.number}:issued:")


def test_the_page_shows_the_vendor_lines_and_totals(signed_in, quote):
    response = signed_in.get(price_url(quote))
    assert response.status_code == 200
    content = response.content.decode()
    assert "€20.00" in content  # the vendor's unit price: 240 × 1/12
    assert "€60.00" in content
    assert 'name="adjustment"' in content


@pytest.mark.parametrize(
    ("adjustment", "message"),
    [
        ("150", "At most +100 % above the vendor"),
        ("-100.01", "A price cannot be below zero"),
        ("", "This field is required."),
        ("eight", "Enter a number."),
    ],
)
def test_an_adjustment_out_of_bounds_is_refused_and_nothing_changes(
    signed_in, quote, adjustment, message
):
    response = signed_in.post(price_url(quote), {"adjustment": adjustment, "action": "send"})
    assert response.status_code == 200
    assert message in response.content.decode()
    quote.refresh_from_db()
    assert quote.reseller_adjustment_percent is None
    assert quote.sent_at is None
    assert not customer_emails(quote).exists()


def test_the_bounds_themselves_are_accepted_in_a_preview(signed_in, quote):
    for adjustment, total in (("-100", "€0.00"), ("100", "€120.00")):
        response = signed_in.post(price_url(quote), {"adjustment": adjustment})
        assert response.context["totals"]["client"] == Decimal(total.strip("€")), adjustment


def test_a_preview_shows_the_client_prices_and_saves_nothing(signed_in, quote):
    response = signed_in.post(price_url(quote), {"adjustment": "8", "action": "preview"})
    assert response.status_code == 200
    assert response.context["totals"]["client"] == Decimal("64.80")
    content = response.content.decode()
    assert "€64.80" in content
    assert "€21.60" in content  # the client's unit price
    assert "primary@client.test" in content  # who will receive it
    assert "renewals@client.test" in content
    assert "billing@client.test" not in content
    assert "Save and send to the client" in content
    quote.refresh_from_db()
    assert quote.reseller_adjustment_percent is None
    assert quote.lines.get().client_amount is None


def test_saving_and_sending_fixes_the_price_and_emails_the_client(signed_in, quote):
    response = signed_in.post(
        price_url(quote), {"adjustment": "8", "previewed": "8", "action": "send"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("renewals:quote_detail", args=[quote.number])
    quote.refresh_from_db()
    assert quote.state == Quote.State.OPEN
    assert quote.sent_at is not None
    assert quote.reseller_adjustment_percent == Decimal(8)
    line = quote.lines.get()
    assert (line.client_unit_price, line.client_amount) == (Decimal("21.60"), Decimal("64.80"))
    emails = {email.to: email for email in customer_emails(quote)}
    assert {"primary@client.test", "renewals@client.test"} <= set(emails)
    assert "billing@client.test" not in emails
    # E2: the client's e-mail lists the client's price, not the vendor's.
    assert "€64.80" in emails["primary@client.test"].body_text
    assert "€60.00" not in emails["primary@client.test"].body_text


def test_sending_asks_for_the_price_that_was_previewed(signed_in, quote):
    response = signed_in.post(
        price_url(quote), {"adjustment": "12", "previewed": "8", "action": "send"}
    )
    assert response.status_code == 200
    assert "The adjustment changed" in response.content.decode()
    assert response.context["totals"]["client"] == Decimal("67.20")
    quote.refresh_from_db()
    assert quote.sent_at is None


def test_after_sending_the_price_is_fixed(signed_in, quote):
    signed_in.post(price_url(quote), {"adjustment": "8", "previewed": "8", "action": "send"})
    page = signed_in.get(price_url(quote)).content.decode()
    assert "Its price is fixed." in page
    assert 'name="adjustment"' not in page
    response = signed_in.post(
        price_url(quote), {"adjustment": "20", "previewed": "20", "action": "send"}
    )
    assert response.status_code == 200
    assert "its price is fixed" in response.content.decode()
    quote.refresh_from_db()
    assert quote.reseller_adjustment_percent == Decimal(8)
    assert quote.lines.get().client_amount == Decimal("64.80")


def test_saving_without_sending_keeps_the_quote_a_draft(signed_in, quote):
    response = signed_in.post(price_url(quote), {"adjustment": "5", "action": "save"})
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.state == Quote.State.DRAFT
    assert quote.reseller_adjustment_percent == Decimal(5)
    assert not customer_emails(quote).exists()
    assert 'value="5.00"' in signed_in.get(price_url(quote)).content.decode()


def test_an_expired_quote_cannot_be_sent(signed_in, quote):
    Quote.objects.filter(pk=quote.pk).update(valid_until=date(2026, 1, 1))
    response = signed_in.post(
        price_url(quote), {"adjustment": "8", "previewed": "8", "action": "send"}
    )
    assert response.status_code == 200
    assert "expired on" in response.content.decode()
    assert not customer_emails(quote).exists()


def test_only_the_quotes_reseller_sets_the_price(client, quote, site):
    """A4: another reseller does not find the quote (404); the client's own users see the
    quote but may not set the reseller's price (403)."""
    client.force_login(with_totp(UserFactory(reseller=ResellerFactory())))
    assert client.get(price_url(quote)).status_code == 404
    primary = UserFactory(email="primary-user@client.test")
    ContactFactory(site=site, email=primary.email, user=primary, is_site_admin=True)
    client.force_login(primary)
    assert client.get(price_url(quote)).status_code == 403


@pytest.mark.parametrize("lines", [1, 8])
def test_the_price_page_queries_do_not_grow_with_lines(
    signed_in, site, lines, django_assert_max_num_queries
):
    entitlements = [
        EntitlementFactory(site=site, purchased_on=date(2025, 3, 10)) for _ in range(lines)
    ]
    quote = renewal_quote_for(entitlements, as_of=TODAY)
    # 11: a session's first page also loads its partner brand (S8), then kept in the session.
    with django_assert_max_num_queries(11):
        assert signed_in.get(price_url(quote)).status_code == 200
    with django_assert_max_num_queries(14):
        assert signed_in.post(price_url(quote), {"adjustment": "8"}).status_code == 200


def render_actions(quote, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string(
        "renewals/includes/quote_reseller_actions.html",
        {"quote": quote, "request": request},
    )


def test_the_quote_page_asks_the_reseller_for_its_price_while_unsent(quote, reseller_user):
    assert price_url(quote) in render_actions(quote, reseller_user)
    assert "Set your client" in render_actions(quote, reseller_user)


def test_nobody_else_is_asked_and_nothing_shows_once_sent(quote, reseller_user):
    assert render_actions(quote, UserFactory()).strip() == ""
    assert render_actions(quote, UserFactory(reseller=ResellerFactory())).strip() == ""
    Quote.objects.filter(pk=quote.pk).update(state=Quote.State.OPEN, sent_at="2026-01-05T12:00Z")
    quote.refresh_from_db()
    assert render_actions(quote, reseller_user).strip() == ""
