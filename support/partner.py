"""S8 reads for a certified service partner: which of its client sites hold hardware whose
support does not cover today (their tickets are refused: support.eligibility.partner_refusal),
and those hardware lines.

The list costs one query per page for the sites (the uncovered count is a subquery
annotation) and one for the lines shown, whatever the number of rows."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import Organisation, Site
from licensing.models import Entitlement, Product

SORTS = {
    "site": ("number",),
    "-site": ("-number",),
    "customer": ("customer__name", "number"),
    "-customer": ("-customer__name", "number"),
    "-uncovered": ("-uncovered_count", "number"),
    "uncovered": ("uncovered_count", "number"),
}
DEFAULT_SORT = "-uncovered"


def is_partner_user(user) -> bool:
    """S8: a user of a certified service partner (the coverage page is theirs)."""
    return bool(
        user.is_authenticated and user.reseller_id and user.reseller.is_certified_service_partner
    )


def _not_covered_on(as_of: date) -> Q:
    """A held line whose support does not cover `as_of` (lapsed or not started yet)."""
    return Q(quantity__gt=0) & (Q(coverage_start__gt=as_of) | Q(coverage_end__lt=as_of))


def uncovered_hardware_lines(*, as_of: date) -> QuerySet[Entitlement]:
    """S8: hardware lines not covered on `as_of` (the same rule as
    support.eligibility.uncovered_hardware, for many sites at once)."""
    return Entitlement.objects.filter(_not_covered_on(as_of), product__kind=Product.Kind.HARDWARE)


def partner_sites_with_coverage(
    *, partner: Organisation, as_of: date, flagged_only: bool = True, sort: str = DEFAULT_SORT
) -> QuerySet[Site]:
    """The partner's client sites, each annotated with `uncovered_count` (its hardware lines
    not covered on `as_of`); `flagged_only` keeps the sites with at least one."""
    counts = (
        uncovered_hardware_lines(as_of=as_of)
        .filter(site=OuterRef("pk"))
        .order_by()
        .values("site")
        .annotate(count=Count("pk"))
        .values("count")
    )
    sites = (
        Site.objects.filter(reseller=partner)
        .select_related("customer")
        .annotate(uncovered_count=Coalesce(Subquery(counts, output_field=IntegerField()), Value(0)))
    )
    if flagged_only:
        sites = sites.filter(uncovered_count__gt=0)
    return sites.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))


def uncovered_lines_by_site(*, site_ids: list[int], as_of: date) -> dict[int, list[Entitlement]]:
    """The uncovered hardware lines of the sites shown, in one query."""
    lines = (
        uncovered_hardware_lines(as_of=as_of)
        .filter(site_id__in=site_ids)
        .select_related("product")
        .order_by("site_id", "product__name", "pk")
    )
    grouped: dict[int, list[Entitlement]] = defaultdict(list)
    for line in lines:
        grouped[line.site_id].append(line)
    return dict(grouped)


def partner_flagged_site_count(*, partner: Organisation, as_of: date) -> int:
    """S8: how many of the partner's client sites have uncovered hardware (one query)."""
    uncovered = uncovered_hardware_lines(as_of=as_of).filter(site=OuterRef("pk"))
    return Site.objects.filter(reseller=partner).filter(Exists(uncovered)).count()


def client_flagged_site_counts(
    *, partner: Organisation, customer_ids: list[int], as_of: date
) -> dict[int, int]:
    """S8: per client (customer id), how many of its sites the partner manages have
    uncovered hardware (one query, for the reseller's clients page)."""
    uncovered = uncovered_hardware_lines(as_of=as_of).filter(site=OuterRef("pk"))
    rows = (
        Site.objects.filter(reseller=partner, customer_id__in=customer_ids)
        .filter(Exists(uncovered))
        .order_by()
        .values("customer_id")
        .annotate(count=Count("pk"))
    )
    return {row["customer_id"]: row["count"] for row in rows}
