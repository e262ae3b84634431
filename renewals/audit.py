"""A7: quotes and commitments are audited (who accepted, declined, priced, committed)."""

from auditlog.registry import auditlog

from portal.core.audit import audited_fields
from renewals.models import Commitment, Quote

auditlog.register(Quote, include_fields=audited_fields(Quote, exclude=("subject",)))
auditlog.register(Commitment, include_fields=audited_fields(Commitment))
