"""View decorators that keep tenant isolation ahead of everything else (A4), in one order for
every portal view and every HTTP method:

1. sign-in (anonymous users go to the login page), unless the page is public;
2. the page's role (reseller pages are for reseller users: 403 for others);
3. the URL's objects, looked up in the user's scope: another tenant's object is 404, the same
   answer as a missing one, whatever the method (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS);
4. the permission on the object the user can see (403);
5. only then the method: 405, with the Allow header, for a method the view does not serve.
   HEAD is served wherever GET is (the server drops the body).

`guarded` is that order; `site_view`, `reseller_view` and `allow_methods` are its three usual
configurations. Views never check the method themselves."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed

from accounts import selectors

GET_POST = ("GET", "POST")

# scope(request, **url_kwargs) -> the object the URL names, or Http404 outside the user's scope.
Scope = Callable[..., object]
# A rule name (accounts/rules.py, checked against the scoped object) or callable(user, obj).
Permission = str | Callable[..., bool]


def served_methods(methods: tuple[str, ...]) -> list[str]:
    """The methods a view answers: those it names, and HEAD wherever GET is."""
    served = list(methods)
    if "GET" in served and "HEAD" not in served:
        served.append("HEAD")
    return served


def _permitted(user, permission: Permission, obj) -> bool:
    if isinstance(permission, str):
        return user.has_perm(permission, obj)
    return permission(user, obj)


def guarded(
    *,
    methods: tuple[str, ...] = GET_POST,
    login: bool = True,
    role: Callable[..., bool] | None = None,
    scope: Scope | None = None,
    permission: Permission | None = None,
    within: Callable[..., None] | None = None,
    replacing: str | None = None,
):
    """The one order of checks (see the module docstring). `within(request, obj, **kwargs)`
    looks up the URL's further objects inside the scoped one (a contact of the site), after
    the permission. With `replacing`, the view is called as view(request, obj, **kwargs)
    without that URL kwarg (site views get the site instead of its number). Without it, the
    view looks its object up in the user's scope (and checks the permission) before anything
    else, so for the methods it serves the same order holds inside the view."""
    served = served_methods(methods)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            refused = request.method not in served
            if role is not None and not role(request.user):
                raise PermissionDenied
            # A view that is handed the object needs it now; one that looks the object up
            # (and checks the permission) first thing itself needs the checks here only for
            # the methods it refuses -- so a served request costs no second lookup.
            obj = None
            if replacing is not None or refused:
                obj = scope(request, **kwargs) if scope is not None else None
                if permission is not None and not _permitted(request.user, permission, obj):
                    raise PermissionDenied
            if within is not None and refused:
                within(request, obj, **kwargs)
            if refused:
                return HttpResponseNotAllowed(served)
            if replacing is not None:
                kwargs.pop(replacing)
                return view(request, obj, *args, **kwargs)
            return view(request, *args, **kwargs)

        return login_required(wrapper) if login else wrapper

    return decorator


def allow_methods(
    methods: tuple[str, ...], *, scope: Scope | None = None, login: bool = True
) -> Callable:
    """A page about the object `scope` looks up (or about the user's own data): sign-in, the
    object in the user's scope (404), then the method (405)."""
    return guarded(methods=methods, scope=scope, login=login)


# --- site pages --------------------------------------------------------------------------------


def _site_in_scope(request, *, number: str, **_kwargs):
    return selectors.site_get_for_user(user=request.user, number=number)


def _objects_in_site(request, site, **kwargs) -> None:
    """A4: a contact or invitation named in a site URL must belong to that site (404), for
    every method; the view looks it up again for itself."""
    if "contact_id" in kwargs:
        selectors.contact_get_for_site(site=site, contact_id=kwargs["contact_id"])
    if "invitation_id" in kwargs:
        selectors.invitation_get_for_site(site=site, invitation_id=kwargs["invitation_id"])


def site_view(permission: Permission = "site.view", methods: tuple[str, ...] = GET_POST):
    """For views of one site, called as view(request, site, **kwargs). `permission` is a rule
    name ("site.manage", accounts/rules.py) or a callable(user, site) -> bool."""
    return guarded(
        methods=methods,
        scope=_site_in_scope,
        permission=permission,
        within=_objects_in_site,
        replacing="number",
    )


# --- reseller pages ----------------------------------------------------------------------------


def is_reseller_user(user) -> bool:
    return bool(user.reseller_id)


def client_in_scope(request, *, customer_id: int, **_kwargs):
    """A4: a reseller's client is one whose sites it manages; any other customer is a 404."""
    return selectors.customer_get_for_reseller(
        reseller=request.user.reseller, customer_id=customer_id
    )


def reseller_view(
    view: Callable | None = None,
    *,
    methods: tuple[str, ...] = GET_POST,
    scope: Scope | None = None,
):
    """For pages of reseller users only (their clients, enrolment, imports); others get 403
    whatever the object. Usable bare (@reseller_view) or configured
    (@reseller_view(methods=("GET",), scope=...))."""
    decorator = guarded(methods=methods, role=is_reseller_user, scope=scope)
    return decorator(view) if view is not None else decorator
