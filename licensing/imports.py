"""L6: CSV import of entitlements, for staff (the Django admin and the `import_entitlements`
command) and resellers (the portal's Imports page), e.g. to migrate from spreadsheets.

Two formats are read, told apart by the header row (names match ignoring case, and a space
or hyphen counts as an underscore):

**Entitle columns** — one row per order line:

================  =========  =================================================================
column            required   meaning
================  =========  =================================================================
site_number       yes [1]_   the site's 7-digit number; a site you cannot see is "unknown"
part_number       yes        the product's part number (L1)
quantity          yes        a whole number, at least 1
order_date        yes        YYYY-MM-DD, not in the future; the product must be on sale then
edition           no         an edition of that product (e.g. Pro)
version           no         a version of that product (e.g. 2024)
coverage_end      no         YYYY-MM-DD, the end of S&S; empty: 12 months from the order date,
                             a subscription to the agreement's next anniversary (L2)
order_number      no         rows with the same number form one order (at one site, on one
                             date); empty: one order per site, order date and currency
unit_price        no         a decimal such as 199.00; empty: the price a new order would get
================  =========  =================================================================

.. [1] May be left out, as a column or in a row, when a site is chosen on the form
   (``--site`` for the command): those rows go to that site.

**Snipe-IT licence export** — the CSV Snipe-IT exports from its Licenses list. Snipe-IT has no
site numbers, so every row goes to the **site chosen on the form** (``--site``), which is
required for this format. ``Item name`` (or ``Name``) names the product by part number, else
by its exact product name (ignoring case); ``seats`` is the quantity; ``Purchase Date`` the
order date; ``expiration date`` the end of coverage (empty: as above); ``Order Number`` the
order number; ``Purchase Cost`` is what the licence cost as a whole, so the unit price is the
cost divided by the seats. ``Serial number``/``Product Key`` (licence keys are secrets, and
Entitle tracks activations instead), ``Licensed to Name``/``Email``, ``notes`` and any other
column are not imported.

**Files**: UTF-8 with or without a byte-order mark; comma, semicolon or tab delimiters
(detected from the header row); Windows or Unix line endings; blank lines are skipped. The
portal and the admin take at most 50 MB and 200,000 rows; larger files go through the
command, which streams the file and writes in batches.

**Checks**: every row is checked (with the same rules as an order, `validate_line`) and every
error is listed with its line number and column. A file with any invalid row imports
nothing; a valid file is imported in one transaction: each order with source "import", and
each software, hardware or subscription line an entitlement with one coverage period of kind
"import" (consumables are purchases only, L2). An upload is previewed first and imported only
on confirmation, once.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, Site, User
from licensing import services
from licensing.models import Edition, ImportBatch, Order, Product, Version
from portal.core.money import money

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # the portal and the admin; the command has no limit
MAX_ROWS = 200_000
MAX_QUANTITY = 1_000_000
MAX_PRICE = Decimal("9999999999.99")  # what Order line prices can hold (12 digits)
MAX_REPORTED_ERRORS = 1_000  # kept and shown; the count covers them all
ORDERS_SHOWN = 100  # orders listed on the preview; the totals cover them all
DELIMITERS = (",", ";", "\t")
SQL_CHUNK = 500  # ids in one IN (...) query
ORDER_NUMBER_LENGTH = Order._meta.get_field("number").max_length

Format = ImportBatch.Format


@dataclass(frozen=True)
class Column:
    """A documented column, for the import page and the admin."""

    name: str
    required: str
    meaning: str


NATIVE_COLUMNS = (
    Column(
        "site_number",
        gettext_lazy("yes, unless a site is chosen"),
        gettext_lazy("The site's 7-digit number."),
    ),
    Column("part_number", gettext_lazy("yes"), gettext_lazy("The product's part number.")),
    Column("quantity", gettext_lazy("yes"), gettext_lazy("A whole number, at least 1.")),
    Column(
        "order_date",
        gettext_lazy("yes"),
        gettext_lazy("YYYY-MM-DD, not in the future; the product must be on sale on that date."),
    ),
    Column("edition", gettext_lazy("no"), gettext_lazy("An edition of that product, e.g. Pro.")),
    Column("version", gettext_lazy("no"), gettext_lazy("A version of that product, e.g. 2024.")),
    Column(
        "coverage_end",
        gettext_lazy("no"),
        gettext_lazy(
            "YYYY-MM-DD, the last day of S&S. Empty: 12 months from the order date "
            "(a subscription: to the agreement's next anniversary)."
        ),
    ),
    Column(
        "order_number",
        gettext_lazy("no"),
        gettext_lazy(
            "Rows with the same number form one order, at one site on one date. Empty: one "
            "order per site and order date."
        ),
    ),
    Column(
        "unit_price",
        gettext_lazy("no"),
        gettext_lazy("A decimal such as 199.00. Empty: the price a new order would get."),
    ),
)

SNIPEIT_COLUMNS = (
    Column(
        "Item name / Name",
        gettext_lazy("yes"),
        gettext_lazy("The product: its part number, else its exact name (ignoring case)."),
    ),
    Column("seats", gettext_lazy("yes"), gettext_lazy("The quantity.")),
    Column("Purchase Date", gettext_lazy("yes"), gettext_lazy("The order date, YYYY-MM-DD.")),
    Column(
        "expiration date",
        gettext_lazy("no"),
        gettext_lazy("The end of S&S coverage. Empty: as for the Entitle columns."),
    ),
    Column("Order Number", gettext_lazy("no"), gettext_lazy("The order number.")),
    Column(
        "Purchase Cost",
        gettext_lazy("no"),
        gettext_lazy("What the licence cost in all; the unit price is the cost divided by seats."),
    ),
    Column(
        "Serial number / Product Key, Licensed to …, notes, …",
        gettext_lazy("no"),
        gettext_lazy("Not imported: licence keys are secrets, and Entitle tracks activations."),
    ),
)

# Which file columns give each value, per format (normalised header names, first found wins).
FIELDS = {
    Format.NATIVE: {
        "site": ("site_number",),
        "product": ("part_number",),
        "quantity": ("quantity",),
        "ordered_on": ("order_date",),
        "edition": ("edition",),
        "version": ("version",),
        "coverage_end": ("coverage_end",),
        "order_number": ("order_number",),
        "unit_price": ("unit_price",),
    },
    Format.SNIPEIT: {
        "product": ("item_name", "name"),
        "quantity": ("seats",),
        "ordered_on": ("purchase_date",),
        "coverage_end": ("expiration_date",),
        "order_number": ("order_number",),
        "total_price": ("purchase_cost",),
    },
}
REQUIRED = {
    Format.NATIVE: ("product", "quantity", "ordered_on"),
    Format.SNIPEIT: ("product", "quantity", "ordered_on"),
}
# Translated only when a row has the error: gettext per row would double a check's time.
NOT_WHOLE = gettext_lazy("“%(value)s” is not a whole number.")
NOT_A_DATE = gettext_lazy("“%(value)s” is not a date: write it as YYYY-MM-DD.")
NOT_AN_AMOUNT = gettext_lazy("“%(value)s” is not an amount such as 199.00.")
DATE_PATTERN = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$")
WHOLE_PATTERN = re.compile(r"^[+-]?\d+$")
PLAIN_AMOUNT = re.compile(r"^\d+(\.\d+)?$")


def header_key(name: str) -> str:
    """`Purchase Date`, `purchase-date` and ` PURCHASE_DATE ` are the same column."""
    return re.sub(r"[\s\-]+", "_", name.strip().casefold())


# --- what a check finds --------------------------------------------------------------------


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
    request: services.LineRequest
    coverage_end: date | None


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


# --- what a check needs: the scope and the catalogue, one query each ------------------------


@dataclass
class ImportContext:
    sites: dict[str, Site]  # the sites the import may write to, by number
    default_site: Site | None
    products_by_part: dict[str, Product]
    products_by_name: dict[str, list[Product]]
    editions: dict[tuple[int, str], Edition]
    versions: dict[tuple[int, str], Version]
    today: date
    file_format: str = ""  # empty: detect from the header


def import_sites(*, reseller: Organisation | None) -> QuerySet[Site]:
    """A4: a reseller's import reaches only the sites it manages; staff reach every site."""
    sites = Site.objects.select_related("agreement")
    return sites.filter(reseller=reseller) if reseller is not None else sites


