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

**Code**: ``columns`` (the documented columns and limits), ``reader`` (decoding and parsing
the CSV), ``rows`` (checking one row), ``checks`` (checking a whole file, the preview),
``writes`` (the bulk writes), ``batches`` (upload, preview, confirm, the worker's task and the
command's import); scoped reads are in ``licensing.selectors``.

**Checks**: every row is checked (with the same rules as an order, `validate_line`) and every
error is listed with its line number and column. A file with any invalid row imports
nothing; a valid file is imported in one transaction: each order with source "import", and
each software, hardware or subscription line an entitlement with one coverage period of kind
"import" (consumables are purchases only, L2). An upload is previewed first and imported only
on confirmation, once.
"""

from licensing.imports.batches import (
    IMPORT_IN_WORKER_ABOVE_ROWS,
    PathImport,
    batch_confirm,
    batch_import_or_queue,
    batch_upload,
    import_batch_task,
    path_import,
    upload_refusal,
)
from licensing.imports.checks import FileCheck, OrderGroup, check_file
from licensing.imports.columns import (
    FIELDS,
    MAX_COLUMNS,
    MAX_LINE_QUANTITY,
    MAX_PRICE,
    MAX_REPORTED_ERRORS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    NATIVE_COLUMNS,
    REQUIRED,
    SNIPEIT_COLUMNS,
    Column,
    Format,
    header_key,
)
from licensing.imports.context import ImportContext, import_context
from licensing.imports.rows import ImportRow, RowError, parse_amount
from licensing.imports.writes import (
    IMPORT_BATCH_SIZE,
    ImportCounts,
    ImportedLine,
    entitlements_import,
    write_file,
)
from licensing.selectors import batch_get_for_user, batches_for_user

__all__ = [
    "FIELDS",
    "IMPORT_BATCH_SIZE",
    "IMPORT_IN_WORKER_ABOVE_ROWS",
    "MAX_COLUMNS",
    "MAX_LINE_QUANTITY",
    "MAX_PRICE",
    "MAX_REPORTED_ERRORS",
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "NATIVE_COLUMNS",
    "REQUIRED",
    "SNIPEIT_COLUMNS",
    "Column",
    "FileCheck",
    "Format",
    "ImportContext",
    "ImportCounts",
    "ImportRow",
    "ImportedLine",
    "OrderGroup",
    "PathImport",
    "RowError",
    "batch_confirm",
    "batch_get_for_user",
    "batch_import_or_queue",
    "batch_upload",
    "batches_for_user",
    "check_file",
    "entitlements_import",
    "header_key",
    "import_batch_task",
    "import_context",
    "parse_amount",
    "path_import",
    "upload_refusal",
    "write_file",
]
