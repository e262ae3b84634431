"""Error pages in the portal's layout, each with a way back (issue #7 item 14). Django's
default handlers render bare pages; these add the previous page (the Referer, when it is one
of ours) and the dashboard or sign-in link. The 500 page renders without a request context:
whatever failed (the database, the session, a context processor) must not fail it again."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponseServerError
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


def server_error(request):
    return HttpResponseServerError(loader.get_template("500.html").render({}))
