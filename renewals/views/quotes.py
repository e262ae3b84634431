"""Quote pages (N6)."""

from django.shortcuts import render

from accounts.decorators import guarded
from renewals.views.common import scope_quote


@guarded(methods=("GET",), scope=scope_quote, permission="quote.view", replacing="number")
def quote_detail(request, quote):
    lines = quote.lines.select_related("site", "product").order_by("position", "pk")
    return render(request, "renewals/quote_detail.html", {"quote": quote, "lines": lines})
