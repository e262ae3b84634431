"""The customer's renewals page and the quote pages (N1, N5, N6, A4, SPEC §1): what each role
sees, accepting through review and confirm with the co-term choice, declining, the refusals
in words, and query ceilings at two sizes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from licensing.models import Entitlement, Order
from licensing.poe import poe_snapshot
from renewals.models import Quote
from renewals.selectors import priced_site_ids
from renewals.services import quote_accept, quote_price_set
from renewals.views.customer import reseller_renewals_url
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.licensing.factories import EntitlementFactory, ProductFactory
from tests.renewals.factories import at_noon, renewal_quote_for

pytestmark = pytest.mark.django_db

SIZES = (5, 200)


def today():
    return timezone.localdate()


def ending_on(site, end, *, product=None, quantity=1, **kwargs) -> Entitlement:
    """An entitlement whose S&S coverage ends on `end` (bought a year of cover before it)."""
    start = end - timedelta(days=364)
    return EntitlementFactory(
        site=site,
        product=product or ProductFactory(annual_ss_price=Decimal("120.00")),
        quantity=quantity,
        purchased_on=start,
        coverage_start=start,
        coverage_end=end,
        **kwargs,
    )


def sent(quote: Quote, adjustment: str = "10") -> Quote:
    """N6: the reseller prices and sends its client's quote (the real service)."""
    if quote.state == Quote.State.DRAFT:
        quote_price_set(
            quote_id=quote.pk,
            adjustment=Decimal(adjustment),
            actor=UserFactory(),
            as_of=today(),
            send=True,
            now=at_noon(today()),
        )
    quote.refresh_from_db()
    return quote


# --- who sees money --------------------------------------------------------------------------


def test_the_sites_with_prices_agree_with_the_view_prices_rule_for_every_role(world):
    """SPEC §1: the one-query reading of `site.view_prices` answers as has_perm does."""
    sites = [world.site, world.other_site]
    for role, user in world.users.items():
        expected = {site.pk for site in sites if user.has_perm("site.view_prices", site)}
        assert priced_site_ids(user=user, site_ids=[s.pk for s in sites]) == expected, role


# --- the renewals page --------------------------------------------------------------------------


def test_the_renewals_page_shows_the_anniversary_quotes_lapses_and_lapsed_lines(client, world):
    """N1/N5/L3: next anniversary, the open quote with its client total, what lapses per
    month with its annual S&S value, and the lapsed line with its reinstatement button."""
    soon = today() + timedelta(days=40)
    due = ending_on(world.site, soon, quantity=2)
    lapsed = ending_on(world.site, today() - timedelta(days=10))
    quote = sent(renewal_quote_for([due], as_of=today()))
    client_for(client, world, "primary")

    response = client.get(reverse("renewals:renewals"))

    assert response.status_code == 200
    entry = response.context["entries"][0]
    assert entry.next_anniversary == world.site.agreement.next_anniversary(today())
    assert [q.number for q in entry.quotes] == [quote.number]
    assert entry.quotes[0].customer_total == quote.lines.get().client_amount
    month = next(m for m in entry.lapses if m.month == soon.replace(day=1))
    assert (month.lines, month.licences, month.values["EUR"]) == (1, 2, Decimal("240.00"))
    assert [g.entitlement_id for g in entry.lapsed] == [lapsed.pk]
    body = response.content.decode()
    assert quote.number in body
    assert reverse("renewals:reinstatement_request", args=[lapsed.pk]) in body


def test_a_draft_waits_for_the_resellers_price_and_shows_no_total(client, world):
    """N6: until the reseller sets its price, the client sees the quote without a price."""
    due = ending_on(world.site, today() + timedelta(days=40))
    quote = renewal_quote_for([due], as_of=today())
    assert quote.state == Quote.State.DRAFT
    client_for(client, world, "primary")

    body = client.get(reverse("renewals:renewals")).content.decode()

    assert (
        "Waiting for your reseller&#x27;s price" in body
        or "Waiting for your reseller's price" in body
    )
    assert "€" not in body.split(quote.number, 1)[1].split("</tr>", 1)[0]


def test_technical_contacts_see_dates_and_counts_without_money_or_quotes(client, world):
    """SPEC §1: STCs and callers see the site, not its prices or quotes (renewals.rules)."""
    due = ending_on(world.site, today() + timedelta(days=40), quantity=3)
    ending_on(world.site, today() - timedelta(days=3))
    quote = sent(renewal_quote_for([due], as_of=today()))
    for role in ("stc", "caller"):
        client_for(client, world, role)
        response = client.get(reverse("renewals:renewals"))
        entry = response.context["entries"][0]
        body = response.content.decode()
        assert entry.show_money is False
        assert entry.quotes == []
        assert quote.number not in body
        assert "€" not in body
        assert "Get a reinstatement quote" not in body
        assert sum(m.licences for m in entry.lapses) == 3