def import_context(
    *,
    reseller: Organisation | None,
    site: Site | None = None,
    file_format: str = "",
    today: date | None = None,
) -> ImportContext:
    """Load the scope's sites and the catalogue into dicts: a query per table, never per row."""
    sites = {item.number: item for item in import_sites(reseller=reseller)}
    default_site = None
    if site is not None:
        default_site = sites.get(site.number)
        if default_site is None:
            raise ValidationError(_("Unknown site %(number)s.") % {"number": site.number})
    products_by_part: dict[str, Product] = {}
    products_by_name: dict[str, list[Product]] = {}
    for product in Product.objects.all():
        products_by_part[product.part_number.casefold()] = product
        products_by_name.setdefault(product.name.strip().casefold(), []).append(product)
    return ImportContext(
        sites=sites,
        default_site=default_site,
        products_by_part=products_by_part,
        products_by_name=products_by_name,
        editions={(e.product_id, e.name.casefold()): e for e in Edition.objects.all()},
        versions={(v.product_id, v.version.casefold()): v for v in Version.objects.all()},
        today=today or timezone.localdate(),
        file_format=file_format,
    )


# --- reading a file --------------------------------------------------------------------------


class _Binary(io.RawIOBase):
    """Any object with read(n) (an upload, a stored file) as a stream TextIOWrapper can
    decode, without closing the object when the wrapper goes."""

    def __init__(self, source) -> None:
        self._source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._source.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _text(source) -> io.TextIOWrapper:
    # utf-8-sig drops a byte-order mark; newline="" hands "\r\n" to csv untouched (CRLF files).
    raw = io.BufferedReader(_Binary(source), buffer_size=1 << 16)
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def _not_utf8(line: int) -> ValidationError:
    return ValidationError(
        _("The file is not UTF-8 text (near line %(line)s). Save it as “CSV UTF-8” and try again.")
        % {"line": line}
    )


