"""Writes for accounts (A2, A3, A5, A7), one module per topic; `from accounts.services import X`
keeps working for every service.

Every service is atomic; auditlog records the change in the same transaction (A7) with the
actor set explicitly, and e-mails are written to the outbox in that transaction (E1)."""

from accounts.services.contacts import (
    caller_add,
    caller_remove,
    contact_create,
    contact_delete,
    contact_make_primary,
    contact_revoke_access,
    contact_update,
    profile_update,
    user_invite,
    user_language_set,
)
from accounts.services.enrolment import (
    EnrolmentRequest,
    enrolled_on,
    site_create_and_enrol,
    site_enrol,
    site_welcome_resend,
)
from accounts.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_problem,
    invitation_revoke,
    invitation_token,
    site_number_confirm,
)

__all__ = [
    "EnrolmentRequest",
    "caller_add",
    "caller_remove",
    "contact_create",
    "contact_delete",
    "contact_make_primary",
    "contact_revoke_access",
    "contact_update",
    "enrolled_on",
    "invitation_accept",
    "invitation_create",
    "invitation_from_token",
    "invitation_problem",
    "invitation_revoke",
    "invitation_token",
    "profile_update",
    "site_create_and_enrol",
    "site_enrol",
    "site_number_confirm",
    "site_welcome_resend",
    "user_invite",
    "user_language_set",
]
