"""Counting toward levels (N7, N8, N9): PA points and VIP qualifying licences bought in an
agreement year, in one aggregate query over the agreement's order lines — for one agreement
(`year_count`), for every agreement a job is about in ONE grouped query (`year_counts`), for
one order not yet placed (`order_count`); and the qualifying licences an agreement holds
(`qualifying_held`, N9: what a three-year commitment is measured against)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.db.models import F, Q, Sum

from accounts.models import Agreement
from licensing.models import Entitlement, OrderLine


def _volume(programme: str):
    """N7: points per unit × quantity (PA); N8: the quantity of qualifying licences (VIP:
    products that count toward volume; consumables and excluded offerings never do)."""
    if programme == "PA":
        return Sum(F("quantity") * F("product__points_per_unit"))
    return Sum("quantity", filter=Q(product__counts_toward_volume=True))


def year_count(*, agreement: Agreement, starts: date, ends: date) -> int:
    """N7: PA points of every site of the enterprise; N8: VIP qualifying licences; bought
    from `starts` through `ends`."""
    lines = OrderLine.objects.filter(
        order__site__agreement=agreement,
        order__ordered_on__gte=starts,
        order__ordered_on__lte=ends,
    )
    total = lines.aggregate(total=_volume(agreement.programme))["total"]
    return int(total or 0)


def year_counts(*, programme: str, windows: Mapping[int, tuple[date, date]]) -> dict[int, int]:
    """`year_count` for many agreements of one programme at once: `windows` maps agreement
    ids to their (starts, ends). Agreements sharing a window are asked together, so the
    query has one condition per distinct window (at most one per anniversary month on a
    job's day), grouped by agreement. Agreements that bought nothing are absent (0)."""
    by_window: dict[tuple[date, date], list[int]] = {}
    for agreement_id, window in windows.items():
        by_window.setdefault(window, []).append(agreement_id)
    if not by_window:
        return {}
    condition = Q()
    for (starts, ends), ids in by_window.items():
        condition |= Q(
            order__site__agreement_id__in=ids,
            order__ordered_on__gte=starts,
            order__ordered_on__lte=ends,
        )
    rows = (
        OrderLine.objects.filter(condition)
        .values("order__site__agreement_id")
        .annotate(total=_volume(programme))
        .order_by()
    )
    return {row["order__site__agreement_id"]: int(row["total"] or 0) for row in rows}


def order_count(*, programme: str, lines: Iterable) -> int:
    """N7/N8: an order's own points (PA) or qualifying licences (VIP), from its lines (order
    lines or licensing's LineRequests: anything with `product` and `quantity`)."""
    if programme == "PA":
        return sum(line.quantity * line.product.points_per_unit for line in lines)
    if programme == "VIP":
        return sum(line.quantity for line in lines if line.product.counts_toward_volume)
    return 0


def qualifying_held(*, agreement_id: int, covered_on: date) -> int:
    """N9: qualifying licences the agreement's sites hold with S&S (the subscription)
    covering `covered_on`: the current count a commitment must reach, and, the day after an
    anniversary, what was renewed by it."""
    total = Entitlement.objects.filter(
        site__agreement_id=agreement_id,
        product__counts_toward_volume=True,
        quantity__gt=0,
        coverage_start__lte=covered_on,
        coverage_end__gte=covered_on,
    ).aggregate(total=Sum("quantity"))["total"]
    return int(total or 0)
