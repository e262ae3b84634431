"""Error pages in the portal's layout, each with a way back (issue #7 item 14). Django's
default handlers render bare pages; these add the previous page (the Referer, when it is one
of ours) and the dashboard or sign-in link. The 500 page renders without a request context:
whatever failed (the database, the session, a context processor) must not fail it again.

A database out of reach (issue #10 item 4: PostgreSQL stopped, restarting, refusing
connections) is not a server error but a 503 with a plain sentence and Retry-After, whether
the view failed (portal.middleware.DatabaseUnavailableMiddleware) or a middleware did (the
500 handler below sees the exception being handled)."""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme


def back_url(request) -> str | None:
    """The page the user came from, if it is a page of this portal (never another site's)."""
    referer = request.META.get("HTTP_REFERER")
    if not referer:
        return None
    try:
        host = request.get_host()
        here = request.build_absolute_uri()
    except DisallowedHost:
        return None
    if referer == here:
        return None
    if url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    ):
        return referer
    return None


def error_page(request, template: str, status: int, **context):
    return render(request, template, {"back_url": back_url(request), **context}, status=status)


def bad_request(request, exception=None):
    return error_page(request, "400.html", 400)


def permission_denied(request, exception=None):
    return error_page(request, "403.html", 403)


def page_not_found(request, exception=None):
    return error_page(request, "404.html", 404)


def request_too_large(request):
    """413 (portal.middleware.RequestBodyCapMiddleware): rendered before the session and the
    user are loaded, so the layout shows the signed-out menu."""
    return error_page(request, "413.html", 413, limit_bytes=settings.MAX_REQUEST_BODY_BYTES)


# What Django raises when the database cannot be reached or the connection broke.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 60


def database_unavailable(request=None):
    """503, rendered without a request context: nothing on the page may need the database."""
    response = HttpResponse(loader.get_template("503.html").render({}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request):
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return database_unavailable(request)
    return HttpResponseServerError(loader.get_template("500.html").render({}))
