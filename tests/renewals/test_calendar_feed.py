"""The .ics feed (A1, N6, N8, A4): the next two anniversaries per agreement the user sees, the
VIP reconciliation 31 days before each, the deadlines of the quotes waiting for the user;
stable UIDs; the secret address is the credential, replacing it ends the old one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from renewals.models import CalendarFeed, Quote
from renewals.pricing import next_anniversary, reconciliation_day
from tests.accounts.factories import AgreementFactory, ContactFactory, SiteFactory
from tests.conftest import client_for
from tests.licensing.factories import EntitlementFactory
from tests.renewals.factories import renewal_quote_for

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def feed_of(client, user):
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    response = client.get(reverse("renewals:calendar_feed", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events(calendar) -> dict[str, tuple]:
    return {
        str(event["uid"]): (event.decoded("dtstart"), str(event["summary"]))
        for event in calendar.walk("VEVENT")
    }


def quote_for(site):
    start = today() - timedelta(days=300)
    entitlement = EntitlementFactory(
        site=site, purchased_on=start, coverage_start=start, coverage_end=today() + timedelta(60)
    )
    return renewal_quote_for([entitlement], as_of=today(), valid_until=today() + timedelta(20))


def test_the_feed_lists_the_next_two_anniversaries_with_stable_uids(client, world):
    """A1: the anniversary is the last day of the month, this year's (or next) and the one
    after; a second read gives the same UIDs (a calendar updates, it does not duplicate)."""
    user = world.users["primary"]
    agreement = world.site.agreement
    first = next_anniversary(today(), agreement.anniversary_month)
    second = next_anniversary(first + timedelta(days=1), agreement.anniversary_month)

    found = events(feed_of(client, user))

    days = sorted(day for uid, (day, _s) in found.items() if uid.startswith("anniversary-"))
    assert days == [first, second]
    assert set(found) == set(events(feed_of(client, user)))


def test_a_vip_agreement_adds_its_reconciliation_days(client, world):
    """N8: reconciliation 31 days before each anniversary, for VIP agreements only."""
    vip = AgreementFactory(customer=world.site.customer, programme="VIP", anniversary_month=6)
    vip_site = SiteFactory(agreement=vip, customer=world.site.customer)
    ContactFactory(site=vip_site, user=world.users["primary"], is_primary=True)
    first = next_anniversary(today(), 6)

    found = events(feed_of(client, world.users["primary"]))

    reconciliations = sorted(
        day for uid, (day, _s) in found.items() if uid.startswith("reconciliation-")
    )
    assert reconciliations[0] == reconciliation_day(first)
    assert len(reconciliations) == 2
    assert all(f"-{vip.pk}-" in uid for uid in found if uid.startswith("reconciliation-"))


def test_quote_deadlines_follow_who_may_open_the_quote(client, world):
    """A4/N6: the primary contact and the reseller see the quote's deadline; the STC (no
    quotes, SPEC §1) and the other tenant do not."""
    quote = quote_for(world.site)
    quote_uid = f"quote-{quote.number}@entitle.renewals"
    Quote.objects.filter(pk=quote.pk).update(state=Quote.State.OPEN)
    for role, sees in (
        ("primary", True),
        ("reseller", True),
        ("staff", True),
        ("stc", False),
        ("other_customer", False),
        ("other_reseller", False),
    ):
        found = events(feed_of(client, world.users[role]))
        assert (quote_uid in found) is sees, role
        if sees:
            assert found[quote_uid][0] == quote.valid_until


def test_the_feed_shows_only_the_agreements_the_user_sees(client, world):
    """A4: the other tenant's anniversary is not in the feed."""
    found = events(feed_of(client, world.users["primary"]))
    own = f"-{world.site.agreement.pk}-"
    other = f"-{world.other_site.agreement.pk}-"
    assert any(own in uid for uid in found)
    assert not any(other in uid for uid in found)


def test_an_unknown_or_replaced_address_is_404_and_needs_no_sign_in(client, world):
    user = world.users["primary"]
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    old = reverse("renewals:calendar_feed", args=[feed.token])
    assert client.get(old).status_code == 200  # anonymous: the address is the credential
    assert client.get(reverse("renewals:calendar_feed", args=["made-up"])).status_code == 404
    client_for(client, world, "primary")
    client.post(reverse("renewals:calendar"), {"confirm": "1"})
    client.logout()
    assert client.get(old).status_code == 404
    feed.refresh_from_db()
    assert client.get(reverse("renewals:calendar_feed", args=[feed.token])).status_code == 200


def test_replacing_the_address_asks_for_confirmation_first(client, world):
    client_for(client, world, "primary")
    page = client.get(reverse("renewals:calendar"))
    token = CalendarFeed.objects.get(user=world.users["primary"]).token
    assert token in page.content.decode()
    confirm = client.post(reverse("renewals:calendar"))
    assert confirm.status_code == 200
    assert "Replace the address?" in confirm.content.decode()
    assert CalendarFeed.objects.get(user=world.users["primary"]).token == token


def test_a_deactivated_users_feed_is_gone(client, world):
    user = world.users["primary"]
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(reverse("renewals:calendar_feed", args=[feed.token])).status_code == 404


@pytest.mark.parametrize("size", [5, 200])
def test_the_feed_has_a_fixed_query_ceiling(client, world, django_assert_max_num_queries, size):
    for _ in range(size // 5):
        quote_for(world.site)
    Quote.objects.update(state=Quote.State.OPEN)
    feed, _ = CalendarFeed.objects.get_or_create(user=world.users["primary"])
    with django_assert_max_num_queries(5):
        response = client.get(reverse("renewals:calendar_feed", args=[feed.token]))
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 2 + size // 5
