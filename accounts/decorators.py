"""View decorators that keep tenant isolation ahead of everything else (A4): the object is
looked up in the user's scope first, so another tenant's object answers 404 for every method;
only then come the role permission (403) and the method (405)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.views.decorators.http import require_http_methods

from accounts.selectors import site_get_for_user


def site_view(permission: str | Callable = "site.view", methods: tuple[str, ...] = ("GET", "POST")):
    """For views of one site, called as view(request, site, **kwargs). `permission` is a rule
    name ("site.manage", accounts/rules.py) or a callable(user, site) -> bool."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, number: str, **kwargs):
            site = site_get_for_user(user=request.user, number=number)
            permitted = (
                request.user.has_perm(permission, site)
                if isinstance(permission, str)
                else permission(request.user, site)
            )
            if not permitted:
                raise PermissionDenied
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, site, **kwargs)

        return wrapper

    return decorator


def allow_methods(methods: tuple[str, ...], *, scope: Callable | None = None):
    """Refuse other methods with 405, but only after `scope(request, **kwargs)` has looked
    the URL's object up in the user's scope (raising 404 for another tenant's)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                if scope is not None:
                    scope(request, **kwargs)
                return HttpResponseNotAllowed(methods)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def reseller_view(view):
    """For pages of reseller users only (their clients, enrolment); others get 403."""

    @login_required
    @require_http_methods(["GET", "POST"])
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.reseller_id:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
