"""A7: which models are audited, and which fields stay out of the trail."""

from auditlog.registry import auditlog

from accounts.models import Agreement, Contact, Invitation, Organisation, Site, User
from portal.core.audit import audited_fields

auditlog.register(User, include_fields=audited_fields(User, exclude=("password", "last_login")))
auditlog.register(Organisation, include_fields=audited_fields(Organisation))
auditlog.register(Agreement, include_fields=audited_fields(Agreement))
auditlog.register(Site, include_fields=audited_fields(Site))
auditlog.register(Contact, include_fields=audited_fields(Contact))
auditlog.register(Invitation, include_fields=audited_fields(Invitation, exclude=("nonce",)))
