"""L6: checking one row: each value parsed, the catalogue looked up, the order rules (L2)
applied; every error of the row is collected with its line and column."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import Site
from licensing.imports.columns import MAX_LINE_QUANTITY, MAX_PRICE, ORDER_NUMBER_LENGTH, Format
from licensing.imports.reader import Reader
from licensing.models import Edition, Product, Version
from licensing.services.orders import LineRequest, validate_line
from portal.core.money import money

# Translated only when a row has the error: gettext per row would double a check's time.
NOT_WHOLE = gettext_lazy("“%(value)s” is not a whole number.")
NOT_A_DATE = gettext_lazy("“%(value)s” is not a date: write it as YYYY-MM-DD.")
NOT_AN_AMOUNT = gettext_lazy("“%(value)s” is not an amount such as 199.00.")
DATE_PATTERN = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$")
WHOLE_PATTERN = re.compile(r"^[+-]?\d+$")
PLAIN_AMOUNT = re.compile(r"^\d+(\.\d+)?$")


@dataclass(frozen=True)
class RowError:
    line: int  # the file's line number, the header being line 1
    column: str  # the column as the file names it; empty for the row as a whole
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass
class ImportRow:
    """One valid row, with the key of the order it belongs to."""

    line: int
    order_key: tuple
    site: Site
    order_number: str
    ordered_on: date
    request: LineRequest
    coverage_end: date | None


class RowErrors(Exception):  # noqa: N818  (a signal between helpers, never raised out)
    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors


class _Row:
    """One row's cells, read by value name; collects the errors it finds."""

    def __init__(self, reader: Reader, line: int, cells: list[str]) -> None:
        self.reader = reader
        self.line = line
        self.values = {name: cells[index].strip() for name, (index, _) in reader.columns.items()}
        self.errors: list[RowError] = []

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def error(self, name: str, message: str) -> None:
        self.errors.append(RowError(self.line, self.reader.column_name(name), str(message)))

    def parsed(self, name: str, parse: Callable[[str], object], message: str):
        text = self.value(name)
        if not text:
            return None
        try:
            return parse(text)
        except (ValueError, InvalidOperation):
            self.error(name, message % {"value": text})
            return None


def _date(text: str) -> date:
    match = DATE_PATTERN.match(text)
    if not match:
        raise ValueError(text)
    return date.fromisoformat(match.group(1))


def _whole(text: str) -> int:
    if text.isdigit():
        return int(text)
    if not WHOLE_PATTERN.match(text.replace(" ", "")):
        raise ValueError(text)
    return int(text.replace(" ", ""))


def parse_amount(text: str) -> Decimal:
    """199, 199.00, 199,00 (a decimal comma), 1,299.00 or 1.299,00; a currency sign or code
    around it is dropped."""
    if PLAIN_AMOUNT.match(text):
        return Decimal(text)
    text = re.sub(r"^[^\d\-.,]+|[^\d.,]+$", "", text.replace("\xa0", "").replace(" ", ""))
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")
    elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", text):
        text = text.replace(".", "").replace(",", ".")
    elif "," in text and "." not in text:
        text = text.replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise ValueError(text)
    return Decimal(text)


def check_row(reader: Reader, line: int, cells: list[str] | None) -> ImportRow:
    """One row as an ImportRow, or RowErrors with every error it has."""
    if cells is None:
        message = _("This is not valid CSV (%(reason)s); nothing after it was read.")
        raise RowErrors([RowError(line, "", message % {"reason": reader.malformed})])
    width = len(reader.header)
    if len(cells) < width or any(cell.strip() for cell in cells[width:]):
        raise RowErrors(
            [
                RowError(
                    line,
                    "",
                    _("This row has %(found)s; the header has %(width)s.")
                    % {
                        "found": ngettext("%(count)s field", "%(count)s fields", len(cells))
                        % {"count": len(cells)},
                        "width": ngettext("%(count)s column", "%(count)s columns", width)
                        % {"count": width},
                    },
                )
            ]
        )
    row = _Row(reader, line, cells)
    site = _site(row)
    product = _product(row)
    quantity = row.parsed("quantity", _whole, NOT_WHOLE)
    if quantity is None and not row.value("quantity"):
        row.error("quantity", _("Enter the quantity."))
    elif quantity is not None and quantity > MAX_LINE_QUANTITY:
        row.error("quantity", _("At most %(max)s per row.") % {"max": f"{MAX_LINE_QUANTITY:,}"})
    ordered_on, coverage_end = _dates(row, product)
    edition, version = _edition_version(row, product)
    order_number = row.value("order_number")
    if len(order_number) > ORDER_NUMBER_LENGTH:
        row.error(
            "order_number",
            _("An order number has at most %(max)s characters.") % {"max": ORDER_NUMBER_LENGTH},
        )
    unit_price = _unit_price(row, quantity)
    request = None
    if product is not None and ordered_on is not None:
        # L2's line rules (end of sale, quantity), even when the row has other errors, so
        # that every error is listed; a missing quantity is reported above.
        request = LineRequest(
            product=product,
            quantity=1 if quantity is None else quantity,
            edition=edition,
            version=version,
            unit_price=unit_price,
        )
        _validate_line(row, request, ordered_on)
    if row.errors or site is None or request is None or quantity is None:
        raise RowErrors(row.errors)
    key = (site.pk, order_number) if order_number else (site.pk, "", ordered_on, product.currency)
    return ImportRow(line, key, site, order_number, ordered_on, request, coverage_end)


