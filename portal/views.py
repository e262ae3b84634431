"""The role-aware home dashboard."""

from django.shortcuts import render
from django.utils import timezone

from accounts import selectors
from accounts.decorators import allow_methods
from accounts.filters import SiteFilter
from portal.core.pagination import list_context


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
    return render(request, "portal/dashboard.html", {"filter": site_filter, **listing})