class _Reader:
    """Reads the header, decides the format, then yields each row's line number and cells."""

    def __init__(self, source, context: ImportContext, max_rows: int | None) -> None:
        self.context = context
        self.max_rows = max_rows
        self.text = _text(source)
        try:
            header_line = self.text.readline()
        except UnicodeDecodeError as error:
            raise _not_utf8(1) from error
        if not header_line.strip():
            raise ValidationError(_("The file is empty, or its first line is blank."))
        self.delimiter = max(DELIMITERS, key=header_line.count)
        self.header = next(csv.reader([header_line], delimiter=self.delimiter))
        self.format = self._format([header_key(name) for name in self.header])
        self.columns, self.ignored = self._columns()
        self.malformed = ""

    def _format(self, keys: list[str]) -> str:
        duplicated = sorted({key for key in keys if key and keys.count(key) > 1})
        if duplicated:
            raise ValidationError(
                _("The header names a column twice: %(columns)s.")
                % {"columns": ", ".join(duplicated)}
            )
        self.keys = keys
        detected = ""
        if "part_number" in keys:
            detected = Format.NATIVE
        elif "item_name" in keys or ("name" in keys and "seats" in keys):
            detected = Format.SNIPEIT
        wanted = self.context.file_format or detected
        if not wanted:
            raise ValidationError(
                _(
                    "The header row is not one this import reads: it needs a part_number "
                    "column (Entitle columns) or an Item name column (a Snipe-IT licence "
                    "export)."
                )
            )
        return wanted

    def _columns(self) -> tuple[dict[str, tuple[int, str]], list[str]]:
        """Each value's column index and name as written; the columns not imported."""
        found: dict[str, tuple[int, str]] = {}
        used: set[int] = set()
        for name, candidates in FIELDS[self.format].items():
            for candidate in candidates:
                if candidate in self.keys:
                    index = self.keys.index(candidate)
                    found[name] = (index, self.header[index].strip())
                    used.add(index)
                    break
        missing = [
            FIELDS[self.format][name][0] for name in REQUIRED[self.format] if name not in found
        ]
        if missing:
            raise ValidationError(
                _("The file has no %(columns)s column (%(format)s).")
                % {"columns": ", ".join(missing), "format": Format(self.format).label}
            )
        if self.context.default_site is None:
            if self.format == Format.SNIPEIT:
                raise ValidationError(
                    _(
                        "Choose the site these licences belong to: Snipe-IT exports have no "
                        "site number."
                    )
                )
            if "site" not in found:
                raise ValidationError(
                    _("The file has no site_number column: add it, or choose a site.")
                )
        ignored = [name.strip() for index, name in enumerate(self.header) if index not in used]
        return found, [name for name in ignored if name]

    def rows(self) -> Iterator[tuple[int, list[str] | None]]:
        """(line number, cells) for each non-blank row; line numbers count physical lines,
        so a quoted value spanning lines is reported at its first line. Malformed CSV ends
        the rows with (line, None), the reason in `malformed`: past it the csv module cannot
        tell where rows start."""
        reader = csv.reader(self.text, delimiter=self.delimiter, strict=True)
        header_line = 1
        count = 0
        previous_end = header_line
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as error:
                raise _not_utf8(previous_end + 1) from error
            except csv.Error as error:
                self.malformed = str(error)
                yield previous_end + 1, None
                return
            line = previous_end + 1
            previous_end = header_line + reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            count += 1
            if self.max_rows is not None and count > self.max_rows:
                raise ValidationError(
                    _(
                        "The file has more than %(max)s rows. Split it into smaller files, or "
                        "ask vendor staff to import it with the import command."
                    )
                    % {"max": f"{self.max_rows:,}"}
                )
            yield line, cells

    def column_name(self, name: str) -> str:
        """The column giving a value, as the file's header writes it."""
        found = self.columns.get(name)
        return found[1] if found else ""

    def close(self) -> None:
        self.text.detach()


