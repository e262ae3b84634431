"""Object permissions on quotes (N6), checked with user.has_perm("quote.<action>", quote)
after the quote was looked up in the user's scope (renewals.selectors.quotes_for_user, A4).

Quotes are money: like prices (accounts.rules `site.view_prices`), they are for those who run
a site of the quote — its primary contact and site administrators, the account-managing
reseller — and for staff. STCs and authorized callers see the site, not its quotes (403)."""

import rules

from accounts.models import Site


@rules.predicate
def can_handle_quote(user, quote) -> bool:
    if quote is None:
        return False
    if user.is_staff:
        return True
    if user.reseller_id:
        return quote.reseller_id == user.reseller_id
    sites = Site.objects.filter(pk__in=quote.lines.values("site_id")).select_related("reseller")
    return any(user.has_perm("site.view_prices", site) for site in sites)


@rules.predicate
def is_quotes_reseller(user, quote) -> bool:
    """N6: the reseller that manages the client sets its client's price."""
    return quote is not None and bool(user.reseller_id) and quote.reseller_id == user.reseller_id


rules.add_perm("quote.view", can_handle_quote)
rules.add_perm("quote.accept", can_handle_quote)  # primary, site admin, the reseller, staff
rules.add_perm("quote.set_price", is_quotes_reseller)
