"""The portal's URLs plus a bare page for the inventory benchmark: one indexed query for the
same 25 rows, rendered without templates. The inventory page is compared against it."""

from django.http import HttpResponse
from django.urls import include, path
from django.utils.html import format_html_join

from licensing.models import Entitlement

PAGE_SIZE = 25


def bare_inventory(request):
    page = int(request.GET.get("page", "1"))
    offset = (page - 1) * PAGE_SIZE
    rows = (
        Entitlement.objects.filter(site__reseller_id=request.user.reseller_id)
        .order_by("pk")
        .values_list("poe_number", "quantity")[offset : offset + PAGE_SIZE]
    )
    return HttpResponse(format_html_join("", "<tr><td>{}</td><td>{}</td></tr>", rows))


urlpatterns = [
    path("bench/bare-inventory/", bare_inventory),
    path("", include("portal.urls")),
]
