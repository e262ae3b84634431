"""Shared view helpers for licensing pages."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.selectors import customers_for_reseller, site_get_for_user, sites_for_user
from licensing import selectors


class _Echo:
    """A file-like object whose write() hands the line back to the csv writer's caller."""

    def write(self, value: str) -> str:
        return value


# Text a spreadsheet would run as a formula (CSV injection): tenant-supplied names are text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_stream(*, filename: str, header: list[str], rows: Iterable) -> StreamingHttpResponse:
    """Stream a CSV in constant memory (L5): rows are written as they are read. Text cells that
    a spreadsheet would evaluate as formulas are quoted with a leading apostrophe."""

    def lines() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff"  # a BOM so spreadsheet programs read UTF-8
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([spreadsheet_safe(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# The clock is read here, at the edge; services and rules are given the day (as_of) or the
# moment (now) as keyword arguments.
def today() -> date:
    return timezone.localdate()


def now() -> datetime:
    return timezone.now()


def scope_choices(user):
    """The sites and (for resellers) clients a user may filter by."""
    clients = (
        customers_for_reseller(reseller=user.reseller).only("pk", "name", "kind")
        if user.reseller_id
        else None
    )
    # Only what the options show: a reseller may manage hundreds of sites (tests/bench).
    return sites_for_user(user).only("pk", "number", "name").order_by("number"), clients


# Lookups for accounts.decorators.allow_methods: a refused method still answers 404 for an
# object outside the user's scope (A4).
def scope_site(request, *, number: str, **_kwargs) -> None:
    site_get_for_user(user=request.user, number=number)


def scope_entitlement(request, *, entitlement_id: int, **_kwargs) -> None:
    get_object_or_404(selectors.entitlements_for_user(request.user).only("pk"), pk=entitlement_id)


def scope_order(request, *, order_id: int, **_kwargs) -> None:
    get_object_or_404(selectors.orders_for_user(request.user).only("pk"), pk=order_id)


def scope_poe(request, *, poe_id: int, **_kwargs) -> None:
    selectors.poe_get_for_user(user=request.user, poe_id=poe_id)


def scope_entitlement_site(request, *, entitlement_id: int, **_kwargs):
    """The site of an entitlement the user can see, for the permission check on it."""
    entitlements = selectors.entitlements_for_user(request.user).select_related("site")
    return get_object_or_404(entitlements, pk=entitlement_id).site


def scope_batch(request, *, batch_id: int, **_kwargs):
    """L6: an upload of the user's own reseller (staff: any); another's is a 404."""
    return selectors.batch_get_for_user(user=request.user, batch_id=batch_id)
