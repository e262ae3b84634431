"""The .ics feed of a user's renewal dates: the next two anniversaries of each agreement the
user sees (A1), the VIP reconciliation 31 days before each (N8), and the deadlines of the
quotes waiting for the user's decision (N6). Scoped exactly like the renewals page (A4): the
feed of a user shows only what that user may see, quotes only where the user sees prices.

Every event has a UID derived from what it is about (the agreement and the date, the quote
number), so a calendar that reads the feed again updates its events instead of adding
copies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from accounts.models import User
from renewals.pricing import next_anniversary, reconciliation_day
from renewals.selectors import feed_quotes_for_user, renewal_agreements_for_user

UID_DOMAIN = "entitle.renewals"


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    day: date
    summary: str
    description: str = ""
    url: str = ""


def feed_events(*, user: User, as_of: date, quote_url=None) -> list[FeedEvent]:
    """The events of `user`'s feed on `as_of`, day by day. `quote_url(number)` gives the
    absolute address of a quote page for its event."""
    events: list[FeedEvent] = []
    for agreement in renewal_agreements_for_user(user=user):
        first = next_anniversary(as_of, agreement.anniversary_month)
        second = next_anniversary(first + timedelta(days=1), agreement.anniversary_month)
        names = {"agreement": str(agreement), "customer": agreement.customer.name}
        for anniversary in (first, second):
            events.append(
                FeedEvent(
                    uid=f"anniversary-{agreement.pk}-{anniversary:%Y%m%d}@{UID_DOMAIN}",
                    day=anniversary,
                    summary=_("Anniversary of %(agreement)s (%(customer)s)") % names,
                    description=_("S&S due this month renews to the next anniversary."),
                )
            )
            if agreement.programme == "VIP":
                day = reconciliation_day(anniversary)
                events.append(
                    FeedEvent(
                        uid=f"reconciliation-{agreement.pk}-{anniversary:%Y%m%d}@{UID_DOMAIN}",
                        day=day,
                        summary=_("VIP reconciliation of %(agreement)s (%(customer)s)") % names,
                        description=_(
                            "The licences bought this subscription year set the level for the "
                            "next renewal."
                        ),
                    )
                )
    for quote in feed_quotes_for_user(user=user, as_of=as_of):
        events.append(
            FeedEvent(
                uid=f"quote-{quote.number}@{UID_DOMAIN}",
                day=quote.valid_until,
                summary=_("Quote %(number)s valid until today (%(customer)s)")
                % {"number": quote.number, "customer": quote.agreement.customer.name},
                description=quote.get_kind_display(),
                url=quote_url(quote.number) if quote_url else "",
            )
        )
    return sorted(events, key=lambda event: (event.day, event.uid))


def feed_ics(*, user: User, as_of: date, now: datetime, quote_url=None) -> bytes:
    """The feed as iCalendar (RFC 5545) bytes, in the user's language: all-day events."""
    with translation.override(user.language or "en"):
        calendar = Calendar()
        calendar.add("prodid", "-//Entitle//Renewals//EN")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("x-wr-calname", _("Entitle renewals"))
        for item in feed_events(user=user, as_of=as_of, quote_url=quote_url):
            event = Event()
            event.add("uid", item.uid)
            event.add("dtstamp", now)
            event.add("dtstart", item.day)
            event.add("dtend", item.day + timedelta(days=1))
            event.add("summary", item.summary)
            if item.description:
                event.add("description", item.description)
            if item.url:
                event.add("url", item.url)
            event.add("transp", "TRANSPARENT")
            calendar.add_component(event)
        return calendar.to_ical()
