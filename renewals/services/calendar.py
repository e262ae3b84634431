"""The calendar feed's secret address (renewals.models.CalendarFeed): whoever has it can read
the feed, so its owner can replace it, and the old address stops working at once."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from portal.core.audit import acting_as
from renewals.models import CalendarFeed, new_feed_token


def calendar_feed_get_or_create(*, user: User) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic(durable=True)
def calendar_feed_replace(*, user: User) -> CalendarFeed:
    """A new secret address for the user's feed; the old one answers 404 from now on."""
    with acting_as(user):
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
        if not created:
            feed.token = new_feed_token()
            feed.save(update_fields=["token"])
    return feed
