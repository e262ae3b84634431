"""L9/N6: edition-change and upgrade quotes go through the one quote machinery. Their prices
are licensing/pricing.py's (the entitlement page's offers) for every licence of the
entitlement; accepting moves the edition and version and the "last upgraded" date, which a
later L8 move quote sees."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from licensing import quotes as licensing_quotes
from licensing import selectors as licensing_selectors
from licensing import services as licensing_services
from licensing.models import CoveragePeriod, LicenceMove, Order
from renewals.builders_licensing import edition_change_draft
from renewals.models import Quote, QuoteLine
from renewals.services import quote_accept, quote_issue
from renewals.services.licensing_kinds import edition_quote_request
from tests.accounts.factories import SiteFactory, UserFactory
from tests.conftest import client_for
from tests.licensing.factories import (
    ActivationFactory,
    EditionFactory,
    EntitlementFactory,
    ProductFactory,
    VersionFactory,
)
from tests.renewals.factories import at_noon, primary_contact

pytestmark = pytest.mark.django_db

TODAY = date(2025, 10, 1)


@pytest.fixture
def catalogue():
    """Atlas Standard < Plus < Pro; version 1.0 and the newest, 2.0 (upgrade 300)."""
    product = ProductFactory(list_price=Decimal("1000.00"))
    editions = {
        name: EditionFactory(product=product, name=name, rank=rank, price=Decimal(price))
        for name, rank, price in (("Standard", 1, "1000"), ("Plus", 2, "1500"), ("Pro", 3, "2200"))
    }
    versions = {
        "1.0": VersionFactory(product=product, version="1.0", release_date=date(2022, 1, 1)),
        "2.0": VersionFactory(
            product=product,
            version="2.0",
            release_date=date(2025, 6, 1),
            upgrade_price=Decimal("300.00"),
        ),
    }
    return product, editions, versions


@pytest.fixture
def site():
    site = SiteFactory(agreement__anniversary_month=3)  # bought direct: quotes open at once
    primary_contact(site, email="primary@example.test")
    return site


def plus_licences(site, catalogue, **kwargs):
    product, editions, versions = catalogue
    return EntitlementFactory(
        site=site,
        product=product,
        edition=editions["Plus"],
        version=versions["1.0"],
        quantity=3,
        **{"purchased_on": date(2025, 1, 15), **kwargs},
    )


def offers(entitlement, as_of):
    versions = licensing_selectors.versions_released(product=entitlement.product, as_of=as_of)
    return licensing_quotes.entitlement_price_offers(
        entitlement=entitlement, as_of=as_of, versions=versions
    )


def issue(entitlement, as_of=TODAY, **targets) -> Quote:
    draft = edition_change_draft(entitlement=entitlement, as_of=as_of, **targets)
    return quote_issue(draft=draft, as_of=as_of, now=at_noon(as_of))


def test_every_offer_on_the_page_is_quoted_at_its_price_for_every_licence(site, catalogue):
    """L9: the quote's lines are the page's offer (licensing/pricing.py) × the quantity."""
    entitlement = plus_licences(site, catalogue)
    page_offers = offers(entitlement, TODAY)
    assert len(page_offers) == 3  # upgrade; Pro; Pro with the upgrade
    for offer in page_offers:
        draft = edition_change_draft(
            entitlement=entitlement,
            as_of=TODAY,
            target_edition_id=offer.target_edition_id,
            target_version_id=offer.target_version_id,
        )
        assert [line.unit_price for line in draft.lines] == [
            line.amount for line in offer.quote.lines
        ]
        assert sum(line.amount for line in draft.lines) == offer.quote.total * 3
        assert {line.quantity for line in draft.lines} == {3}


def test_an_edition_change_with_active_ss_costs_the_difference(site, catalogue):
    """L9: Plus → Pro while S&S is active: 2,200 − 1,500 = 700 per licence."""
    _product, editions, _versions = catalogue
    quote = issue(plus_licences(site, catalogue), target_edition_id=editions["Pro"].pk)
    line = quote.lines.get()
    assert (line.action, line.target_edition_id, line.unit_price, line.amount) == (
        QuoteLine.Action.EDITION,
        editions["Pro"].pk,
        Decimal("700.00"),
        Decimal("2100.00"),
    )
    assert quote.vendor_total == Decimal("2100.00")
    assert quote.series_key == f"edition:{line.entitlement_id}:e{editions['Pro'].pk}"


def test_with_the_upgrade_it_costs_the_upgrade_price_plus_the_difference(site, catalogue):
    """L9: the upgrade price plus the edition difference (no support line)."""
    _product, editions, versions = catalogue
    quote = issue(
        plus_licences(site, catalogue),
        target_edition_id=editions["Pro"].pk,
        target_version_id=versions["2.0"].pk,
    )
    lines = list(quote.lines.order_by("position"))
    assert [(line.action, line.unit_price) for line in lines] == [
        ("upgrade", Decimal("300.00")),
        ("edition", Decimal("700.00")),
    ]
    assert quote.vendor_total == Decimal("3000.00")  # (300 + 700) × 3


def test_without_ss_the_difference_plus_support_which_buys_twelve_months_of_ss(site, catalogue):
    """L9 + L8.4: S&S lapsed, the licence is 2–3 years old: the difference plus 30 % of the
    list price; accepting buys S&S for twelve months from the acceptance date (nothing
    back-dated, as a reinstatement)."""
    _product, editions, _versions = catalogue
    on = date(2027, 3, 1)  # bought 2025-01-15, covered to 2026-01-14: lapsed, 2 years old
    entitlement = plus_licences(site, catalogue)
    quote = issue(entitlement, as_of=on, target_edition_id=editions["Pro"].pk)
    lines = list(quote.lines.order_by("position"))
    assert [(line.action, line.unit_price) for line in lines] == [
        ("edition", Decimal("700.00")),
        ("reinstate", Decimal("300.00")),
    ]
    accepted_on = on + timedelta(days=5)
    quote_accept(
        quote_id=quote.pk, actor=UserFactory(), as_of=accepted_on, now=at_noon(accepted_on)
    )
    entitlement.refresh_from_db()
    assert entitlement.edition_id == editions["Pro"].pk
    assert entitlement.coverage_end == date(2028, 3, 5)
    period = entitlement.coverage_periods.get(kind=CoveragePeriod.Kind.REINSTATEMENT)
    assert (period.starts_on, period.ends_on) == (accepted_on, date(2028, 3, 5))


def test_accepting_an_upgrade_moves_the_version_and_last_upgraded_which_l8_then_sees(
    site, catalogue
):
    """N6/L8.2: moved within the last 12 months, a licence pays 20 % to move again (L8.3);
    once upgraded through an accepted quote it is "upgraded less than 12 months ago and not
    moved since": free."""
    _product, _editions, versions = catalogue
    entitlement = plus_licences(site, catalogue, purchased_on=date(2024, 1, 10))
    LicenceMove.objects.create(
        entitlement=entitlement,
        old_activation=ActivationFactory(entitlement=entitlement),
        new_machine_id="PC-NEW",
        requested_on=date(2025, 3, 1),
        rule="L8.2",
        fee=Decimal(0),
        explanation="-",
        state=LicenceMove.State.CONFIRMED,
    )
    before = licensing_services.move_quote_for(entitlement=entitlement, as_of=TODAY)
    assert (before.rule, before.fee) == ("L8.3", Decimal("200.00"))

    quote = issue(entitlement, target_version_id=versions["2.0"].pk)
    quote_accept(quote_id=quote.pk, actor=UserFactory(), as_of=TODAY, now=at_noon(TODAY))

    entitlement.refresh_from_db()
    assert (entitlement.version_id, entitlement.last_upgraded_on) == (versions["2.0"].pk, TODAY)
    order = Order.objects.get(source=Order.Source.QUOTE)
    assert order.lines.get().version_id == versions["2.0"].pk
    later = TODAY + timedelta(days=30)
    after = licensing_services.move_quote_for(entitlement=entitlement, as_of=later)
    assert (after.rule, after.fee) == ("L8.2", Decimal("0.00"))
    assert "less than 12 months ago" in after.explanation