# --- checking one row ---------------------------------------------------------------------


class _RowErrors(Exception):  # noqa: N818  (a signal between helpers, never raised out)
    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors


class _Row:
    """One row's cells, read by value name; collects the errors it finds."""

    def __init__(self, reader: _Reader, line: int, cells: list[str]) -> None:
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


def _amount(text: str) -> Decimal:
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


def _check_row(reader: _Reader, line: int, cells: list[str] | None) -> ImportRow:
    """One row as an ImportRow, or _RowErrors with every error it has."""
    if cells is None:
        message = _("This is not valid CSV (%(reason)s); nothing after it was read.")
        raise _RowErrors([RowError(line, "", message % {"reason": reader.malformed})])
    width = len(reader.header)
    if len(cells) < width or any(cell.strip() for cell in cells[width:]):
        raise _RowErrors(
            [
                RowError(
                    line,
                    "",
                    _("This row has %(found)s fields; the header has %(width)s.")
                    % {"found": len(cells), "width": width},
                )
            ]
        )
    row = _Row(reader, line, cells)
    site = _site(row)
    product = _product(row)
    quantity = row.parsed("quantity", _whole, NOT_WHOLE)
    if quantity is None and not row.value("quantity"):
        row.error("quantity", _("Enter the quantity."))
    elif quantity is not None and quantity > MAX_QUANTITY:
        row.error("quantity", _("At most %(max)s per row.") % {"max": f"{MAX_QUANTITY:,}"})
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
        request = services.LineRequest(
            product=product,
            quantity=1 if quantity is None else quantity,
            edition=edition,
            version=version,
            unit_price=unit_price,
        )
        _validate_line(row, request, ordered_on)
    if row.errors or site is None or request is None or quantity is None:
        raise _RowErrors(row.errors)
    key = (site.pk, order_number) if order_number else (site.pk, "", ordered_on, product.currency)
    return ImportRow(line, key, site, order_number, ordered_on, request, coverage_end)


def _validate_line(row: _Row, request: services.LineRequest, ordered_on: date) -> None:
    try:
        services.validate_line(line=request, ordered_on=ordered_on)
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
    today = row.reader.context.today
    if ordered_on is None:
        if not row.value("ordered_on"):
            row.error("ordered_on", _("Enter the order date."))
    elif ordered_on > today:
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
    amount = row.parsed(name, _amount, NOT_AN_AMOUNT)
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


# --- checking a file ------------------------------------------------------------------------


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


def _group(check: FileCheck, reader: _Reader, row: ImportRow, numbered: dict[str, tuple]) -> None:
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


def _valid_rows(reader: _Reader, check: FileCheck) -> Iterator[ImportRow]:
    """The valid rows; the invalid ones add their errors to the check."""
    for line, cells in reader.rows():
        check.rows += 1
        try:
            yield _check_row(reader, line, cells)
        except _RowErrors as invalid:
            for error in invalid.errors:
                check.add_error(error)


