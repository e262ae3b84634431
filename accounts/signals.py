"""Session bookkeeping at sign-in (A5, A6)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from accounts.selectors import sites_pending_confirmation

SESSION_AUTH_AT = "entitle.auth_at"
SESSION_CONFIRM_PENDING = "entitle.confirm_site_pending"
SESSION_MFA_ENROLLED = "entitle.mfa_enrolled"


def refresh_confirmation_flag(request, user) -> None:
    request.session[SESSION_CONFIRM_PENDING] = sites_pending_confirmation(user=user).exists()


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    request.session[SESSION_AUTH_AT] = timezone.now().timestamp()
    refresh_confirmation_flag(request, user)