def test_only_richer_editions_and_the_newest_version_are_offered(site, catalogue):
    """L9: a step down is not offered, nor an older version; the page lists Pro only."""
    _product, editions, versions = catalogue
    entitlement = plus_licences(site, catalogue)
    assert {o.target_edition_id for o in offers(entitlement, TODAY)} == {None, editions["Pro"].pk}
    for targets in (
        {"target_edition_id": editions["Standard"].pk},
        {"target_edition_id": editions["Plus"].pk},
        {"target_version_id": versions["1.0"].pk},
        {},
    ):
        with pytest.raises(ValidationError):
            edition_change_draft(entitlement=entitlement, as_of=TODAY, **targets)


def test_asking_twice_hands_back_the_live_quote_and_a_price_change_revises_it(site, catalogue):
    """N6: one live quote per entitlement and target; a second click issues nothing; a new
    price issues a revision that supersedes the first."""
    product, editions, _versions = catalogue
    entitlement = plus_licences(site, catalogue)
    user = UserFactory()
    ask = {
        "entitlement": entitlement,
        "target_edition_id": editions["Pro"].pk,
        "target_version_id": None,
        "actor": user,
        "as_of": TODAY,
        "now": at_noon(TODAY),
    }
    first = edition_quote_request(**ask)
    assert edition_quote_request(**ask) == first
    editions["Pro"].price = Decimal("2500")
    editions["Pro"].save()
    second = edition_quote_request(**ask)
    first.refresh_from_db()
    assert (first.state, second.supersedes_id, second.vendor_total) == (
        Quote.State.SUPERSEDED,
        first.pk,
        Decimal("3000.00"),
    )
    assert product.pk == second.lines.get().product_id


