"""Request-wide policies: the request body cap, session lifetime and MFA enrolment (A6),
site-number confirmation (A5), no caching of portal pages (A4), and the
Content-Security-Policy header in production, and a 503 page while the database is out of
reach."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.files.uploadhandler import FileUploadHandler
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from accounts.selectors import user_has_totp
from accounts.signals import SESSION_AUTH_AT, SESSION_CONFIRM_PENDING, SESSION_MFA_ENROLLED
from portal.errors import DATABASE_UNAVAILABLE, database_unavailable, request_too_large

logger = logging.getLogger(__name__)

# Paths a signed-in user can always reach, so a required step can be completed or abandoned.
ALWAYS_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/invitations/", "/favicon.ico")


class RequestBodyTooLargeError(Exception):
    """A request body that goes past settings.MAX_REQUEST_BODY_BYTES while it is read."""


class BodyCapUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: counts the file bytes as the multipart body streams in
    and stops past the cap, before the next handler spools the chunk to a temporary file (a
    body whose length was not declared, or not truthfully)."""

    def handle_raw_input(self, input_data, meta, content_length, boundary, encoding=None):
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.MAX_REQUEST_BODY_BYTES:
            raise RequestBodyTooLargeError
        return raw_data

    def file_complete(self, file_size):
        return None


class RequestBodyCapMiddleware:
    """Refuse a request body above settings.MAX_REQUEST_BODY_BYTES with 413 before any of it
    is read or spooled to disk: by its declared Content-Length, and (BodyCapUploadHandler) as
    a multipart body streams in. Placed before CsrfViewMiddleware, which would read the body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.MAX_REQUEST_BODY_BYTES:
            return request_too_large(request)
        if request.content_type == "multipart/form-data":
            try:
                request.POST  # noqa: B018 -- parse now, under the cap, instead of in CSRF
            except RequestBodyTooLargeError:
                return request_too_large(request)
        return self.get_response(request)


class NoStoreMiddleware:
    """A4: pages and downloads (HTML, CSV, PDF) hold one tenant's data: no shared cache or
    browser history may keep them. `private, no-store` on every response the portal renders
    that sets no caching of its own; static files are served by WhiteNoise, above this."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


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


class UserLanguageMiddleware:
    """E2: a signed-in user's pages are in the language on their profile (which e-mails follow
    too); anonymous visitors get LocaleMiddleware's choice (the switcher's cookie, else the
    browser's Accept-Language). After AuthenticationMiddleware; LocaleMiddleware's response
    half then sends Content-Language for the language used here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            try:
                language = translation.get_supported_language_variant(user.language)
            except LookupError:
                language = None
            if language and language != request.LANGUAGE_CODE:
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Issue #10 item 4: a view that cannot reach the database (OperationalError,
    InterfaceError) answers 503 with the plain page (templates/503.html), not a traceback or
    the generic 500; a middleware failing the same way reaches portal.errors.server_error,
    which does the same. Last in MIDDLEWARE, so its process_exception is asked first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_UNAVAILABLE):
            logger.warning("database unavailable for %s: %s", request.path, exception)
            return database_unavailable(request)
        return None
