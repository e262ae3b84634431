"""Catalogue, orders, entitlements, coverage, activations, PoE documents, transfers and moves
(SPEC §2, rules L1–L10). One module per topic; Django and the rest of the code import the
models from here."""

from licensing.models.catalogue import (
    PRICE,
    REINSTATEMENT_DEFAULT_PERCENT,
    Edition,
    Product,
    Version,
)
from licensing.models.documents import (
    PoEDocument,
    PoEDocumentQuerySet,
    StatementDocument,
    new_verification_code,
)
from licensing.models.entitlements import (
    Activation,
    CoveragePeriod,
    Entitlement,
    EntitlementEvent,
    EntitlementQuerySet,
    new_poe_number,
)
from licensing.models.imports import ImportBatch, ImportBatchQuerySet
from licensing.models.orders import Order, OrderLine, OrderQuerySet
from licensing.models.requests import DecisionRequest, LicenceMove, SiteTransfer, SiteTransferLine
from licensing.models.updates import UpdateNotice, UpdatePreference
from licensing.status import EXPIRING_WITHIN

__all__ = [
    "EXPIRING_WITHIN",
    "PRICE",
    "REINSTATEMENT_DEFAULT_PERCENT",
    "Activation",
    "CoveragePeriod",
    "DecisionRequest",
    "Edition",
    "Entitlement",
    "EntitlementEvent",
    "EntitlementQuerySet",
    "ImportBatch",
    "ImportBatchQuerySet",
    "LicenceMove",
    "Order",
    "OrderLine",
    "OrderQuerySet",
    "PoEDocument",
    "PoEDocumentQuerySet",
    "Product",
    "SiteTransfer",
    "SiteTransferLine",
    "StatementDocument",
    "UpdateNotice",
    "UpdatePreference",
    "Version",
    "new_poe_number",
    "new_verification_code",
]
