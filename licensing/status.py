"""L3: an entitlement's derived status — covered, expiring (coverage ends within 90 days) or
lapsed (coverage ended) — defined once. `entitlement_status` is the rule on plain values; the
database expressions (`status_conditions`, `status_expression`) are built from the same
constants, so lists can filter, sort and count by status, and tests/licensing/test_status.py
checks that the two agree on every boundary."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Case, CharField, Q, TextChoices, Value, When
from django.utils.translation import gettext_lazy as _

EXPIRING_WITHIN = timedelta(days=90)  # L3: "expiring" when coverage ends within 90 days


class EntitlementStatus(TextChoices):
    COVERED = "covered", _("Covered")
    EXPIRING = "expiring", _("Expiring")
    LAPSED = "lapsed", _("Lapsed")


def entitlement_status(coverage_end: date, as_of: date) -> EntitlementStatus:
    """L3: lapsed once the last day of coverage has passed; expiring while that day is at
    most 90 days ahead (the last day itself included); covered before that."""
    if coverage_end < as_of:
        return EntitlementStatus.LAPSED
    if coverage_end <= as_of + EXPIRING_WITHIN:
        return EntitlementStatus.EXPIRING
    return EntitlementStatus.COVERED


def status_conditions(coverage_end: str, as_of: date) -> dict[EntitlementStatus, Q]:
    """The same rule as `entitlement_status`, one condition per status on the field
    `coverage_end` (a lookup path such as "coverage_end" or "entitlement__coverage_end")."""
    horizon = as_of + EXPIRING_WITHIN
    return {
        EntitlementStatus.LAPSED: Q(**{f"{coverage_end}__lt": as_of}),
        EntitlementStatus.EXPIRING: Q(
            **{f"{coverage_end}__gte": as_of, f"{coverage_end}__lte": horizon}
        ),
        EntitlementStatus.COVERED: Q(**{f"{coverage_end}__gt": horizon}),
    }


def status_expression(coverage_end: str, as_of: date, *, blank_when_missing: bool = False) -> Case:
    """`entitlement_status` computed in the database. With blank_when_missing, a row without
    the field (an order line that gave no entitlement: a consumable) gets ""."""
    missing = (
        [When(**{f"{coverage_end}__isnull": True}, then=Value(""))] if blank_when_missing else []
    )
    return Case(
        *missing,
        *(
            When(condition, then=Value(status.value))
            for status, condition in status_conditions(coverage_end, as_of).items()
        ),
        output_field=CharField(),
    )
