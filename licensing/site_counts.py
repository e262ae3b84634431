"""Licence coverage per site for the accounts pages that show it (a reseller's client page),
answered through accounts.signals.site_coverage_requested: accounts imports no higher layer."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.dispatch import receiver

from accounts.signals import site_coverage_requested
from licensing.models import Entitlement
from licensing.status import status_conditions


@receiver(site_coverage_requested)
def site_coverage_counts(
    sender, *, site_ids: list[int], as_of: date, **kwargs
) -> dict[int, dict[str, int]]:
    """L3: per site, the licences (quantities) held that are covered, expiring or lapsed on
    `as_of`, in one query whatever the number of sites."""
    conditions = status_conditions("coverage_end", as_of)
    rows = (
        Entitlement.objects.filter(site_id__in=site_ids, quantity__gt=0)
        .values("site_id")
        .annotate(
            **{
                status.value: Coalesce(Sum("quantity", filter=Q(condition)), 0)
                for status, condition in conditions.items()
            }
        )
        .order_by()
    )
    return {
        row["site_id"]: {status.value: row[status.value] for status in conditions} for row in rows
    }
