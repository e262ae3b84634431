"""L6: checking a whole file: its rows grouped into orders, the order-level rules (one number
is one site, date and currency; a number is used once), and the preview summary."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import Site
from licensing.imports.columns import MAX_REPORTED_ERRORS, ORDERS_SHOWN, SQL_CHUNK
from licensing.imports.context import ImportContext
from licensing.imports.reader import Header, Reader
from licensing.imports.rows import ImportRow, RowError, RowErrors, check_row
from licensing.models import Order


@dataclass
class OrderGroup:
    site: Site
    number: str  # empty: a number is given on import
    ordered_on: date
    currency: str
    first_line: int
    lines: int = 0
    quantity: int = 0
    entitlements: int = 0


@dataclass
class FileCheck:
    """What reading a whole file found: its format, the orders its rows form, the errors."""

    format: str = ""
    rows: int = 0
    orders: dict[tuple, OrderGroup] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    header: Header | None = None  # what the header row said, for writing the file checked

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)

    @property
    def is_valid(self) -> bool:
        return self.error_count == 0

    @property
    def entitlement_count(self) -> int:
        return sum(group.entitlements for group in self.orders.values())

    def summary(self) -> dict:
        """The preview: totals, per site, and the first orders (JSON for ImportBatch)."""
        groups = sorted(self.orders.values(), key=lambda g: (g.site.number, g.ordered_on, g.number))
        sites: dict[str, dict] = {}
        for group in groups:
            site = sites.setdefault(
                group.site.number,
                {
                    "number": group.site.number,
                    "name": group.site.name,
                    "orders": 0,
                    "lines": 0,
                    "quantity": 0,
                    "entitlements": 0,
                },
            )
            site["orders"] += 1
            site["lines"] += group.lines
            site["quantity"] += group.quantity
            site["entitlements"] += group.entitlements
        return {
            "rows": self.rows,
            "orders": len(groups),
            "lines": sum(g.lines for g in groups),
            "quantity": sum(g.quantity for g in groups),
            "entitlements": self.entitlement_count,
            "sites": list(sites.values()),
            "orders_shown": [
                {
                    "site": g.site.number,
                    "number": g.number,
                    "ordered_on": g.ordered_on.isoformat(),
                    "lines": g.lines,
                    "quantity": g.quantity,
                    "entitlements": g.entitlements,
                }
                for g in groups[:ORDERS_SHOWN]
            ],
            "ignored_columns": self.ignored_columns,
        }


def _conflict(group: OrderGroup, row: ImportRow) -> tuple[str, str] | None:
    """One order number is one site, one date and one currency: (value name, message) when a
    row breaks that, else None."""
    values = {"number": row.order_number, "line": group.first_line}
    if group.site.pk != row.site.pk:
        message = _("Order %(number)s is for site %(site)s on line %(line)s.")
        return "order_number", message % {**values, "site": group.site.number}
    if group.ordered_on != row.ordered_on:
        message = _("Order %(number)s is dated %(date)s on line %(line)s.")
        return "ordered_on", message % {**values, "date": group.ordered_on.isoformat()}
    if group.currency != row.request.product.currency:
        message = _("Order %(number)s is in %(currency)s on line %(line)s; %(part)s is not.")
        return "product", message % {
            **values,
            "currency": group.currency,
            "part": row.request.product.part_number,
        }
    return None


def _group(check: FileCheck, reader: Reader, row: ImportRow, numbered: dict[str, tuple]) -> None:
    """Add a valid row to its order, or an error when it contradicts the order's first row."""
    if row.order_number:
        first = check.orders.get(numbered.setdefault(row.order_number, row.order_key))
        conflict = first and _conflict(first, row)
        if conflict:
            name, message = conflict
            check.add_error(RowError(row.line, reader.column_name(name), message))
            return
    product = row.request.product
    group = check.orders.get(row.order_key)
    if group is None:
        group = check.orders[row.order_key] = OrderGroup(
            site=row.site,
            number=row.order_number,
            ordered_on=row.ordered_on,
            currency=product.currency,
            first_line=row.line,
        )
    group.lines += 1
    group.quantity += row.request.quantity
    group.entitlements += int(product.creates_entitlement)


def _taken_order_numbers(check: FileCheck, column: str) -> None:
    """An order number the file gives must not exist yet: importing the same file twice is an
    error, not a second copy. (The message does not say whose order it is, A4.)"""
    numbered = [group for group in check.orders.values() if group.number]
    for start in range(0, len(numbered), SQL_CHUNK):
        chunk = {group.number: group for group in numbered[start : start + SQL_CHUNK]}
        for number in Order.objects.filter(number__in=chunk).values_list("number", flat=True):
            check.add_error(
                RowError(
                    chunk[number].first_line,
                    column,
                    _("Order number %(number)s already exists: was this file imported before?")
                    % {"number": number},
                )
            )


def valid_rows(reader: Reader, check: FileCheck) -> Iterator[ImportRow]:
    """The valid rows; the invalid ones add their errors to the check."""
    for line, cells in reader.rows():
        check.rows += 1
        try:
            yield check_row(reader, line, cells)
        except RowErrors as invalid:
            for error in invalid.errors:
                check.add_error(error)


def check_file(source, *, context: ImportContext, max_rows: int | None) -> FileCheck:
    """L6: read a whole file and check every row; nothing is written. Raises ValidationError
    when the file is refused as a whole (not UTF-8, an unknown or malformed header, too many
    columns or rows, no rows at all)."""
    reader = Reader(source, context, max_rows)
    check = FileCheck(format=reader.format, ignored_columns=reader.ignored, header=reader.layout)
    numbered: dict[str, tuple] = {}
    try:
        for row in valid_rows(reader, check):
            _group(check, reader, row, numbered)
    finally:
        reader.close()
    if check.rows == 0:
        raise ValidationError(
            _("The file has a header but no rows: add one row per order line under the header.")
        )
    _taken_order_numbers(check, reader.column_name("order_number"))
    check.errors.sort(key=lambda error: error.line)
    return check