def _validate_line(row: _Row, request: LineRequest, ordered_on: date) -> None:
    try:
        validate_line(line=request, ordered_on=ordered_on)
    except ValidationError as error:
        names = {"product": "product", "quantity": "quantity", "edition": "edition"}
        names |= {"version": "version", "unit_price": _price_name(row)}
        for name, messages in error.message_dict.items():
            for message in messages:
                row.error(names.get(name, ""), message)


def _site(row: _Row) -> Site | None:
    number = row.value("site")
    if not number:
        default = row.reader.context.default_site
        if default is None:
            row.error("site", _("Enter the site number."))
        return default
    site = row.reader.context.sites.get(number)
    if site is None:
        # A4: another tenant's site is answered like one that does not exist.
        row.error("site", _("Unknown site %(number)s.") % {"number": number})
    return site


def _product(row: _Row) -> Product | None:
    text = row.value("product")
    if not text:
        row.error("product", _("Enter the product."))
        return None
    context = row.reader.context
    product = context.products_by_part.get(text.casefold())
    if product is not None:
        return product
    if row.reader.format == Format.SNIPEIT:
        named = context.products_by_name.get(text.casefold(), [])
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            row.error(
                "product",
                _("%(count)s products are named “%(name)s”: use the part number instead.")
                % {"count": len(named), "name": text},
            )
            return None
    row.error("product", _("Unknown product %(product)s.") % {"product": text})
    return None


def _dates(row: _Row, product: Product | None) -> tuple[date | None, date | None]:
    ordered_on = row.parsed("ordered_on", _date, NOT_A_DATE)
    coverage_end = row.parsed("coverage_end", _date, NOT_A_DATE)
    as_of = row.reader.context.as_of
    if ordered_on is None:
        if not row.value("ordered_on"):
            row.error("ordered_on", _("Enter the order date."))
    elif ordered_on > as_of:
        row.error("ordered_on", _("An order date cannot be in the future."))
    if coverage_end is not None and product is not None and not product.creates_entitlement:
        row.error(
            "coverage_end",
            _("%(part)s is a consumable, which has no S&S coverage: leave this empty.")
            % {"part": product.part_number},
        )
    elif coverage_end is not None and ordered_on is not None and coverage_end < ordered_on:
        row.error("coverage_end", _("The coverage cannot end before the order date."))
    return ordered_on, coverage_end


def _edition_version(row: _Row, product: Product | None) -> tuple[Edition | None, Version | None]:
    context = row.reader.context
    edition = version = None
    edition_name, version_name = row.value("edition"), row.value("version")
    if product is not None and edition_name:
        edition = context.editions.get((product.pk, edition_name.casefold()))
        if edition is None:
            row.error(
                "edition",
                _("%(part)s has no edition %(edition)s.")
                % {"part": product.part_number, "edition": edition_name},
            )
    if product is not None and version_name:
        version = context.versions.get((product.pk, version_name.casefold()))
        if version is None:
            row.error(
                "version",
                _("%(part)s has no version %(version)s.")
                % {"part": product.part_number, "version": version_name},
            )
    return edition, version


def _price_name(row: _Row) -> str:
    return "total_price" if row.reader.format == Format.SNIPEIT else "unit_price"


def _unit_price(row: _Row, quantity: int | None) -> Decimal | None:
    name = _price_name(row)
    amount = row.parsed(name, parse_amount, NOT_AN_AMOUNT)
    if amount is None:
        return None
    if amount < 0:
        row.error(name, _("A price cannot be negative."))
        return None
    if name == "total_price":  # Snipe-IT: the cost of the licence as a whole
        if not quantity or quantity < 1:
            return None
        amount /= quantity
    amount = money(amount)
    if amount > MAX_PRICE:
        row.error(name, _("This price is too large."))
        return None
    return amount
