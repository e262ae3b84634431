"""django-allauth adapters: the portal is invitation-only (A5), so open sign-up is closed;
reseller and staff users cannot remove the authenticator app that A6 requires of them; and
allauth's sign-in e-mails go through the outbox in the portal's own words (E1, E2)."""

from __future__ import annotations

import hashlib
import secrets
from urllib.parse import quote

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import translation

from portal.core.mail import email_queue

# Every e-mail allauth sends with our settings (no login or reset codes, no security
# notifications: tests/accounts/test_sign_in_emails.py holds the settings to that), and the
# portal template under templates/emails/ that replaces allauth's stock text.
SIGN_IN_EMAILS = {
    "account/email/password_reset_key": "account/password_reset_key",
    "account/email/email_confirmation": "account/email_confirmation",
    "account/email/email_confirmation_signup": "account/email_confirmation_signup",
    "account/email/unknown_account": "account/unknown_account",
    "account/email/account_already_exists": "account/account_already_exists",
}


def _digest(secret: str) -> str:
    """A key part that names a secret link without revealing it (keys are shown to staff)."""
    return hashlib.sha256(secret.encode()).hexdigest()[:24]


def _portal_url(path: str) -> str:
    """Links in e-mails are built on SITE_URL, never on the host of the request that caused
    them (a forged Host header must not put the attacker's domain into a reset link)."""
    return settings.SITE_URL + path


def _language(user) -> str:
    """E2: the user's language, else the one the request was served in."""
    if user is not None and getattr(user, "language", ""):
        return user.language
    try:
        return translation.get_supported_language_variant(translation.get_language() or "")
    except LookupError:
        return settings.LANGUAGE_CODE


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False

    def get_reset_password_from_key_url(self, key: str) -> str:
        # allauth's own path, "UID-KEY" standing for the opaque key, on SITE_URL.
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return _portal_url(path.replace("UID-KEY", quote(key)))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return _portal_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """E1: sign-in e-mails are outbox rows like every other e-mail, marked sensitive (the
        body holds a secret link); E2: text and HTML in the recipient's language."""
        template = SIGN_IN_EMAILS.get(template_prefix)
        if template is None:
            raise ImproperlyConfigured(
                f"allauth wants to send {template_prefix!r}, which has no portal template "
                "(accounts.adapters.SIGN_IN_EMAILS)."
            )
        user = context.get("user")
        email_queue(
            key=self._email_key(template_prefix, email=email, user=user, context=context),
            to=[email],
            template=template,
            context=self._email_context(email=email, user=user, context=context),
            language=_language(user),
            about={"user": user.pk} if user is not None else {},
            sensitive=True,
        )

    @staticmethod
    def _email_context(*, email: str, user, context: dict) -> dict:
        """What the portal templates use: no request, no request host. (Not "name": the
        outbox renders text parts with that variable set to the template's name.)"""
        return {
            "email": email,
            "user": user,
            "recipient_name": (user.get_full_name() or user.email) if user is not None else email,
            "link": context.get("password_reset_url") or context.get("activate_url") or "",
            "valid_hours": int(settings.PASSWORD_RESET_TIMEOUT // 3600),
            "valid_days": allauth_settings.EMAIL_CONFIRMATION_EXPIRE_DAYS,
            "sign_in_url": _portal_url(reverse("account_login")),
            "reset_url": _portal_url(reverse("account_reset_password")),
        }

    @staticmethod
    def _email_key(template_prefix: str, *, email: str, user, context: dict) -> str:
        """E1: one key per event. A reset or confirmation is named by its secret link (a new
        request makes a new link, so a new e-mail); a message to an address without an
        account has no such identity, so each request gets its own."""
        event = template_prefix.rsplit("/", 1)[-1].replace("_", "-")
        link = context.get("password_reset_url") or context.get("activate_url")
        if user is not None and link:
            return f"account:{event}:{user.pk}:{_digest(link)}"
        return f"account:{event}:{_digest(email.lower())}:{secrets.token_hex(8)}"


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """A6: MFA is required for reseller and staff users, so they keep their TOTP app
        (staff can still remove one in the admin, e.g. for a lost phone)."""
        if authenticator.type == Authenticator.Type.TOTP and authenticator.user.requires_mfa:
            return False
        return super().can_delete_authenticator(authenticator)
