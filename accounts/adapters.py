"""django-allauth adapters: the portal is invitation-only (A5), so open sign-up is closed; and
reseller and staff users cannot remove the authenticator app that A6 requires of them."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """A6: MFA is required for reseller and staff users, so they keep their TOTP app
        (staff can still remove one in the admin, e.g. for a lost phone)."""
        if authenticator.type == Authenticator.Type.TOTP and authenticator.user.requires_mfa:
            return False
        return super().can_delete_authenticator(authenticator)
