"""A7: which licensing models are audited. Each carries the site in the entry's additional
data (`get_additional_data`), so the site history shows its orders, entitlements, activations,
transfers and moves. Bulk inserts (imports, transfer lines, coverage periods) send no signals:
their parent records (the order, the import batch, the transfer) are the trail."""

from auditlog.registry import auditlog

from licensing.models import Activation, Entitlement, LicenceMove, Order, SiteTransfer
from portal.core.audit import audited_fields

auditlog.register(Order, include_fields=audited_fields(Order))
# The order line is set once at creation and the order's own entry names it.
auditlog.register(Entitlement, include_fields=audited_fields(Entitlement, exclude=("order_line",)))
auditlog.register(Activation, include_fields=audited_fields(Activation))
auditlog.register(SiteTransfer, include_fields=audited_fields(SiteTransfer))
auditlog.register(LicenceMove, include_fields=audited_fields(LicenceMove))
