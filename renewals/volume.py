"""Counting toward levels (N7, N8): PA points and VIP qualifying licences bought in an
agreement year, in one aggregate query over the agreement's order lines."""

from __future__ import annotations

from datetime import date

from django.db.models import F, Sum

from accounts.models import Agreement
from licensing.models import OrderLine


def year_count(*, agreement: Agreement, starts: date, ends: date) -> int:
    """N7: PA points (points per unit × quantity) of every site of the enterprise; N8: VIP
    qualifying licences (products that count toward volume; consumables never do), bought from
    `starts` through `ends`."""
    lines = OrderLine.objects.filter(
        order__site__agreement=agreement,
        order__ordered_on__gte=starts,
        order__ordered_on__lte=ends,
    )
    if agreement.programme == "PA":
        total = lines.aggregate(total=Sum(F("quantity") * F("product__points_per_unit")))["total"]
    else:
        total = lines.filter(product__counts_toward_volume=True).aggregate(total=Sum("quantity"))[
            "total"
        ]
    return int(total or 0)
