"""L6: the columns an import reads — the documented Entitle columns and the Snipe-IT licence
export's — and the limits of a file (see the package docstring)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy

from licensing.models import ImportBatch, Order

# One bound for the order form and the import (L2): the most one order line may hold.
from licensing.models.orders import MAX_LINE_QUANTITY  # noqa: F401  (re-exported)

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # the portal and the admin; the command has no limit
MAX_ROWS = 200_000
# Wider headers are refused before any name is read: Entitle needs 9 columns, a Snipe-IT export
# has about 20, and a spreadsheet's stray columns are few.
MAX_COLUMNS = 500
MAX_PRICE = Decimal("9999999999.99")  # what Order line prices can hold (12 digits)
MAX_REPORTED_ERRORS = 1_000  # kept and shown; the count covers them all
ORDERS_SHOWN = 100  # orders listed on the preview; the totals cover them all
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


def header_key(name: str) -> str:
    """`Purchase Date`, `purchase-date` and ` PURCHASE_DATE ` are the same column."""
    return re.sub(r"[\s\-]+", "_", name.strip().casefold())
