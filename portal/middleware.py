"""Request-wide policies: session lifetime and MFA enrolment (A6), site-number confirmation
(A5), and the Content-Security-Policy header in production."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import user_has_totp
from accounts.signals import SESSION_AUTH_AT, SESSION_CONFIRM_PENDING, SESSION_MFA_ENROLLED

# Paths a signed-in user can always reach, so a required step can be completed or abandoned.
ALWAYS_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/invitations/", "/favicon.ico")


class SessionLifetimeMiddleware:
    """A6: sign out a session 12 hours after sign-in, however active (the 30 idle minutes are
    the session cookie's age, renewed on every request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            started = request.session.setdefault(SESSION_AUTH_AT, now)
            if now - started > settings.SESSION_ABSOLUTE_LIFETIME.total_seconds():
                logout(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class RequireMFAMiddleware:
    """A6: reseller and staff users must set up an authenticator app before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.requires_mfa
            and not request.session.get(SESSION_MFA_ENROLLED)
            and not request.path.startswith(ALWAYS_ALLOWED_PREFIXES)
        ):
            if user_has_totp(user):
                request.session[SESSION_MFA_ENROLLED] = True
            else:
                messages.warning(
                    request,
                    _(
                        "Your account needs two-factor authentication. Set up an authenticator "
                        "app to continue."
                    ),
                )
                return redirect(reverse("mfa_activate_totp") + "?next=" + request.path)
        return self.get_response(request)


class ConfirmSiteNumberMiddleware:
    """A5: a primary contact's first sign-in asks them to confirm their site number."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.user.is_authenticated
            and request.session.get(SESSION_CONFIRM_PENDING)
            and not request.path.startswith(ALWAYS_ALLOWED_PREFIXES)
            and request.path != reverse("accounts:site_confirm")
        ):
            return redirect("accounts:site_confirm")
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response
