"""The calendar feed (.ics) of a user's renewal dates and the page that gives its address.

The feed needs no sign-in: calendar programs cannot sign in, so the secret address is the
credential. An unknown (or replaced) address is a 404, the same answer for every method."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.decorators import guarded
from renewals.calendar import feed_ics
from renewals.models import CalendarFeed
from renewals.services.calendar import calendar_feed_get_or_create, calendar_feed_replace


def scope_feed(request, *, token: str, **_kwargs) -> CalendarFeed:
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404
    return feed


@guarded(methods=("GET",), login=False, scope=scope_feed, replacing="token")
def calendar_feed(request, feed):
    """The feed of the address's owner, scoped as the owner's pages are (A4)."""
    body = feed_ics(
        user=feed.user,
        as_of=timezone.localdate(),
        now=timezone.now(),
        quote_url=lambda number: request.build_absolute_uri(
            reverse("renewals:quote_detail", kwargs={"number": number})
        ),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="entitle-renewals.ics"'
    return response


@guarded(methods=("GET", "POST"))
def calendar(request):
    """The address of the user's feed to copy into a calendar program, and its replacement
    (the old address stops working): a POST asks for confirmation first."""
    if request.method == "POST" and request.POST.get("confirm") == "1":
        calendar_feed_replace(user=request.user)
        messages.success(
            request,
            _(
                "Your calendar has a new address. The old one no longer works: update it in "
                "your calendar program."
            ),
        )
        return redirect("renewals:calendar")
    feed = calendar_feed_get_or_create(user=request.user)
    return render(
        request,
        "renewals/calendar.html",
        {
            "feed_url": request.build_absolute_uri(
                reverse("renewals:calendar_feed", kwargs={"token": feed.token})
            ),
            "confirming": request.method == "POST",
        },
    )
