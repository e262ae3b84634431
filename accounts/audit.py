"""A7: which models are audited, and which fields stay out of the trail."""

from auditlog.registry import auditlog

from accounts.models import Agreement, Contact, Invitation, Organisation, Site, User

auditlog.register(User, exclude_fields=["password", "last_login"])
auditlog.register(Organisation)
auditlog.register(Agreement)
auditlog.register(Site)
auditlog.register(Contact)
auditlog.register(Invitation, exclude_fields=["nonce"])
