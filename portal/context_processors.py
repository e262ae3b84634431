"""Navigation by role for base.html, and which menu item is the current page."""

# Review #7 item 23: the menu item a page belongs to, by URL name (request.resolver_match),
# so base.html marks it with aria-current="page". Computed once here, not in every template.
NAV_SECTIONS = {
    "dashboard": "dashboard",
    "licensing:inventory": "inventory",
    "licensing:entitlement_detail": "inventory",
    "licensing:move_create": "inventory",
    "licensing:downloads": "downloads",
    "accounts:reseller_clients": "clients",
    "accounts:reseller_client_detail": "clients",
    "accounts:reseller_enrol": "enrol",
    "renewals:reseller_renewals": "reseller_renewals",
    "licensing:import_upload": "import",
    "licensing:import_preview": "import",
    "licensing:import_confirm": "import",
    "accounts:profile": "profile",
    "licensing:update_preferences": "profile",
    # renewals: the customer's renewals page, its quotes and the calendar address
    "renewals:renewals": "renewals",
    "renewals:quote_detail": "renewals",
    "renewals:quote_accept": "renewals",
    "renewals:quote_decline": "renewals",
    "renewals:calendar": "renewals",
    # support, staff side: the work queue and the escalation queue
    "support:queue": "support_queue",
    "support:escalations": "support_queue",
    # support: the ticket list, opening a ticket, the ticket page and its forms
    "support:tickets": "support",
    "support:ticket_new": "support",
    "support:ticket_create": "support",
    "support:ticket_detail": "support",
    "support:ticket_comment": "support",
    "support:ticket_escalate": "support",
}


def _current_section(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    name = match.view_name
    if name in NAV_SECTIONS:
        return NAV_SECTIONS[name]
    # A site's own pages (overview, contacts, orders, transfers, statement…) sit under "Sites".
    if "number" in match.kwargs:
        return "dashboard"
    return ""


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_role": "anonymous", "nav_current": _current_section(request)}
    if user.is_staff:
        role = "staff"
    elif user.reseller_id:
        role = "reseller"
    else:
        role = "customer"
    return {"nav_role": role, "nav_current": _current_section(request)}
