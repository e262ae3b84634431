"""L6: writing a checked file: its orders, order lines, entitlements and their coverage
periods, with bulk inserts a batch at a time, in the transaction that checked it."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from licensing.imports.checks import FileCheck, valid_rows
from licensing.imports.columns import SQL_CHUNK
from licensing.imports.context import ImportContext
from licensing.imports.reader import Reader
from licensing.models import (
    CoveragePeriod,
    Entitlement,
    ImportBatch,
    Order,
    OrderLine,
    new_poe_number,
)
from licensing.services.orders import LineRequest, coverage_end_default, line_unit_price

IMPORT_BATCH_SIZE = 2_000


@dataclass(frozen=True)
class ImportedLine:
    """One valid imported row: its order (inserted first), the line, and the coverage end the
    file gives (None: the L2 default)."""

    order: Order
    line: LineRequest
    coverage_end: date | None = None
    note: str = ""


@dataclass
class ImportCounts:
    orders: int = 0
    lines: int = 0
    entitlements: int = 0


def entitlements_import(
    *,
    orders: Iterable[Order],
    lines: Iterable[ImportedLine],
    batch_size: int = IMPORT_BATCH_SIZE,
) -> ImportCounts:
    """L6: write imported orders, their lines, and for each software, hardware or subscription
    line an entitlement with one coverage period of kind IMPORT.

    The rows must already be valid (licensing.imports.rows checks them with validate_line). Rows
    are written with bulk inserts `batch_size` at a time, so a 100,000-row file takes seconds
    and memory holds one batch: `lines` may be a lazy iterator, read after the orders it
    refers to are inserted. Bulk inserts send no signals, so the import batch record is the
    audit trail (who, when, what) of these rows."""
    orders = list(orders)
    Order.objects.bulk_create(orders, batch_size=batch_size)
    counts = ImportCounts(orders=len(orders))
    iterator = iter(lines)
    while chunk := list(itertools.islice(iterator, batch_size)):
        _import_chunk(chunk, counts)
    return counts


def _import_chunk(chunk: list[ImportedLine], counts: ImportCounts) -> None:
    # Ids rather than objects: assigning related objects costs more than the insert itself.
    order_lines = [
        OrderLine(
            order_id=item.order.pk,
            product_id=item.line.product.pk,
            edition_id=item.line.edition.pk if item.line.edition else None,
            version_id=item.line.version.pk if item.line.version else None,
            quantity=item.line.quantity,
            unit_price=line_unit_price(
                site=item.order.site, line=item.line, ordered_on=item.order.ordered_on
            ),
        )
        for item in chunk
    ]
    OrderLine.objects.bulk_create(order_lines)
    entitlements, notes = [], []
    for item, order_line in zip(chunk, order_lines, strict=True):
        product = item.line.product
        if not product.creates_entitlement:
            continue  # L2: consumables are purchases only
        start = item.order.ordered_on
        site = item.order.site
        entitlements.append(
            Entitlement(
                site_id=site.pk,
                product_id=product.pk,
                edition_id=order_line.edition_id,
                version_id=order_line.version_id,
                quantity=item.line.quantity,
                order_line_id=order_line.pk,
                purchased_on=start,
                coverage_start=start,
                coverage_end=item.coverage_end
                or coverage_end_default(site=site, product=product, start=start),
            )
        )
        notes.append(item.note)
    _unique_poe_numbers(entitlements)
    Entitlement.objects.bulk_create(entitlements)
    CoveragePeriod.objects.bulk_create(
        CoveragePeriod(
            entitlement_id=entitlement.pk,
            starts_on=entitlement.coverage_start,
            ends_on=entitlement.coverage_end,
            kind=CoveragePeriod.Kind.IMPORT,
            note=note[:200],
        )
        for entitlement, note in zip(entitlements, notes, strict=True)
    )
    counts.lines += len(order_lines)
    counts.entitlements += len(entitlements)


def _unique_poe_numbers(entitlements: list[Entitlement]) -> None:
    """Random PoE numbers can clash once there are many; draw again for any number already
    used (a query per 500) or drawn twice in the batch, so one clash never fails a
    whole import."""
    while True:
        numbers = [entitlement.poe_number for entitlement in entitlements]
        taken: set[str] = set()
        for start in range(0, len(numbers), 500):  # SQLite's default limit is 999 parameters
            taken.update(
                Entitlement.objects.filter(poe_number__in=numbers[start : start + 500]).values_list(
                    "poe_number", flat=True
                )
            )
        seen: set[str] = set()
        clashed = False
        for entitlement in entitlements:
            if entitlement.poe_number in taken or entitlement.poe_number in seen:
                entitlement.poe_number = new_poe_number()
                clashed = True
            seen.add(entitlement.poe_number)
        if not clashed:
            return


def _new_orders(check: FileCheck, *, batch: ImportBatch, actor: User | None) -> dict:
    """The Order of each group, unsaved; a group without a number gets IMP-<batch>-<n>."""
    orders = {}
    for index, (key, group) in enumerate(check.orders.items(), start=1):
        orders[key] = Order(
            number=group.number or f"IMP-{batch.pk}-{index:06d}",
            site=group.site,
            ordered_on=group.ordered_on,
            # L2: the reseller the order went through, when a reseller imports its records.
            reseller=batch.reseller,
            source=Order.Source.IMPORT,
            currency=group.currency,
            created_by=actor,
        )
    given = {group.number for group in check.orders.values() if group.number}
    generated = [order for key, order in orders.items() if not check.orders[key].number]
    while generated:  # someone may have typed an IMP- number: draw those again
        taken = set(given)
        for start in range(0, len(generated), SQL_CHUNK):
            numbers = [order.number for order in generated[start : start + SQL_CHUNK]]
            taken |= set(Order.objects.filter(number__in=numbers).values_list("number", flat=True))
        generated = [order for order in generated if order.number in taken]
        for order in generated:
            order.number = f"IMP-{batch.pk}-{secrets.token_hex(4).upper()}"
    return orders


def write_file(
    source, *, context: ImportContext, check: FileCheck, batch: ImportBatch, actor: User | None
) -> ImportCounts:
    """L6: import a file `check_file` found valid, reading it a second time so that memory
    holds the orders and one batch of rows, never the whole file. Call inside the transaction
    that checked it."""
    orders = _new_orders(check, batch=batch, actor=actor)
    # The header as the check read it: the row is compared, its names are not read again.
    reader = Reader(source, context, None, header=check.header)
    after_check = FileCheck()

    note = _("Imported from %(file)s, line %(line)s")
    file_name = batch.original_name[:120]

    def lines() -> Iterator[ImportedLine]:
        for row in valid_rows(reader, after_check):
            yield ImportedLine(
                order=orders[row.order_key],
                line=row.request,
                coverage_end=row.coverage_end,
                note=note % {"file": file_name, "line": row.line},
            )

    try:
        counts = entitlements_import(orders=orders.values(), lines=lines())
    finally:
        reader.close()
    if not after_check.is_valid or after_check.rows != check.rows:
        raise ValidationError(_("The file changed while it was imported; nothing was imported."))
    return counts
