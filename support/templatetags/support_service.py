"""The ticket page's advance-replacement (S6) and onsite (S7) box: what it lists and offers,
in a fixed number of queries whatever the number of RMAs and visits (two lists, and the
permission checks on the already loaded ticket)."""

from __future__ import annotations

from django import template

from licensing.models import Product
from support.models import OnsiteRequest, ReplacementRequest

register = template.Library()


@register.simple_tag(takes_context=True)
def service_panel_for(context, ticket) -> dict:
    """{% service_panel_for ticket as panel %}: the ticket's RMAs and onsite requests, and
    whether the user may ask for another (hardware tickets only for replacements)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    may_follow_up = bool(user is not None and user.has_perm("ticket.follow_up", ticket))
    is_open = ticket.status != "closed"
    return {
        "replacements": list(
            ReplacementRequest.objects.filter(ticket=ticket).order_by("-requested_at", "-pk")
        ),
        "onsite_requests": list(
            OnsiteRequest.objects.filter(ticket=ticket)
            .select_related("quote", "zone")
            .order_by("-requested_at", "-pk")
        ),
        "can_request_rma": may_follow_up
        and is_open
        and ticket.product.kind == Product.Kind.HARDWARE,
        "can_request_onsite": may_follow_up and is_open,
        # Quotes are money (renewals.rules): for those who see the site's prices; others
        # see the quote's number without the link (one check for all the visits).
        "can_view_quotes": bool(
            user is not None and user.has_perm("site.view_prices", ticket.site)
        ),
    }