def test_accepting_one_change_withdraws_the_entitlements_other_edition_quotes(site, catalogue):
    """L9: after Plus → Pro is accepted, "Pro with the upgrade" would charge the difference
    again: it ends (expired) and cannot be accepted."""
    _product, editions, versions = catalogue
    entitlement = plus_licences(site, catalogue)
    change = issue(entitlement, target_edition_id=editions["Pro"].pk)
    both = issue(
        entitlement, target_edition_id=editions["Pro"].pk, target_version_id=versions["2.0"].pk
    )
    user = UserFactory()
    quote_accept(quote_id=change.pk, actor=user, as_of=TODAY, now=at_noon(TODAY))
    both.refresh_from_db()
    assert both.state == Quote.State.EXPIRED
    with pytest.raises(ValidationError, match="expired"):
        quote_accept(quote_id=both.pk, actor=user, as_of=TODAY, now=at_noon(TODAY))


# --- the page (entitlement page → quote page) ------------------------------------------------


@pytest.fixture
def held(world, catalogue):
    """Plus licences at the world's site (managed by its reseller), bought a month ago."""
    product, editions, versions = catalogue
    return EntitlementFactory(
        site=world.site,
        product=product,
        edition=editions["Plus"],
        version=versions["1.0"],
        quantity=2,
        purchased_on=timezone.localdate() - timedelta(days=30),
    )


def ask_url(entitlement) -> str:
    return reverse("renewals:edition_quote_request", args=[entitlement.pk])


def test_get_a_quote_issues_the_quote_and_shows_it(client, world, catalogue, held):
    """N6: the button issues the quote (for a reseller's client: waiting for its price) and
    shows the quote page; a second click shows the same quote."""
    _product, editions, _versions = catalogue
    client_for(client, world, "primary")
    page = client.get(reverse("licensing:entitlement_detail", args=[held.pk]))
    assert ask_url(held).encode() in page.content
    response = client.post(ask_url(held), {"target_edition": editions["Pro"].pk})
    quote = Quote.objects.get(kind=Quote.Kind.EDITION_CHANGE)
    assert response.status_code == 302
    assert response.url == reverse("renewals:quote_detail", args=[quote.number])
    assert quote.state == Quote.State.DRAFT
    assert quote.reseller_id == world.reseller.pk
    client.post(ask_url(held), {"target_edition": editions["Pro"].pk})
    assert Quote.objects.filter(kind=Quote.Kind.EDITION_CHANGE).count() == 1


def test_a_poorer_edition_or_garbage_is_refused_with_a_message(client, world, catalogue, held):
    _product, editions, _versions = catalogue
    client_for(client, world, "primary")
    for data in ({"target_edition": editions["Standard"].pk}, {"target_edition": "x"}, {}):
        response = client.post(ask_url(held), data, follow=True)
        assert response.redirect_chain[-1][0] == reverse(
            "licensing:entitlement_detail", args=[held.pk]
        )
        assert list(response.context["messages"])
    assert not Quote.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"), [("stc", 403), ("caller", 403), ("other_customer", 404)]
)
def test_only_those_who_run_the_site_ask_for_quotes(client, world, catalogue, held, role, status):
    """A4/N6: STCs and callers see the licence, not its prices (403); another tenant: 404."""
    _product, editions, _versions = catalogue
    client_for(client, world, role)
    assert client.post(ask_url(held), {"target_edition": editions["Pro"].pk}).status_code == (
        status
    )
    assert not Quote.objects.exists()
    if role == "stc":
        page = client.get(reverse("licensing:entitlement_detail", args=[held.pk]))
        assert ask_url(held).encode() not in page.content