def check_file(source, *, context: ImportContext, max_rows: int | None) -> FileCheck:
    """L6: read a whole file and check every row; nothing is written. Raises ValidationError
    when the file is refused as a whole (not UTF-8, an unknown header, too many rows)."""
    reader = _Reader(source, context, max_rows)
    check = FileCheck(format=reader.format, ignored_columns=reader.ignored)
    numbered: dict[str, tuple] = {}
    try:
        for row in _valid_rows(reader, check):
            _group(check, reader, row, numbered)
    finally:
        reader.close()
    _taken_order_numbers(check, reader.column_name("order_number"))
    check.errors.sort(key=lambda error: error.line)
    return check


# --- writing a checked file ------------------------------------------------------------------


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
) -> services.ImportCounts:
    """L6: import a file `check_file` found valid, reading it a second time so that memory
    holds the orders and one batch of rows, never the whole file. Call inside the transaction
    that checked it."""
    orders = _new_orders(check, batch=batch, actor=actor)
    reader = _Reader(source, context, None)
    after_check = FileCheck()

    note = _("Imported from %(file)s, line %(line)s")
    file_name = batch.original_name[:120]

    def lines() -> Iterator[services.ImportedLine]:
        for row in _valid_rows(reader, after_check):
            yield services.ImportedLine(
                order=orders[row.order_key],
                line=row.request,
                coverage_end=row.coverage_end,
                note=note % {"file": file_name, "line": row.line},
            )

    try:
        counts = services.entitlements_import(orders=orders.values(), lines=lines())
    finally:
        reader.close()
    if not after_check.is_valid or after_check.rows != check.rows:
        raise ValidationError(_("The file changed while it was imported; nothing was imported."))
    return counts


# --- import batches: reads (scoped, A4) -------------------------------------------------------


def batches_for_user(user: User) -> QuerySet[ImportBatch]:
    """Staff see every import; a reseller user its reseller's; others none."""
    batches = ImportBatch.objects.select_related("created_by", "imported_by", "site")
    if not user.is_authenticated or not user.is_active:
        return batches.none()
    if user.is_staff:
        return batches
    if user.reseller_id:
        return batches.filter(reseller_id=user.reseller_id)
    return batches.none()


def batch_get_for_user(*, user: User, batch_id: int) -> ImportBatch:
    """Another reseller's import is a 404, like one that does not exist (A4)."""
    return get_object_or_404(batches_for_user(user), pk=batch_id)


# --- import batches: writes ---------------------------------------------------------------


def _record(batch: ImportBatch, check: FileCheck) -> None:
    batch.format = check.format
    batch.state = ImportBatch.State.READY if check.is_valid else ImportBatch.State.INVALID
    batch.row_count = check.rows
    batch.order_count = len(check.orders)
    batch.entitlement_count = check.entitlement_count
    batch.error_count = check.error_count
    batch.errors = [error.as_dict() for error in check.errors]
    batch.summary = check.summary()


def upload_refusal(upload: UploadedFile) -> str:
    """Why an upload is refused before it is read, or empty."""
    if upload.size > MAX_UPLOAD_BYTES:
        return _("The file is %(size)s MB; the limit is %(max)s MB.") % {
            "size": f"{upload.size / 1024 / 1024:.1f}",
            "max": MAX_UPLOAD_BYTES // 1024 // 1024,
        }
    return ""


@transaction.atomic
def batch_upload(
    *,
    upload: UploadedFile,
    actor: User,
    reseller: Organisation | None,
    site: Site | None = None,
    file_format: str = "",
    today: date | None = None,
) -> ImportBatch:
    """L6: check an uploaded CSV and keep it with its preview (READY) or its errors (INVALID).
    Raises ValidationError, keeping nothing, when the file is refused as a whole."""
    refusal = upload_refusal(upload)
    if refusal:
        raise ValidationError(refusal)
    context = import_context(reseller=reseller, site=site, file_format=file_format, today=today)
    upload.seek(0)
    check = check_file(upload, context=context, max_rows=MAX_ROWS)
    upload.seek(0)
    batch = ImportBatch(
        original_name=Path(upload.name or "import.csv").name[:255],
        size=upload.size,
        site=context.default_site,
        reseller=reseller,
        created_by=actor,
    )
    _record(batch, check)
    batch.file.save(get_valid_filename(batch.original_name) or "import.csv", upload, save=False)
    batch.save()
    return batch


