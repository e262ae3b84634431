"""The role-aware home dashboard (review #7 item 21): what needs attention first — licence
counts by status (L3) linking to the filtered inventory, the next anniversary (A1), pending
transfers (L7), moves (L8) and invitations (A5) — then the sites, paginated."""

from django.shortcuts import render
from django.utils import timezone

from accounts import selectors
from accounts.decorators import allow_methods
from accounts.filters import SiteFilter
from licensing import selectors as licensing_selectors
from licensing.models import Entitlement
from portal import selectors as dashboard_selectors
from portal.core.pagination import list_context
from renewals.levels import level_panels_for_user
from support.clock import clock_readings_attach
from support.selectors import ticket_rows_for_user

PENDING_SHOWN = 5  # the oldest few of each kind of pending request, with a count of the rest


def _pending(queryset) -> dict:
    """The oldest requests of a kind and how many there are, in at most two queries."""
    shown = list(queryset[: PENDING_SHOWN + 1])
    count = queryset.count() if len(shown) > PENDING_SHOWN else len(shown)
    return {"rows": shown[:PENDING_SHOWN], "count": count}


def _attention(user, *, now) -> dict:
    # The day of the inventory's own status filter (licensing.views.common.today), so each
    # count equals the number of rows its link lists.
    as_of = timezone.localdate(now)
    counts = licensing_selectors.entitlement_status_counts(user=user, as_of=as_of)
    return {
        "status_counts": [
            {"status": status.value, "label": status.label, "count": counts[status.value]}
            for status in Entitlement.Status
        ],
        "next_anniversary": dashboard_selectors.next_anniversary_for_user(user=user, as_of=as_of),
        "pending_transfers": _pending(licensing_selectors.transfers_pending_for_user(user)),
        "pending_moves": _pending(licensing_selectors.moves_pending_for_user(user)),
        "pending_invitations": _pending(
            dashboard_selectors.invitations_pending_for_user(user=user, now=now)
        ),
    }


def _open_tickets(user, *, now) -> dict:
    """S1/S4: a customer's newest open tickets with their clocks (at most three queries)."""
    if user.is_staff or user.reseller_id:
        return {}
    found = _pending(ticket_rows_for_user(user).open().order_by("-opened_at", "-pk"))
    found["rows"] = clock_readings_attach(found["rows"], now=now)
    return {"open_tickets": found}


@allow_methods(("GET",))
def dashboard(request):
    """Customers see their sites, agreements and anniversaries; resellers their client sites;
    staff every site. All with search, filters, sorting and pagination."""
    user = request.user
    customers = None
    if user.reseller_id:
        customers = selectors.customers_for_reseller(reseller=user.reseller)
    sites = selectors.site_list_for_user(user=user)
    site_filter = SiteFilter(request.GET or None, queryset=sites, customers=customers)
    filtered = site_filter.qs if site_filter.is_bound else sites
    if not filtered.query.order_by:
        filtered = filtered.order_by("number")
    listing = list_context(request, filtered)
    now = timezone.now()  # the clock is read here, at the edge; each site's date is its own
    for site in listing["page"]:
        site.next_anniversary = site.agreement.next_anniversary(site.local_date(now))
    return render(
        request,
        "portal/dashboard.html",
        {
            "filter": site_filter,
            **listing,
            **_attention(user, now=now),
            # N7/N8/N9: a customer's levels, points or licences, and the progress chart.
            "level_panels": level_panels_for_user(user=user, as_of=timezone.localdate(now)),
            **_open_tickets(user, now=now),
        },
    )
