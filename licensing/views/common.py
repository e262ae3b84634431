"""Shared view helpers for licensing pages."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone

from accounts.selectors import customers_for_reseller, site_list_for_user


class _Echo:
    """A file-like object whose write() hands the line back to the csv writer's caller."""

    def write(self, value: str) -> str:
        return value


def csv_stream(*, filename: str, header: list[str], rows: Iterable) -> StreamingHttpResponse:
    """Stream a CSV in constant memory (L5): rows are written as they are read."""

    def lines() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff"  # a BOM so spreadsheet programs read UTF-8
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def today():
    return timezone.localdate()


def scope_choices(user):
    """The sites and (for resellers) clients a user may filter by."""
    clients = customers_for_reseller(reseller=user.reseller) if user.reseller_id else None
    return site_list_for_user(user=user).order_by("number"), clients