def test_another_customers_agreements_stay_off_the_page(client, world):
    """A4: the page lists only the agreements of the user's own sites."""
    ending_on(world.other_site, today() + timedelta(days=40))
    client_for(client, world, "primary")
    response = client.get(reverse("renewals:renewals"))
    assert [e.agreement for e in response.context["entries"]] == [world.site.agreement]
    assert world.other_site.number not in response.content.decode()


def test_reseller_users_are_sent_to_their_own_renewals(client, world):
    client_for(client, world, "reseller")
    response = client.get(reverse("renewals:renewals"))
    assert (response.status_code, response["Location"]) == (302, reseller_renewals_url())


def test_a_user_without_sites_sees_the_empty_state(client, db):
    client.force_login(UserFactory())
    response = client.get(reverse("renewals:renewals"))
    assert "No agreements yet" in response.content.decode()


def test_the_menu_marks_renewals_as_the_current_page(client, world):
    client_for(client, world, "primary")
    body = client.get(reverse("renewals:renewals")).content.decode()
    link = body.split(f'href="{reverse("renewals:renewals")}"', 1)[1].split(">", 1)[0]
    assert 'aria-current="page"' in link


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("role", ["primary", "stc", "staff"])
def test_the_renewals_page_has_a_fixed_query_ceiling(
    client, world, django_assert_max_num_queries, size, role
):
    """STYLE: the same ceiling at 5 and 200 entitlements and quotes."""
    products = [ProductFactory() for _ in range(4)]
    entitlements = [
        ending_on(world.site, today() + timedelta(days=n % 330 - 30), product=products[n % 4])
        for n in range(size)
    ]
    covered = [e for e in entitlements if e.coverage_end >= today()]
    for n in range(min(len(covered), size // 20 or 1)):
        renewal_quote_for([covered[n]], as_of=today(), series_key=f"ceiling:{n}")
    client_for(client, world, role)
    # The level summary (renewals.levels) reads ~6 per agreement: two agreements for staff.
    with django_assert_max_num_queries(26):
        response = client.get(reverse("renewals:renewals"))
    assert response.status_code == 200


# --- the quote page -----------------------------------------------------------------------------


def test_the_client_sees_its_resellers_price_and_never_the_vendors(client, world):
    """N6: customers see the client price; the reseller and staff see both."""
    due = ending_on(world.site, today() + timedelta(days=40), quantity=4)
    quote = sent(renewal_quote_for([due], as_of=today()), adjustment="25")
    line = quote.lines.get()
    url = reverse("renewals:quote_detail", args=[quote.number])
    client_for(client, world, "primary")
    response = client.get(url)
    assert response.context["show_vendor_price"] is False
    body = response.content.decode()
    assert "Vendor amount" not in body
    assert response.context["required_customer_total"] == line.client_amount
    client_for(client, world, "reseller")
    response = client.get(url)
    assert response.context["show_vendor_price"] is True
    assert "Vendor amount" in response.content.decode()


def test_a_draft_quote_shows_the_client_no_prices(client, world):
    due = ending_on(world.site, today() + timedelta(days=40))
    quote = renewal_quote_for([due], as_of=today())
    client_for(client, world, "primary")
    response = client.get(reverse("renewals:quote_detail", args=[quote.number]))
    assert response.context["show_prices"] is False
    assert response.context["can_accept"] is False
    assert "Unit price" not in response.content.decode()


def test_the_quote_page_links_the_revision_it_replaces_and_the_one_replacing_it(client, world):
    """N4: a revision supersedes; both pages link each other."""
    due = ending_on(world.site, today() + timedelta(days=40))
    first = renewal_quote_for([due], as_of=today(), series_key="rev")
    second = renewal_quote_for([due], as_of=today(), series_key="rev")
    client_for(client, world, "primary")
    old = client.get(reverse("renewals:quote_detail", args=[first.number])).content.decode()
    new = client.get(reverse("renewals:quote_detail", args=[second.number])).content.decode()
    assert reverse("renewals:quote_detail", args=[second.number]) in old
    assert reverse("renewals:quote_detail", args=[first.number]) in new


def test_the_commitment_warning_shows_on_the_quote(client, world):
    """N9: a renewal below the commitment says so before it is accepted."""
    due = ending_on(world.site, today() + timedelta(days=40))
    quote = renewal_quote_for([due], as_of=today())
    Quote.objects.filter(pk=quote.pk).update(commitment_warning="Renews 10 of 120 committed.")
    client_for(client, world, "primary")
    body = client.get(reverse("renewals:quote_detail", args=[quote.number])).content.decode()
    assert "Renews 10 of 120 committed." in body


def _coterm_quote(site):
    """A direct (no reseller) quote: one due line and two co-term lines of one product."""
    anniversary = site.agreement.next_anniversary(today())
    product = ProductFactory(annual_ss_price=Decimal("120.00"))
    due = ending_on(site, anniversary - timedelta(days=3), product=product)
    later = [
        ending_on(site, anniversary + timedelta(days=60 + n), product=product) for n in range(2)
    ]
    quote = renewal_quote_for(
        [due, *later], as_of=today(), due_through=anniversary, valid_until=anniversary
    )
    return quote, due, later


@pytest.fixture
def direct_site(world):
    """The own site bought direct: quotes are open at once, at the vendor's price."""
    world.site.reseller = None
    world.site.save(update_fields=["reseller"])
    return world.site


def test_accepting_reviews_the_choice_then_confirms_and_links_the_updated_poe(
    client, world, direct_site
):
    """N1/N6/L4: the review shows the total with the chosen co-term lines; confirming orders
    them, extends coverage and the page links the PoE that lists the new coverage end."""
    quote, due, later = _coterm_quote(direct_site)
    key = f"{direct_site.pk}:{later[0].product_id}"
    client_for(client, world, "primary")
    url = reverse("renewals:quote_accept", args=[quote.number])

    review = client.get(url, {"coterm": key})
    assert review.status_code == 200
    total = sum((line.amount for line in quote.lines.all()), Decimal(0))
    assert review.context["chosen_customer_total"] == total
    assert Quote.objects.get(pk=quote.pk).state == Quote.State.OPEN  # nothing done yet

    response = client.post(url, {"coterm": key, "confirm": "1"}, follow=True)

    quote.refresh_from_db()
    assert quote.state == Quote.State.ACCEPTED
    for entitlement in [due, *later]:
        entitlement.refresh_from_db()
        assert entitlement.coverage_end > today() + timedelta(days=60)
    body = response.content.decode()
    assert "is accepted" in body
    assert reverse("licensing:site_poe", args=[direct_site.number]) in body
    snapshot = poe_snapshot(site=direct_site, order=None)
    ends = {line["poe_number"]: line["coverage_end"] for line in snapshot["lines"]}
    assert ends[due.poe_number] == due.coverage_end.isoformat()


def test_the_required_lines_alone_can_be_accepted(client, world, direct_site):
    quote, due, later = _coterm_quote(direct_site)
    client_for(client, world, "primary")
    client.post(reverse("renewals:quote_accept", args=[quote.number]), {"confirm": "1"})
    for entitlement, renewed in ((due, True), (later[0], False)):
        before = entitlement.coverage_end
        entitlement.refresh_from_db()
        assert (entitlement.coverage_end != before) is renewed


def test_an_unconfirmed_post_only_shows_the_review(client, world, direct_site):
    quote, _due, _later = _coterm_quote(direct_site)
    client_for(client, world, "primary")
    response = client.post(reverse("renewals:quote_accept", args=[quote.number]))
    assert response.status_code == 200
    assert "renewals/quote_accept.html" in [t.name for t in response.templates]
    assert Quote.objects.get(pk=quote.pk).state == Quote.State.OPEN


def test_accepting_an_expired_quote_says_so_and_changes_nothing(client, world, direct_site):
    """N6: an expired quote cannot be accepted: the message says when it expired."""
    quote, _due, _later = _coterm_quote(direct_site)
    Quote.objects.filter(pk=quote.pk).update(valid_until=today() - timedelta(days=1))
    client_for(client, world, "primary")
    response = client.post(
        reverse("renewals:quote_accept", args=[quote.number]), {"confirm": "1"}, follow=True
    )
    assert "expired on" in response.content.decode()
    assert not Order.objects.filter(source=Order.Source.QUOTE).exists()
    response = client.get(reverse("renewals:quote_accept", args=[quote.number]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("renewals:quote_detail", args=[quote.number])
    assert "expired on" in response.content.decode()


def test_accepting_twice_says_it_was_already_accepted(client, world, direct_site):
    """N6: a quote is accepted once; the second click gets the reason, no second order."""
    quote, _due, _later = _coterm_quote(direct_site)
    client_for(client, world, "primary")
    url = reverse("renewals:quote_accept", args=[quote.number])
    client.post(url, {"confirm": "1"})
    response = client.post(url, {"confirm": "1"})
    assert "already accepted" in response.content.decode()
    assert Order.objects.filter(source=Order.Source.QUOTE).count() == 1


def test_accepting_a_superseded_quote_points_to_the_revision(client, world, direct_site):
    due = ending_on(direct_site, today() + timedelta(days=40))
    first = renewal_quote_for([due], as_of=today(), series_key="s")
    second = renewal_quote_for([due], as_of=today(), series_key="s")
    client_for(client, world, "primary")
    response = client.post(
        reverse("renewals:quote_accept", args=[first.number]), {"confirm": "1"}, follow=True
    )
    assert second.number in response.content.decode()
    assert Quote.objects.get(pk=first.pk).state == Quote.State.SUPERSEDED


def test_a_made_up_coterm_choice_is_refused_and_nothing_is_ordered(client, world, direct_site):
    quote, _due, _later = _coterm_quote(direct_site)
    client_for(client, world, "primary")
    response = client.post(
        reverse("renewals:quote_accept", args=[quote.number]),
        {"coterm": "999:999", "confirm": "1"},
    )
    assert response.status_code == 200
    assert Quote.objects.get(pk=quote.pk).state == Quote.State.OPEN


def test_declining_asks_for_confirmation_and_keeps_the_reason(client, world, direct_site):
    quote, _due, _later = _coterm_quote(direct_site)
    client_for(client, world, "primary")
    url = reverse("renewals:quote_decline", args=[quote.number])
    assert client.get(url).status_code == 200
    client.post(url, {"reason": "Budget"})  # not confirmed
    assert Quote.objects.get(pk=quote.pk).state == Quote.State.OPEN
    response = client.post(url, {"reason": "Budget", "confirm": "1"}, follow=True)
    quote.refresh_from_db()
    assert (quote.state, quote.decline_reason) == (Quote.State.DECLINED, "Budget")
    assert "is declined" in response.content.decode()
    response = client.post(url, {"reason": "Again", "confirm": "1"})
    assert "was declined" in response.content.decode()


def test_technical_contacts_cannot_open_accept_or_decline_a_quote(client, world):
    due = ending_on(world.site, today() + timedelta(days=40))
    quote = sent(renewal_quote_for([due], as_of=today()))
    client_for(client, world, "stc")
    for name in ("renewals:quote_detail", "renewals:quote_accept", "renewals:quote_decline"):
        assert client.get(reverse(name, args=[quote.number])).status_code == 403


def _quote_of(site, size):
    products = [ProductFactory() for _ in range(4)]
    anniversary = site.agreement.next_anniversary(today())
    entitlements = [
        ending_on(
            site,
            anniversary - timedelta(days=n % 20) if n % 2 else anniversary + timedelta(days=40),
            product=products[n % 4],
        )
        for n in range(size)
    ]
    return renewal_quote_for(
        entitlements, as_of=today(), due_through=anniversary, valid_until=anniversary
    )


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("role", ["primary", "reseller", "staff"])
def test_the_quote_pages_have_a_fixed_query_ceiling(
    client, world, django_assert_max_num_queries, size, role
):
    """STYLE: the quote page and its review at 5 and 200 lines, the same ceiling."""
    quote = sent(_quote_of(world.site, size))
    assert quote.lines.count() == size
    client_for(client, world, role)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("renewals:quote_detail", args=[quote.number]))
    assert response.status_code == 200
    with django_assert_max_num_queries(14):
        response = client.get(reverse("renewals:quote_accept", args=[quote.number]))
    assert response.status_code == 200
    with django_assert_max_num_queries(14):
        response = client.get(reverse("renewals:quote_decline", args=[quote.number]))
    assert response.status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_an_accepted_quote_page_has_a_fixed_query_ceiling(
    client, world, direct_site, django_assert_max_num_queries, size
):
    quote = _quote_of(direct_site, size)
    quote_accept(
        quote_id=quote.pk, actor=world.users["primary"], as_of=today(), now=at_noon(today())
    )
    client_for(client, world, "primary")
    with django_assert_max_num_queries(16):
        response = client.get(reverse("renewals:quote_detail", args=[quote.number]))
    assert response.status_code == 200
    assert response.context["orders"]


def test_a_quote_of_another_tenant_is_404_on_every_page(client, world):
    """A4: the same answer as a missing quote, whatever the page or method."""
    due = ending_on(world.other_site, today() + timedelta(days=40))
    quote = renewal_quote_for([due], as_of=today())
    client_for(client, world, "primary")
    for name in ("renewals:quote_detail", "renewals:quote_accept", "renewals:quote_decline"):
        url = reverse(name, args=[quote.number])
        assert client.get(url).status_code == 404
        assert client.post(url, {"confirm": "1"}).status_code == 404