# Larger files are imported by the Celery worker while the page shows progress.
IMPORT_IN_WORKER_ABOVE_ROWS = 5_000


@transaction.atomic
def batch_import_or_queue(*, batch: ImportBatch, actor: User | None) -> str:
    """Import a previewed batch now, or queue it for the worker when it is large. Returns the
    batch's state afterwards ("imported", "queued", or "invalid" if rows went bad)."""
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.state == ImportBatch.State.QUEUED:
        raise ValidationError(_("This file is already being imported."))
    if locked.state == ImportBatch.State.READY and locked.row_count > IMPORT_IN_WORKER_ABOVE_ROWS:
        locked.state = ImportBatch.State.QUEUED
        locked.save(update_fields=["state"])
        from licensing.tasks import import_batch_task

        actor_id = actor.pk if actor else None
        transaction.on_commit(lambda: import_batch_task.delay(locked.pk, actor_id))
        return locked.state
    batch_confirm(batch=locked, actor=actor)
    locked.refresh_from_db(fields=["state"])
    return locked.state


@transaction.atomic
def batch_confirm(*, batch: ImportBatch, actor: User | None, today: date | None = None) -> bool:
    """L6: import a previewed batch, once. The file is checked again first (the catalogue or
    the reseller's sites may have changed since the preview): if a row is no longer valid,
    the batch records the errors and nothing is imported. True when imported."""
    batch = (
        ImportBatch.objects.select_for_update(of=("self",))
        .select_related("reseller", "site")
        .get(pk=batch.pk)
    )
    if batch.state == ImportBatch.State.IMPORTED:
        raise ValidationError(_("This file was already imported."))
    if batch.state not in (ImportBatch.State.READY, ImportBatch.State.QUEUED):
        raise ValidationError(
            _("This file has errors, so nothing can be imported. Correct it and upload it again.")
        )
    if not batch.file or not batch.file.storage.exists(batch.file.name):
        raise ValidationError(_("The uploaded file is no longer stored. Upload it again."))
    context = import_context(
        reseller=batch.reseller, site=batch.site, file_format=batch.format, today=today
    )
    storage, name = batch.file.storage, batch.file.name
    with storage.open(name, "rb") as source:
        check = check_file(source, context=context, max_rows=None)
    _record(batch, check)
    if check.is_valid:
        with storage.open(name, "rb") as source:
            counts = write_file(source, context=context, check=check, batch=batch, actor=actor)
        batch.state = ImportBatch.State.IMPORTED
        batch.order_count, batch.entitlement_count = counts.orders, counts.entitlements
        batch.imported_by = actor
        batch.imported_at = timezone.now()
    batch.save()
    return batch.state == ImportBatch.State.IMPORTED


@dataclass
class PathImport:
    check: FileCheck
    batch: ImportBatch | None  # None: a dry run, or a file with errors


@transaction.atomic
def path_import(
    *,
    path: Path,
    site: Site | None = None,
    file_format: str = "",
    dry_run: bool = False,
    today: date | None = None,
) -> PathImport:
    """L6, for the command: check a file of any size and, unless it is a dry run or has
    errors, import it as staff (every site), in one transaction with a batch record."""
    context = import_context(reseller=None, site=site, file_format=file_format, today=today)
    with path.open("rb") as source:
        check = check_file(source, context=context, max_rows=None)
    if dry_run or not check.is_valid:
        return PathImport(check, None)
    batch = ImportBatch(
        original_name=path.name[:255],
        size=path.stat().st_size,
        site=context.default_site,
        reseller=None,
    )
    _record(batch, check)
    batch.save()  # the orders' numbers need its id
    with path.open("rb") as source:
        counts = write_file(source, context=context, check=check, batch=batch, actor=None)
    batch.state = ImportBatch.State.IMPORTED
    batch.order_count, batch.entitlement_count = counts.orders, counts.entitlements
    batch.imported_at = timezone.now()
    batch.save()
    return PathImport(check, batch)
