"""Every URL pattern × every role × every HTTP method answers as SPEC §1 says (A4, A6).

One table, in the spirit of pretix's src/tests/api/test_permissions.py: a row per URL name
(and per target object where the URL takes one), expanded over the roles and the methods GET,
HEAD, POST, PUT, PATCH, DELETE and OPTIONS, each case its own test id, e.g.
``test_permission[accounts:contact_edit-stc-PUT-own]``. A URL pattern without a row fails
``test_every_url_pattern_has_a_row``; a row that lets another tenant's object answer anything
but 404 for some method fails ``test_another_tenants_object_is_404_for_every_method``.

A row states what GET and POST do; the other methods follow from the kind of view:

- the portal's own views (accounts.decorators.guarded, ``page``): HEAD answers as GET; PUT,
  PATCH, DELETE and OPTIONS are 405 -- but only once sign-in, the page's role, the tenant
  lookup and the permission have answered, so the 302/403/404 before them hold for every
  method (``every``);
- Django's class-based views (allauth, the admin's auth pages, ``view_class``/``form_view``):
  HEAD as GET, OPTIONS 200 with the Allow header, a form view's PUT as its POST;
- the admin's function views (``admin_page``): every method but POST answers as GET.

The rules the rows encode:

- A4: an object of another tenant answers 404, never 403; a site the user can see but lacks
  the permission for answers 403; anonymous users are sent to the login page. (Read-only
  pages refuse POST -- and PUT, PATCH, DELETE, OPTIONS -- with 405 only after the tenant check,
  so another tenant's object is a 404 for every method; list pages without an object answer
  405 to everyone signed in.)
- A6: the Django admin signs in through allauth. django.contrib.admin first sends every admin
  page to its own login page (AdminSite.admin_view), which allauth's ``secure_admin_login``
  guards: anonymous users go on to allauth's login, signed-in non-staff users get 403.

Speed: building the world costs more than the requests, so it is built once per module, with a
signed-in session per role; every case runs in its own rolled-back transaction (pytest-django's
``django_db``), so each sees the world exactly as built and what a POST changes is undone.
For the admin's model pages, whose answer to non-staff users is the same generic redirect, one
model (accounts.Site, the tenant object) is requested by every role, the others by anonymous,
staff, superuser and one non-staff role in turn (test_each_admin_url_meets_each_kind_of_user),
and without following the redirect to the admin login: where it leads is the same for every
admin URL, and the rows that request every role follow it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from allauth.account.internal.flows.login import record_authentication
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, RequestFactory, override_settings
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Contact, Invitation, Site
from licensing import services as licensing_services
from licensing.models import (
    Activation,
    Entitlement,
    ImportBatch,
    LicenceMove,
    Order,
    PoEDocument,
    Product,
    SiteTransfer,
    StatementDocument,
    UpdateNotice,
    UpdatePreference,
    Version,
)
from licensing.poe import poe_issue
from portal.core.models import OutgoingEmail
from renewals.models import Quote
from renewals.views.customer import reseller_renewals_url
from tests import conftest
from tests.accounts.factories import ContactFactory, SiteFactory, UserFactory, with_totp
from tests.conftest import World, client_for
from tests.renewals.permission_world import add_renewals
from tests.support.permission_world import add_support

pytestmark = pytest.mark.django_db

# The world's `staff` has the staff flag and no admin permissions, as a new vendor account
# would; `superuser` is vendor staff with every admin permission (SPEC §1: "everything").
ROLES = (*conftest.ROLES, "superuser")
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
OTHER_METHODS = ("PUT", "PATCH", "DELETE", "OPTIONS")
# Which methods a view answers is decided by its decorators, before any query a database could
# answer differently: the SQLite pass walks all seven; the PostgreSQL pass of .ci/run walks
# GET only -- the tenant lookups (404) and permissions (403) are the same queries for every
# method, and the views' POST handling runs on PostgreSQL in their own tests -- which keeps
# CI within its time (the table is about 19,000 requests).
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
WALKED_METHODS = ("GET",) if ON_POSTGRESQL else METHODS
NON_STAFF = (
    "primary",
    "site_admin",
    "stc",
    "caller",
    "reseller",
    "other_reseller",
    "other_customer",
)
RESELLER_USERS = ("reseller", "other_reseller")
STAFF_USERS = ("staff", "superuser")
MFA_USERS = (*RESELLER_USERS, *STAFF_USERS)  # A6: MFA required; the world gives them TOTP


# --- the world ---------------------------------------------------------------------------------


@dataclass
class PermissionWorld:
    """conftest's two-tenant world, plus what the other site, licensing and the admin rows
    need, and a signed-in session per role."""

    world: World
    other_plain: Contact  # the other site's billing contact, no portal account
    other_caller: Contact  # the other site's authorized caller, with a portal account
    other_invitation: Invitation
    invitation_token: str
    orders: dict[str, Order]  # "own" (at world.site) and "other" (at world.other_site)
    entitlements: dict[str, Entitlement]
    site_poes: dict[str, PoEDocument]
    product: Product
    versions: dict[str, Version]  # the version each site holds, with a download
    transfer: SiteTransfer
    move: LicenceMove
    update_preference: UpdatePreference
    update_notice: UpdateNotice
    import_batches: dict[str, ImportBatch]  # "own" (reseller's) and "other" (other_reseller's)
    group: Group
    outgoing_email: OutgoingEmail
    log_entry: LogEntry
    renewals: dict  # tests/renewals/permission_world.py
    support: dict  # tests/support/permission_world.py
    sessions: dict[str, str] = field(default_factory=dict)  # role -> session key


def add_licensing(world: World) -> dict:
    """An order with an activated entitlement at each site, PoEs issued, a transfer and a move
    waiting for staff, and a release notice: one object for each licensing page and admin."""
    today = timezone.localdate()
    product = Product.objects.create(
        part_number="ATL-DB-100",
        name="Atlas Database Server",
        family="Atlas Database",
        kind=Product.Kind.SOFTWARE,
        list_price=Decimal("12000"),
        annual_ss_price=Decimal("2400"),
    )
    # L10: each site holds its own version, with a file to download: version 10 at the own
    # site, 9 (released before the other site's coverage began) at the other.
    versions = {
        target: Version.objects.create(
            product=product,
            version=number,
            release_date=today - timedelta(days=released_days_ago),
            eos_date=today + timedelta(days=800),
            upgrade_price=Decimal("3000"),
            download=ContentFile(b"installer", name=f"atlas-{number}.zip"),
        )
        for target, number, released_days_ago in (("own", "10", 400), ("other", "9", 500))
    }
    staff = world.users["staff"]
    orders, entitlements, site_poes = {}, {}, {}
    for target, site in (("own", world.site), ("other", world.other_site)):
        orders[target] = licensing_services.order_place(
            site=site,
            ordered_on=today - timedelta(days=30),
            lines=[
                licensing_services.LineRequest(
                    product=product, quantity=2, version=versions[target]
                )
            ],
            actor=staff,
            source=Order.Source.ADMIN,
            as_of=today,
        )
        entitlements[target] = Entitlement.objects.get(site=site)
        # Issued now, so the pages hand out these (today's, unchanged) instead of rendering.
        site_poes[target] = poe_issue(site=site, order=None, actor=staff, as_of=today)
        poe_issue(site=site, order=orders[target], actor=staff, as_of=today)
    activation: Activation = licensing_services.activation_add(
        entitlement=entitlements["own"], machine_id="ALPHA-PC-1", actor=staff, as_of=today
    )
    second_site = SiteFactory(number="1234568", name="Alpha Annex", agreement=world.site.agreement)
    primary = world.users["primary"]
    return {
        "orders": orders,
        "entitlements": entitlements,
        "site_poes": site_poes,
        "product": product,
        "versions": versions,
        "transfer": licensing_services.transfer_request(
            source_site=world.site,
            target_site=second_site,
            quantities={entitlements["own"]: 1},
            actor=primary,
        ),
        "move": licensing_services.move_request(
            entitlement=entitlements["own"],
            old_activation=activation,
            new_machine_id="ALPHA-PC-2",
            lost_or_stolen=False,
            reason="",
            purchase="",
            actor=primary,
            as_of=today,
        ),
        "update_preference": UpdatePreference.objects.create(user=primary),
        "update_notice": UpdateNotice.objects.create(user=primary, version=versions["own"]),
        # L6: a checked upload of each reseller, with errors, so confirming it imports nothing.
        "import_batches": {
            target: ImportBatch.objects.create(
                original_name=f"{target}.csv",
                format=ImportBatch.Format.NATIVE,
                reseller=reseller,
                state=ImportBatch.State.INVALID,
                error_count=1,
                created_by=world.users[role],
            )
            for target, reseller, role in (
                ("own", world.reseller, "reseller"),
                ("other", world.other_reseller, "other_reseller"),
            )
        },
    }


def sign_in(client, world: World, role: str) -> None:
    """As conftest.client_for, plus the records allauth keeps when a user has just confirmed
    their password (and TOTP code, if they have one): the MFA pages that ask for a recent
    reauthentication then answer for the role rather than sending everyone to confirm."""
    client_for(client, world, role)
    user = world.users[role]
    request = RequestFactory().get("/")
    request.session = client.session
    record_authentication(request, user, "password", email=user.email, reauthenticated=True)
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        record_authentication(request, user, "mfa", type="totp", reauthenticated=True)
    request.session.save()


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    """Built once; every test runs in a savepoint inside this transaction (see the docstring)."""
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        # The sessions' "just reauthenticated" records (sign_in) must outlast a slow run.
        override_settings(ACCOUNT_REAUTHENTICATION_TIMEOUT=3600),
    ):
        # conftest's `world` fixture body, called once for the module rather than per test.
        world: World = conftest.world.__wrapped__(db=None)
        world.users["superuser"] = with_totp(
            UserFactory(email="root@vendor.test", is_staff=True, is_superuser=True)
        )
        now = timezone.now()
        other_plain = ContactFactory(
            site=world.other_site, email="billing@beta.test", is_billing_contact=True
        )
        other_caller = ContactFactory(
            site=world.other_site,
            email="caller@beta.test",
            user=UserFactory(email="caller@beta.test"),
            is_authorized_caller=True,
            site_number_confirmed_at=now,
        )
        other_invitation = Invitation.objects.create(
            contact=other_plain,
            kind=Invitation.Kind.INVITATION,
            email=other_plain.email,
            invited_by=world.users["other_customer"],
            expires_at=now + timedelta(days=7),
        )
        licensing_objects = add_licensing(world)
        pw = PermissionWorld(
            world=world,
            other_plain=other_plain,
            other_caller=other_caller,
            other_invitation=other_invitation,
            invitation_token=account_services.invitation_token(world.invitation),
            **licensing_objects,
            renewals=add_renewals(world, licensing_objects["entitlements"]),
            support=add_support(world, licensing_objects["entitlements"]),
            group=Group.objects.create(name="Vendor support"),
            outgoing_email=OutgoingEmail.objects.create(
                key="welcome:1", to="primary@alpha.test", subject="Welcome", template="welcome"
            ),
            log_entry=LogEntry.objects.get_for_object(world.site).first(),
        )
        for role in ROLES[1:]:
            client = Client()
            sign_in(client, world, role)
            pw.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield pw
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth's rate limits count in the cache, which the database rollback does not reset.
    cache.clear()


# --- collecting the URL patterns ---------------------------------------------------------------


def collect_url_patterns() -> list[tuple[str, str]]:
    """Every URL pattern of the project as (key, route), walking get_resolver() recursively.

    A named pattern's key is its namespaced name ("accounts:site_detail", "admin:index",
    "account_login"); an unnamed one (the admin's old-style object URLs and its catch-all) is
    keyed by its full route, since that is all there is to name it by.
    """
    found: list[tuple[str, str]] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry, route, inner)
            elif entry.name:
                found.append((f"{namespace}:{entry.name}" if namespace else entry.name, route))
            else:
                found.append((route, route))

    walk(get_resolver(), "", "")
    return found


# --- expectations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    pw: PermissionWorld
    url: str  # the URL requested
    number: str | None  # the site number in the URL, where there is one


@dataclass(frozen=True)
class Expect:
    status: int
    location: Callable[[Context], str] | None = None  # where a redirect goes
    final: int | None = None  # the status at the end of the redirect chain
    final_path: str | None = None  # ... and the path it ends at
    template: str | None = None  # a template the response must use


def login_url(ctx: Context) -> str:
    return reverse("account_login") + "?" + urlencode({"next": ctx.url})


def admin_login_url(ctx: Context) -> str:
    return reverse("admin:login") + "?" + urlencode({"next": ctx.url})


def to(name: str, *, site: bool = False) -> Callable[[Context], str]:
    """A redirect to a named URL; `site` passes the requested site's number."""

    def location(ctx: Context) -> str:
        return reverse(name, args=[ctx.number]) if site else reverse(name)

    return location


def to_client_page(ctx: Context) -> str:
    """The reseller's page of the requested site's customer."""
    customer_id = Site.objects.get(number=ctx.number).customer_id
    return reverse("accounts:reseller_client_detail", args=[customer_id])


LOGIN = Expect(302, login_url)
REFUSED = Expect(405)


@dataclass(frozen=True)
class Outcome(Mapping):
    """What each method answers; immutable (and hashable), so it can be a dataclass default."""

    answers: tuple[tuple[str, Expect], ...]

    def __getitem__(self, method: str) -> Expect:
        return dict(self.answers)[method]

    def __iter__(self):
        return (method for method, _ in self.answers)

    def __len__(self) -> int:
        return len(self.answers)


def outcome(answers: Mapping[str, Expect]) -> Outcome:
    return Outcome(tuple(answers.items()))


def _expect(answer: int | Expect) -> Expect:
    return answer if isinstance(answer, Expect) else Expect(answer)


def every(expect: Expect) -> Outcome:
    """The same answer for every method: sign-in, role, tenant and permission checks."""
    return outcome(dict.fromkeys(METHODS, expect))


def page(get: int | Expect = 200, post: int | Expect = 200) -> Outcome:
    """A portal view (accounts.decorators.guarded) the user gets through to: HEAD as GET, the
    methods no portal view serves 405."""
    return outcome(
        {
            "GET": _expect(get),
            "HEAD": _expect(get),
            "POST": _expect(post),
            **dict.fromkeys(OTHER_METHODS, REFUSED),
        }
    )


def view_class(get: int | Expect = 200, post: int | Expect = 405) -> Outcome:
    """A Django class-based view (View.dispatch): HEAD as GET, OPTIONS lists the methods."""
    return outcome({**page(get, post), "OPTIONS": Expect(200)})


def form_view(get: int | Expect = 200, post: int | Expect = 200) -> Outcome:
    """A Django FormView (ProcessFormView): as view_class, and PUT is handled as POST."""
    return outcome({**view_class(get, post), "PUT": _expect(post)})


def admin_page(get: int | Expect = 200, post: int | Expect = 200) -> Outcome:
    """One of the admin's function views: any method but POST is answered as GET."""
    return outcome({**dict.fromkeys(METHODS, _expect(get)), "POST": _expect(post)})


ok = page  # the portal's own pages
TO_LOGIN: Outcome = every(LOGIN)


def per_role(
    *, anonymous: Outcome = TO_LOGIN, signed_in: Outcome, **roles: Outcome
) -> Callable[[str, str], Expect]:
    """Expectations per role: `anonymous`, then each role named, else `signed_in`."""
    unknown = set(roles) - set(ROLES)
    assert not unknown, unknown

    def expect(role: str, method: str) -> Expect:
        outcome = anonymous if role == "anonymous" else roles.get(role, signed_in)
        return outcome[method]

    return expect


def fixed(**kwargs) -> Callable[[PermissionWorld], dict]:
    """URL kwargs that do not depend on the world."""
    return lambda _pw: kwargs


def for_each(roles: tuple[str, ...], outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(roles, outcome)


# --- the table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    key: str  # the URL pattern's key (see collect_url_patterns)
    target: str  # which object the URL points at: own, other, cross, ... or "-"
    expect: Callable[[str, str], Expect]  # (role, method) -> Expect
    kwargs: Callable[[PermissionWorld], dict] = lambda _pw: {}
    path: Callable[[PermissionWorld], str] | None = None  # for unnamed patterns
    roles: tuple[str, ...] = ROLES

    def url(self, pw: PermissionWorld) -> tuple[str, str | None]:
        if self.path is not None:
            return self.path(pw), None
        kwargs = self.kwargs(pw)
        return reverse(self.key, kwargs=kwargs), kwargs.get("number")


# Site pages (A4, accounts/rules.py). Who holds each permission at the own site, written out:
VIEW = frozenset({"primary", "site_admin", "stc", "caller", "reseller", "staff", "superuser"})
MANAGE = frozenset({"primary", "site_admin", "reseller", "staff", "superuser"})
CHANGE_PRIMARY = frozenset({"primary", "reseller", "staff", "superuser"})
MANAGE_CALLERS = frozenset({"primary", "site_admin", "stc", "reseller", "staff", "superuser"})
# Who can see each site at all; at the other site, its primary contact (other_customer) and its
# account manager (other_reseller) stand where primary and reseller stand at the own site.
SEES = {
    "own": VIEW,
    "other": frozenset({"other_customer", "other_reseller", "staff", "superuser"}),
}
STANDS_AS = {"other_customer": "primary", "other_reseller": "reseller"}

# URL name, object in the URL, permission holders, GET, POST, where an answering POST redirects.
SITE_PAGES = (
    ("accounts:site_detail", None, VIEW, 200, 405, None),
    ("accounts:site_history", None, VIEW, 200, 405, None),
    ("accounts:contact_list", None, VIEW, 200, 405, None),
    ("accounts:contact_add", None, MANAGE, 200, 200, None),  # empty form: errors
    ("accounts:contact_edit", "contact", MANAGE, 200, 200, None),  # empty form: errors
    ("accounts:contact_delete", "contact", MANAGE, 200, 302, "accounts:contact_list"),
    (
        "accounts:contact_make_primary",
        "contact",
        CHANGE_PRIMARY,
        200,
        302,
        "accounts:contact_list",
    ),
    ("accounts:contact_invite", "contact", MANAGE, 200, 302, "accounts:contact_list"),
    ("accounts:caller_list", None, MANAGE_CALLERS, 200, 200, None),  # empty form: errors
    ("accounts:caller_remove", "caller", MANAGE_CALLERS, 200, 302, "accounts:caller_list"),
    ("accounts:user_list", None, MANAGE, 200, 405, None),
    ("accounts:user_invite", None, MANAGE, 200, 200, None),  # empty form: errors
    ("accounts:user_remove", "caller", MANAGE, 200, 302, "accounts:user_list"),
    ("accounts:invitation_revoke", "invitation", MANAGE, 200, 302, "accounts:user_list"),
)
OBJECT_KWARGS = {"contact": "contact_id", "caller": "contact_id", "invitation": "invitation_id"}


def site_object(pw: PermissionWorld, kind: str, site: str) -> int:
    world = pw.world
    own = {
        "contact": world.contacts["plain"],
        "caller": world.contacts["caller"],
        "invitation": world.invitation,
    }
    other = {
        "contact": pw.other_plain,
        "caller": pw.other_caller,
        "invitation": pw.other_invitation,
    }
    return (own if site == "own" else other)[kind].pk


def site_page_kwargs(kind: str | None, target: str) -> Callable[[PermissionWorld], dict]:
    """own: the own site and its object; other: the other tenant's site and its object;
    cross: the own site's number with the other site's object in the URL."""

    def kwargs(pw: PermissionWorld) -> dict:
        site = pw.world.other_site if target == "other" else pw.world.site
        found = {"number": site.number}
        if kind is not None:
            found[OBJECT_KWARGS[kind]] = site_object(
                pw, kind, "own" if target == "own" else "other"
            )
        return found

    return kwargs


def site_page_expect(
    holders: frozenset[str], get: int, post: int, post_to: str | None, target: str
) -> Callable[[str, str], Expect]:
    def expect(role: str, method: str) -> Expect:
        if role == "anonymous":
            return LOGIN
        site = "other" if target == "other" else "own"
        if role not in SEES[site]:
            return Expect(404)  # A4: another tenant's site, whatever the method
        acting_as = STANDS_AS.get(role, role) if site == "other" else role
        if acting_as not in holders:
            return Expect(403)  # a visible site, a permission the role lacks
        if target == "cross":
            return Expect(404)  # A4: another site's contact or invitation, every method
        if post == 302:
            post_answer = Expect(302, to_client_page if post_to is None else to(post_to, site=True))
        else:
            post_answer = Expect(post)
        return page(get, post_answer)[method]

    return expect


def site_page_rows() -> list[Row]:
    rows = []
    for name, kind, holders, get, post, post_to in SITE_PAGES:
        targets = ("own", "other", "cross") if kind else ("own", "other")
        rows += [
            Row(
                name,
                target,
                site_page_expect(holders, get, post, post_to, target),
                kwargs=site_page_kwargs(kind, target),
            )
            for target in targets
        ]
    return rows


RESELLER_ONLY = {"signed_in": every(Expect(403))}  # reseller pages: 403 whatever the id

ACCOUNT_ROWS = [
    Row("dashboard", "-", per_role(signed_in=ok(200, 405))),
    # Every world user has confirmed their site number: the page sends them on.
    Row(
        "accounts:site_confirm",
        "-",
        per_role(signed_in=page(Expect(302, to("dashboard")), Expect(302, to("dashboard")))),
    ),
    # A5: the invitation link is public. Signed in as someone else, accepting it is refused.
    Row(
        "accounts:invitation_accept",
        "valid",
        per_role(anonymous=ok(200, 200), signed_in=page(200, Expect(302, to("dashboard")))),
        kwargs=lambda pw: {"token": pw.invitation_token},
    ),
    Row(
        "accounts:invitation_accept",
        "forged",
        per_role(anonymous=ok(404, 404), signed_in=ok(404, 404)),
        kwargs=fixed(token="forged-token"),
    ),
    Row("accounts:profile", "-", per_role(signed_in=ok(200, 200))),  # empty form: errors
    # E2: the language switcher is POST only, for everyone; no language chosen → back home.
    Row(
        "accounts:language",
        "-",
        per_role(
            anonymous=page(405, Expect(302, to("dashboard"))),
            signed_in=page(405, Expect(302, to("dashboard"))),
        ),
    ),
    Row(
        "accounts:reseller_clients",
        "-",
        per_role(**RESELLER_ONLY, **for_each(RESELLER_USERS, ok(200, 200))),
    ),
    Row(
        "accounts:reseller_client_detail",
        "own",
        per_role(**RESELLER_ONLY, reseller=ok(200, 200), other_reseller=every(Expect(404))),
        kwargs=lambda pw: {"customer_id": pw.world.site.customer_id},
    ),
    Row(
        "accounts:reseller_client_detail",
        "other",
        per_role(**RESELLER_ONLY, reseller=every(Expect(404)), other_reseller=ok(200, 200)),
        kwargs=lambda pw: {"customer_id": pw.world.other_site.customer_id},
    ),
    Row(
        "accounts:reseller_enrol",
        "-",
        per_role(**RESELLER_ONLY, **for_each(RESELLER_USERS, ok(200, 200))),  # empty form
    ),
    # A5, review #7 item 12: the account-managing reseller's (re)send of the welcome e-mail;
    # staff use the admin action. The POST answers on the client page.
    *(
        Row(
            "accounts:reseller_site_welcome",
            target,
            site_page_expect(frozenset({"reseller"}), 200, 302, None, target),
            kwargs=site_page_kwargs(None, target),
        )
        for target in ("own", "other")
    ),
]


# Licensing pages about one object are read-only: the object is looked up in the user's scope
# first (accounts.decorators), so POST answers 405 to those who can see it and 404 to the rest.
def licensing_expect(target: str, get: int = 200) -> Callable[[str, str], Expect]:
    """A page about one object: seen by whoever can see its site (A4), 404 for the rest."""

    def expect(role: str, method: str) -> Expect:
        if role == "anonymous":
            return LOGIN
        if role not in SEES[target]:
            return Expect(404)  # A4: every method
        return page(get, 405)[method]

    return expect


def licensing_object_rows(key: str, kwargs: Callable[[PermissionWorld, str], dict]) -> list[Row]:
    return [
        Row(key, target, licensing_expect(target), kwargs=lambda pw, t=target: kwargs(pw, t))
        for target in ("own", "other")
    ]


def site_number(pw: PermissionWorld, target: str) -> dict:
    return {"number": (pw.world.site if target == "own" else pw.world.other_site).number}


def to_import_preview(namespace: str, target: str) -> Callable[[Context], str]:
    def location(ctx: Context) -> str:
        name = (
            "licensing:import_preview"
            if namespace == "licensing"
            else "admin:licensing_entitlement_import_preview"
        )
        return reverse(name, args=[ctx.pw.import_batches[target].pk])

    return location


STATEMENT_ASKER = {"own": "primary", "other": "other_customer"}


def statement_document(target: str) -> Callable[[PermissionWorld], dict]:
    def kwargs(pw: PermissionWorld) -> dict:
        site = pw.world.site if target == "own" else pw.world.other_site
        document, _ = StatementDocument.objects.get_or_create(
            site=site,
            requested_by=pw.world.users[STATEMENT_ASKER[target]],
            defaults={"as_of": timezone.localdate(), "with_prices": True, "line_count": 300},
        )
        return {"document_id": document.pk}

    return kwargs


def statement_document_expect(target: str, get: Expect) -> Callable[[str, str], Expect]:
    def expect(role: str, method: str) -> Expect:
        if role == "anonymous":
            return LOGIN
        if role != STATEMENT_ASKER[target]:
            return Expect(404)
        return page(get, 405)[method]

    return expect


ORDER_PLACERS = frozenset({"reseller", "staff", "superuser"})  # L2

LICENSING_ROWS = [
    # L5: everyone's inventory is their own sites' entitlements; the list itself is for all.
    Row("licensing:inventory", "-", per_role(signed_in=ok(200, 405))),
    Row("licensing:inventory_csv", "-", per_role(signed_in=ok(200, 405))),
    *licensing_object_rows(
        "licensing:entitlement_detail",
        lambda pw, target: {"entitlement_id": pw.entitlements[target].pk},
    ),
    # L4: PoE PDFs for whoever can see the site.
    *licensing_object_rows("licensing:site_poe", site_number),
    *licensing_object_rows(
        "licensing:order_poe", lambda pw, target: {"order_id": pw.orders[target].pk}
    ),
    *licensing_object_rows(
        "licensing:poe_status", lambda pw, target: {"poe_id": pw.site_poes[target].pk}
    ),
    *licensing_object_rows(
        "licensing:poe_download", lambda pw, target: {"poe_id": pw.site_poes[target].pk}
    ),
    # L5: the customer statement, for whoever can see the site.
    *licensing_object_rows("licensing:statement", site_number),
    *licensing_object_rows("licensing:statement_csv", site_number),
    *licensing_object_rows("licensing:statement_pdf", site_number),
    # ... a large statement renders in the worker for the one who asked (review #7 item 2).
    *[
        Row(key, target, statement_document_expect(target, get), kwargs=statement_document(target))
        for key, get in (
            ("licensing:statement_status", Expect(200)),
            # still rendering: to its status page, the same path without download/
            (
                "licensing:statement_download",
                Expect(302, lambda c: c.url.removesuffix("download/")),
            ),
        )
        for target in ("own", "other")
    ],
    # L2: a site's orders and an order, for whoever can see the site...
    *licensing_object_rows("licensing:site_orders", site_number),
    *licensing_object_rows(
        "licensing:order_detail", lambda pw, target: {"order_id": pw.orders[target].pk}
    ),
    # ... but orders are placed by the account-managing reseller and staff only.
    *[
        Row(
            "licensing:order_create",
            target,
            site_page_expect(ORDER_PLACERS, 200, 200, None, target),  # empty form: errors
            kwargs=lambda pw, t=target: site_number(pw, t),
        )
        for target in ("own", "other")
    ],
    # L7: transfers, listed for whoever can see the site, requested by those who run it.
    *licensing_object_rows("licensing:site_transfers", site_number),
    *[
        Row(
            "licensing:transfer_create",
            target,
            site_page_expect(MANAGE, 200, 200, None, target),  # empty form: errors
            kwargs=lambda pw, t=target: site_number(pw, t),
        )
        for target in ("own", "other")
    ],
    # L8: a move is requested by those who run the site. Neither licence can move now (one
    # has a move waiting, the other no activation), so the page says why, for GET and POST.
    *[
        Row(
            "licensing:move_create",
            target,
            site_page_expect(MANAGE, 200, 200, None, target),
            kwargs=lambda pw, t=target: {"entitlement_id": pw.entitlements[t].pk},
        )
        for target in ("own", "other")
    ],
    # L6: resellers import into their own sites; another reseller's upload is a 404 (A4),
    # for every method, because the upload is looked up before the method is checked.
    Row(
        "licensing:import_upload",
        "-",
        per_role(**RESELLER_ONLY, **for_each(RESELLER_USERS, ok(200, 200))),  # empty form
    ),
    Row(
        "licensing:import_preview",
        "own",
        per_role(**RESELLER_ONLY, reseller=ok(200, 405), other_reseller=every(Expect(404))),
        kwargs=lambda pw: {"batch_id": pw.import_batches["own"].pk},
    ),
    Row(
        "licensing:import_preview",
        "other",
        per_role(**RESELLER_ONLY, reseller=every(Expect(404)), other_reseller=ok(200, 405)),
        kwargs=lambda pw: {"batch_id": pw.import_batches["other"].pk},
    ),
    # Confirming an upload with errors imports nothing and goes back to its preview.
    Row(
        "licensing:import_confirm",
        "own",
        per_role(
            **RESELLER_ONLY,
            reseller=page(405, Expect(302, to_import_preview("licensing", "own"))),
            other_reseller=every(Expect(404)),
        ),
        kwargs=lambda pw: {"batch_id": pw.import_batches["own"].pk},
    ),
    Row(
        "licensing:import_confirm",
        "other",
        per_role(
            **RESELLER_ONLY,
            reseller=every(Expect(404)),
            other_reseller=page(405, Expect(302, to_import_preview("licensing", "other"))),
        ),
        kwargs=lambda pw: {"batch_id": pw.import_batches["other"].pk},
    ),
    # L10: downloads of the versions one's sites hold; another tenant's version is a 404.
    Row("licensing:downloads", "-", per_role(signed_in=ok(200, 405))),
    *licensing_object_rows(
        "licensing:download", lambda pw, target: {"version_id": pw.versions[target].pk}
    ),
    Row("licensing:update_preferences", "-", per_role(signed_in=ok(200, 200))),  # empty form
    # L4: the verification page is public, for a genuine code and (404) for a made-up one.
    Row(
        "licensing:verify",
        "genuine",
        per_role(anonymous=ok(200, 405), signed_in=ok(200, 405)),
        kwargs=lambda pw: {"code": pw.site_poes["own"].code},
    ),
    Row(
        "licensing:verify",
        "forged",
        per_role(anonymous=ok(404, 405), signed_in=ok(404, 405)),
        kwargs=fixed(code="NOT-A-REAL-CODE"),
    ),
]


# allauth (A6). The portal is invitation-only: sign-up shows the closed page.
HOME = Expect(302, to("dashboard"))
ALLAUTH_ROWS = [
    Row("account_login", "-", per_role(anonymous=form_view(200, 200), signed_in=every(HOME))),
    Row(
        "account_logout",
        "-",
        per_role(anonymous=view_class(HOME, HOME), signed_in=view_class(200, HOME)),
    ),
    Row(
        "account_inactive",
        "-",
        per_role(anonymous=view_class(200, 405), signed_in=view_class(200, 405)),
    ),
    Row(
        "account_signup",
        "-",
        per_role(
            anonymous=every(Expect(200, template="account/signup_closed.html")),
            signed_in=every(HOME),
        ),
    ),
    Row("account_reauthenticate", "-", per_role(signed_in=form_view(200, 200))),
    Row(
        "account_email",
        "-",
        per_role(signed_in=form_view(200, Expect(302, to("account_email")))),
    ),
    Row(
        "account_email_verification_sent",
        "-",
        per_role(anonymous=view_class(200, 405), signed_in=view_class(200, 405)),
    ),
    Row("account_change_password", "-", per_role(signed_in=form_view(200, 200))),
    Row(
        "account_set_password",
        "-",
        per_role(signed_in=every(Expect(302, to("account_change_password")))),
    ),
    Row(
        "account_reset_password",
        "-",
        per_role(anonymous=form_view(200, 200), signed_in=form_view(200, 200)),
    ),
    # Sign-in by e-mailed code is off: there is no code to confirm.
    Row(
        "account_confirm_login_code",
        "-",
        per_role(anonymous=every(Expect(302, to("account_login"))), signed_in=every(HOME)),
    ),
    Row(
        "account_confirm_email",
        "-",
        per_role(anonymous=view_class(200, 404), signed_in=view_class(200, 404)),
        kwargs=fixed(key="forged-key"),
    ),
    Row(
        "account_reset_password_from_key_done",
        "-",
        per_role(anonymous=view_class(200, 405), signed_in=view_class(200, 405)),
    ),
    Row(
        "account_reset_password_from_key",
        "-",
        # A forged key: the page says so, whatever the method.
        per_role(anonymous=every(Expect(200)), signed_in=every(Expect(200))),
        kwargs=fixed(uidb36="1", key="forged-key"),
    ),
    Row(
        "account_reset_password_done",
        "-",
        per_role(anonymous=view_class(200, 405), signed_in=view_class(200, 405)),
    ),
    Row("mfa_index", "-", per_role(signed_in=view_class(200, 405))),
    # Only halfway through a sign-in is there a second factor to ask for.
    Row(
        "mfa_authenticate",
        "-",
        per_role(anonymous=every(Expect(302, to("account_login"))), signed_in=every(HOME)),
    ),
    Row(
        "mfa_reauthenticate",
        "-",
        per_role(
            signed_in=every(Expect(302, to("account_reauthenticate"))),
            **for_each(MFA_USERS, form_view(200, 200)),
        ),
    ),
    # Users who have an authenticator app are sent on to the page that would remove it...
    Row(
        "mfa_activate_totp",
        "-",
        per_role(
            signed_in=form_view(200, 200),  # empty form: errors
            **for_each(MFA_USERS, every(Expect(302, to("mfa_deactivate_totp")))),
        ),
    ),
    # ... which A6 refuses to reseller and staff users (accounts.adapters.MFAAdapter): the
    # page says why, and POST re-renders it with the error instead of removing the app.
    Row(
        "mfa_deactivate_totp",
        "-",
        per_role(signed_in=every(Expect(404)), **for_each(MFA_USERS, form_view(200, 200))),
    ),
    Row("mfa_view_recovery_codes", "-", per_role(signed_in=view_class(404, 405))),
    Row(
        "mfa_generate_recovery_codes",
        "-",
        per_role(
            signed_in=form_view(200, 200),  # no authenticator app: the form refuses
            **for_each(MFA_USERS, form_view(200, Expect(302, to("mfa_view_recovery_codes")))),
        ),
    ),
    Row("mfa_download_recovery_codes", "-", per_role(signed_in=every(Expect(404)))),
]


# --- the Django admin --------------------------------------------------------------------------


def admin_expect(staff: Outcome, superuser: Outcome | None = None, *, follow: bool = True):
    """A page behind AdminSite.admin_view: anonymous and non-staff users go to the admin
    login, and (`follow`) from there to allauth's login or a 403; staff get `staff`,
    superusers `superuser` (the same as staff when not given)."""

    def expect(role: str, method: str) -> Expect:
        if role == "anonymous":
            if not follow:
                return Expect(302, admin_login_url)
            return Expect(302, admin_login_url, final=200, final_path=reverse("account_login"))
        if role not in STAFF_USERS:
            return Expect(302, admin_login_url, final=403 if follow else None)
        outcome = superuser if role == "superuser" and superuser is not None else staff
        return outcome[method]

    return expect


def admin_login_expect(role: str, method: str) -> Expect:
    if role == "anonymous":
        return Expect(302, login_url)
    if role not in STAFF_USERS:
        return Expect(403)
    # admin.site.login sends a GET (only) of signed-in staff on to the index; the rest reach
    # Django's LoginView (a form view).
    return {**form_view(200, 200), "GET": Expect(302, to("admin:index"))}[method]


def admin_logout_expect(role: str, method: str) -> Expect:
    if role == "anonymous":
        return Expect(302, to("admin:index"), final=200, final_path=reverse("account_login"))
    if role not in STAFF_USERS:
        return Expect(302, to("admin:index"), final=403)
    return view_class(405, 200)[method]  # LogoutView serves POST (and OPTIONS) only


DENIED = every(Expect(403))  # staff without the model permission
ADMIN_SITE_ROWS = [
    Row("admin:index", "-", admin_expect(staff=admin_page(200, 200))),
    Row("admin:login", "-", admin_login_expect),
    Row("admin:logout", "-", admin_logout_expect),
    Row(
        "admin:password_change", "-", admin_expect(staff=form_view(200, 200))
    ),  # empty form: errors
    Row("admin:password_change_done", "-", admin_expect(staff=view_class(200, 405))),
    # Without ?term=, app_label=, model_name= and field_name= the view refuses.
    Row("admin:autocomplete", "-", admin_expect(staff=view_class(403, 405))),
    Row("admin:jsi18n", "-", admin_expect(staff=view_class(200, 405))),
    # No model has get_absolute_url(), so "view on site" finds nothing to redirect to.
    Row(
        "admin:view_on_site",
        "-",
        admin_expect(staff=every(Expect(404))),
        kwargs=lambda pw: {
            "content_type_id": ContentType.objects.get_for_model(Site).pk,
            "object_id": pw.world.site.pk,
        },
    ),
    Row(
        "admin/(?P<url>.*)$",  # the admin's catch-all: an unknown admin page
        "-",
        admin_expect(staff=every(Expect(404))),
        path=lambda _pw: "/admin/no-such-page/",
    ),
    Row(
        "admin:auth_user_password_change",
        "-",
        admin_expect(staff=DENIED, superuser=admin_page(200, 200)),  # empty form: errors
        kwargs=lambda pw: {"id": pw.world.users["primary"].pk},
    ),
]


# L6: staff import CSV files in the admin, with the "add entitlement" permission; the
# previews are staff's (every upload), so the superuser opens the reseller's.
ADMIN_SITE_ROWS += [
    Row(
        "admin:licensing_entitlement_import",
        "-",
        admin_expect(staff=DENIED, superuser=admin_page(200, 200)),  # empty form: errors
    ),
    Row(
        "admin:licensing_entitlement_import_preview",
        "-",
        # The admin's import views check the method themselves (GET only, so HEAD is 405).
        admin_expect(staff=DENIED, superuser={**page(200, 405), "HEAD": REFUSED}),
        kwargs=lambda pw: {"batch_id": pw.import_batches["own"].pk},
    ),
    Row(
        "admin:licensing_entitlement_import_confirm",
        "-",
        admin_expect(
            staff=DENIED,
            superuser=page(405, Expect(302, to_import_preview("admin", "own"))),
        ),
        kwargs=lambda pw: {"batch_id": pw.import_batches["own"].pk},
    ),
]

# S4: staff with the "add holiday" permission seed a country's holidays from the admin.
ADMIN_SITE_ROWS += [
    Row(
        "admin:support_holiday_seed",
        "-",
        admin_expect(staff=DENIED, superuser=admin_page(200, 200)),  # empty form: errors
    ),
]


def saved(ctx: Context) -> str:
    """Where the admin goes after saving a change form: the model's changelist."""
    return ctx.url.rsplit("/", 3)[0] + "/"


FORM_ERRORS: Outcome = admin_page(200, 200)
# Every field read-only: the empty form saves (nothing) and goes back to the changelist.
READ_ONLY_SAVE: Outcome = admin_page(200, Expect(302, saved))


@dataclass(frozen=True)
class AdminModel:
    """What a superuser gets from one ModelAdmin, written out (not read from the ModelAdmin,
    so that widening an admin's permissions fails here first)."""

    obj: Callable[[PermissionWorld], int]  # the pk of an object to open
    add: Outcome = FORM_ERRORS  # an empty add form re-renders with errors
    change: Outcome = FORM_ERRORS  # an empty change form re-renders with errors
    delete: Outcome = FORM_ERRORS  # without the confirmation field, POST asks again


ADMIN_MODELS: dict[str, AdminModel] = {
    "auth.group": AdminModel(lambda pw: pw.group.pk),
    "account.emailaddress": AdminModel(
        lambda _pw: EmailAddress.objects.get(email="primary@alpha.test").pk
    ),
    "mfa.authenticator": AdminModel(
        lambda pw: Authenticator.objects.get(user=pw.world.users["reseller"]).pk
    ),
    # A7: the audit trail is read-only, for everyone.
    "auditlog.logentry": AdminModel(
        lambda pw: pw.log_entry.pk, add=DENIED, change=admin_page(200, 403), delete=DENIED
    ),
    # E1: the e-mail log is read-only; staff resend through an action, never by editing.
    "portal.outgoingemail": AdminModel(
        lambda pw: pw.outgoing_email.pk, add=DENIED, change=admin_page(200, 403), delete=DENIED
    ),
    "accounts.user": AdminModel(lambda pw: pw.world.users["primary"].pk),
    "accounts.organisation": AdminModel(lambda pw: pw.world.site.customer_id),
    "accounts.agreement": AdminModel(lambda pw: pw.world.site.agreement_id),
    "accounts.site": AdminModel(lambda pw: pw.world.site.pk),
    "accounts.contact": AdminModel(lambda pw: pw.world.contacts["plain"].pk),
    # Invitations come from enrolment and the site pages, never from the admin.
    "accounts.invitation": AdminModel(
        lambda pw: pw.world.invitation.pk, add=DENIED, change=READ_ONLY_SAVE
    ),
    "licensing.product": AdminModel(lambda pw: pw.product.pk),
    "licensing.version": AdminModel(lambda pw: pw.versions["own"].pk),
    "licensing.order": AdminModel(lambda pw: pw.orders["own"].pk),
    "licensing.entitlement": AdminModel(lambda pw: pw.entitlements["own"].pk),
    # PoEs are issued from the portal; transfers (L7) and moves (L8) are requested there and
    # only decided in the admin.
    "licensing.poedocument": AdminModel(
        lambda pw: pw.site_poes["own"].pk, add=DENIED, change=READ_ONLY_SAVE
    ),
    # (its read-only line inline still expects its management form: an empty POST re-renders)
    # They are records (A7, review #7 item 20): nobody deletes them.
    "licensing.sitetransfer": AdminModel(lambda pw: pw.transfer.pk, add=DENIED, delete=DENIED),
    "licensing.licencemove": AdminModel(
        lambda pw: pw.move.pk, add=DENIED, change=READ_ONLY_SAVE, delete=DENIED
    ),
    "licensing.updatepreference": AdminModel(lambda pw: pw.update_preference.pk),
    "licensing.updatenotice": AdminModel(lambda pw: pw.update_notice.pk),
    # N10: job runs are records: read, never added, changed or deleted.
    "portal.jobrun": AdminModel(
        lambda pw: pw.renewals["job_run"].pk, add=DENIED, change=admin_page(200, 403), delete=DENIED
    ),
    # --- renewals admin (quotes, levels, commitments) -------------------------------------
    # N6: quotes are records, read in the admin; staff act through actions (expire, resend).
    "renewals.quote": AdminModel(
        lambda pw: pw.renewals["quotes"]["own"].pk,
        add=DENIED,
        change=admin_page(200, 403),
        delete=DENIED,
    ),
    # E3: a quote's PDF as rendered.
    "renewals.quotedocument": AdminModel(
        lambda pw: pw.renewals["quote_document"].pk,
        add=DENIED,
        change=admin_page(200, 403),
        delete=DENIED,
    ),
    # N7/N8/N9: levels are data staff edit; an agreement's level may be set by staff.
    "renewals.level": AdminModel(lambda pw: pw.renewals["level"].pk),
    "renewals.agreementlevel": AdminModel(lambda pw: pw.renewals["agreement_level"].pk),
    # Level changes and commitments are records: read, never added, changed or deleted.
    "renewals.levelchange": AdminModel(
        lambda pw: pw.renewals["level_change"].pk,
        add=DENIED,
        change=admin_page(200, 403),
        delete=DENIED,
    ),
    "renewals.commitment": AdminModel(
        lambda pw: pw.renewals["commitment"].pk,
        add=DENIED,
        change=admin_page(200, 403),
        delete=DENIED,
    ),
    # --- support admin (tickets, holidays, replacements, onsite zones and rates) ----------
    # tickets and their records (staff work queue): read in the admin, never added, changed
    # or deleted there; staff act through the portal's staff pages (and an assign action).
    **{
        label: AdminModel(obj, add=DENIED, change=admin_page(200, 403), delete=DENIED)
        for label, obj in (
            ("support.ticket", lambda pw: pw.support["tickets"]["own"].pk),
            ("support.ticketcomment", lambda pw: pw.support["internal_note"].pk),
            ("support.ticketattachment", lambda pw: pw.support["attachments"]["own"].pk),
            ("support.ticketevent", lambda pw: pw.support["ticket_event"].pk),
        )
    },
    # holidays (SLA clock, S4): data staff edit (and seed: admin:support_holiday_seed).
    "support.holiday": AdminModel(lambda pw: pw.support["holiday"].pk),
    # advance replacement (S6) and onsite support (S7): RMAs are records staff move on with
    # actions (shipped, received); onsite zones, countries and rates are data staff edit;
    # onsite requests are records.
    "support.replacementrequest": AdminModel(
        lambda pw: pw.support["replacements"]["own"].pk,
        add=DENIED,
        change=READ_ONLY_SAVE,
        delete=DENIED,
    ),
    "support.onsitezone": AdminModel(lambda pw: pw.support["onsite_zone"].pk),
    "support.onsitecountry": AdminModel(lambda pw: pw.support["onsite_country"].pk),
    "support.onsiterate": AdminModel(lambda pw: pw.support["onsite_rate"].pk),
    "support.onsiterequest": AdminModel(
        lambda pw: pw.support["onsite_requests"]["own"].pk,
        add=DENIED,
        change=admin_page(200, 403),
        delete=DENIED,
    ),
    # partner-branded support (S8):
}
# The model every role requests (the tenant object of A4); the others meet one non-staff role.
EVERY_ROLE_MODEL = "accounts.site"


def admin_model_rows() -> list[Row]:
    """Rows for each registered ModelAdmin; one missing from ADMIN_MODELS gets none, and so
    fails the coverage tests."""
    rows = []
    turn = 0

    def roles_for(label: str) -> tuple[str, ...]:
        nonlocal turn
        if label == EVERY_ROLE_MODEL:
            return ROLES
        turn += 1
        return ("anonymous", NON_STAFF[turn % len(NON_STAFF)], *STAFF_USERS)

    registry = admin.site._registry  # the admin has no public registry
    for model in registry:
        label = model._meta.label_lower
        spec = ADMIN_MODELS.get(label)
        if spec is None:
            continue
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"

        def object_id(pw, spec=spec):
            return {"object_id": spec.obj(pw)}

        def row(suffix, superuser, kwargs=object_id, label=label, prefix=prefix):
            return Row(
                f"{prefix}_{suffix}",
                "-",
                admin_expect(staff=DENIED, superuser=superuser, follow=label == EVERY_ROLE_MODEL),
                kwargs=kwargs,
                roles=roles_for(label),
            )

        rows += [
            row("changelist", admin_page(200, 200), kwargs=fixed()),
            row("add", spec.add, kwargs=fixed()),
            row("change", spec.change),
            row("delete", spec.delete),
            row("history", admin_page(200, 200)),
        ]
        # The old-style object URL redirects to the change page, for any staff user.
        base = f"admin/{model._meta.app_label}/{model._meta.model_name}/"

        def old_url(pw, base=base, spec=spec):
            return f"/{base}{spec.obj(pw)}/"

        def to_change(ctx, prefix=prefix, spec=spec):
            return reverse(f"{prefix}_change", args=[spec.obj(ctx.pw)])

        rows.append(
            Row(
                f"{base}<path:object_id>/",
                "-",
                admin_expect(staff=every(Expect(302, to_change)), follow=label == EVERY_ROLE_MODEL),
                path=old_url,
                roles=roles_for(label),
            )
        )
    # An app's index lists what the user may see; staff without permissions see nothing: 404.
    for app_label in sorted({model._meta.app_label for model in registry}):
        rows.append(
            Row(
                "admin:app_list",
                app_label,
                admin_expect(
                    staff=every(Expect(404)),
                    superuser=admin_page(200, 200),
                    follow=app_label == "accounts",
                ),
                kwargs=fixed(app_label=app_label),
                roles=roles_for(EVERY_ROLE_MODEL if app_label == "accounts" else app_label),
            )
        )
    return rows


# --- renewals (SPEC §3): one section per feature; each adds its rows to its own list ------


def quote_number(pw: PermissionWorld, target: str) -> dict:
    return {"number": pw.renewals["quotes"][target].number}


# A4: who finds the quote (the rest get 404); N6: of those, STCs and callers get 403.
QUOTE_SEES = {
    "own": frozenset({"primary", "site_admin", "stc", "caller", "reseller", "staff", "superuser"}),
    "other": frozenset({"other_customer", "other_reseller", "staff", "superuser"}),
}
QUOTE_HANDLERS = frozenset(
    {"primary", "site_admin", "reseller", "other_customer", "other_reseller", "staff", "superuser"}
)


def quote_expect(target: str, get: int = 200, post: int = 405) -> Callable[[str, str], Expect]:
    """A page about one quote: whoever can see a site of the quote (A4), 404 for the rest."""

    def expect(role: str, method: str) -> Expect:
        if role == "anonymous":
            return LOGIN
        if role not in QUOTE_SEES[target]:
            return Expect(404)
        if role not in QUOTE_HANDLERS:
            return Expect(403)
        return page(get, post)[method]

    return expect


RENEWALS_QUOTE_ROWS = [
    *(
        Row(
            "renewals:quote_detail",
            target,
            quote_expect(target),
            kwargs=lambda pw, t=target: quote_number(pw, t),
        )
        for target in ("own", "other")
    ),
]
# --- quote PDFs (E3, N6) ---


def quote_document(key: str) -> Callable[[PermissionWorld], dict]:
    return lambda pw: {"document_id": pw.renewals["quote_documents"][key].pk}


QUOTE_VENDOR_PRICES = frozenset({"reseller", "staff", "superuser"})


def quote_vendor_document_expect(role: str, method: str) -> Expect:
    """N6: the vendor-price PDF is for the quote's reseller and staff; for everyone else it is
    not there (404, every method), customers included."""
    if role == "anonymous":
        return LOGIN
    if role not in QUOTE_VENDOR_PRICES:
        return Expect(404)
    return page(200, 405)[method]


RENEWALS_QUOTE_ROWS += [
    *(
        Row(
            "renewals:quote_pdf",
            target,
            quote_expect(target),
            kwargs=lambda pw, t=target: quote_number(pw, t),
        )
        for target in ("own", "other")
    ),
    *(
        Row(name, target, quote_expect(target), kwargs=quote_document(target))
        for name in ("renewals:quote_pdf_status", "renewals:quote_pdf_download")
        for target in ("own", "other")
    ),
    *(
        Row(name, "own", quote_vendor_document_expect, kwargs=quote_document("vendor"))
        for name in ("renewals:quote_pdf_status", "renewals:quote_pdf_download")
    ),
]

RENEWALS_NOTICE_ROWS: list[Row] = []


def agreement_number(pw: PermissionWorld, target: str) -> dict:
    site = pw.world.site if target == "own" else pw.world.other_site
    return {"number": site.agreement.number}


# N9: the commitment page of an agreement: whoever sees a site of it finds it (A4, 404 for
# the rest); those who run a site decide (STCs and callers 403), as for quotes. GET shows the
# offer; an empty POST re-renders with the form's errors (or "no offer" at the other site).
RENEWALS_LEVEL_ROWS: list[Row] = [
    *(
        Row(
            "renewals:commitment_accept",
            target,
            quote_expect(target, get=200, post=200),
            kwargs=lambda pw, t=target: agreement_number(pw, t),
        )
        for target in ("own", "other")
    ),
]


def reinstatement_expect(target: str) -> Callable[[str, str], Expect]:
    """N5: a reinstatement request (POST only) is for those who run the entitlement's site;
    another tenant's entitlement is a 404 for every method (A4). A covered line is refused
    back on its page; a lapsed one goes on to its (new or live) quote."""
    site = "other" if target == "other" else "own"

    def to_quote(ctx: Context) -> str:
        entitlement = ctx.pw.renewals["lapsed_entitlement"]
        quote = Quote.objects.live().get(
            series_key=f"reinstatement:{entitlement.site_id}:{entitlement.product_id}"
        )
        return reverse("renewals:quote_detail", args=[quote.number])

    def to_entitlement(ctx: Context) -> str:
        return reverse("licensing:entitlement_detail", args=[pw_entitlement(ctx.pw, target).pk])

    def expect(role: str, method: str) -> Expect:
        if role == "anonymous":
            return LOGIN
        if role not in SEES[site]:
            return Expect(404)
        acting_as = STANDS_AS.get(role, role) if site == "other" else role
        if acting_as not in MANAGE:
            return Expect(403)
        return page(405, Expect(302, to_quote if target == "lapsed" else to_entitlement))[method]

    return expect


def pw_entitlement(pw: PermissionWorld, target: str) -> Entitlement:
    if target == "lapsed":
        return pw.renewals["lapsed_entitlement"]
    return pw.entitlements[target]


RENEWALS_CUSTOMER_ROWS: list[Row] = [
    # The customer's renewals page: everyone signed in sees their own (STCs and callers
    # without money, SPEC §1); reseller users are sent to their own renewals.
    Row(
        "renewals:renewals",
        "-",
        per_role(
            signed_in=ok(200, 405),
            **for_each(RESELLER_USERS, page(Expect(302, lambda _c: reseller_renewals_url()), 405)),
        ),
    ),
    # N6: accepting and declining show their review / confirmation for GET and an
    # unconfirmed POST (200); the quote's handlers only (STC and caller 403, others 404).
    *(
        Row(
            name,
            target,
            quote_expect(target, 200, 200),
            kwargs=lambda pw, t=target: quote_number(pw, t),
        )
        for name in ("renewals:quote_accept", "renewals:quote_decline")
        for target in ("own", "other")
    ),
    # N5: "Get a reinstatement quote": a covered line (own, other) and a lapsed one.
    *(
        Row(
            "renewals:reinstatement_request",
            target,
            reinstatement_expect(target),
            kwargs=lambda pw, t=target: {"entitlement_id": pw_entitlement(pw, t).pk},
        )
        for target in ("own", "other", "lapsed")
    ),
    # The calendar address page (an unconfirmed POST asks for confirmation: 200), and the
    # feed itself: no sign-in, the secret address is the credential; a made-up one is 404.
    Row("renewals:calendar", "-", per_role(signed_in=ok(200, 200))),
    Row(
        "renewals:calendar_feed",
        "token",
        per_role(anonymous=ok(200, 405), signed_in=ok(200, 405)),
        kwargs=lambda pw: {"token": pw.renewals["calendar_feed"].token},
    ),
    Row(
        "renewals:calendar_feed",
        "forged",
        per_role(anonymous=every(Expect(404)), signed_in=every(Expect(404))),
        kwargs=fixed(token="made-up-token"),
    ),
]


def price_quote(pw: PermissionWorld, target: str) -> dict:
    """The open (sent) quotes of each site, and the own reseller's draft."""
    if target == "draft":
        return {"number": pw.renewals["draft_quote"].number}
    return quote_number(pw, target)


# N6: the quote's reseller sets its client's price; an empty POST re-renders the form with
# its errors (on a sent quote too: the form is checked first, then the service refuses).
PRICE_SETTER = {"own": "reseller", "draft": "reseller", "other": "other_reseller"}


def quote_price_expect(target: str) -> Callable[[str, str], Expect]:
    sees = QUOTE_SEES["own" if target == "draft" else target]

    def expect(role: str, method: str) -> Expect:
        if role == "anonymous":
            return LOGIN
        if role not in sees:
            return Expect(404)
        if role != PRICE_SETTER[target]:
            return Expect(403)
        return page(200, 200)[method]

    return expect


# Reseller pages (issue #8): the renewals list and its CSV are for reseller users only (staff
# 403, as on every reseller page: they read quotes in the admin).
RENEWALS_RESELLER_ROWS: list[Row] = [
    Row(
        "renewals:reseller_renewals",
        "-",
        per_role(**RESELLER_ONLY, **for_each(RESELLER_USERS, ok(200, 405))),
    ),
    Row(
        "renewals:reseller_renewals_csv",
        "-",
        per_role(**RESELLER_ONLY, **for_each(RESELLER_USERS, ok(200, 405))),
    ),
    *(
        Row(
            "renewals:quote_price",
            target,
            quote_price_expect(target),
            kwargs=lambda pw, t=target: price_quote(pw, t),
        )
        for target in ("own", "other", "draft")
    ),
]


def edition_quote_expect(target: str) -> Callable[[str, str], Expect]:
    """L9/N6: asked for (POST) by those who run the site (STCs, callers: 403); another
    tenant's entitlement is a 404 for every method. An empty POST names no offer: back to
    the entitlement page, with the message."""

    def to_entitlement(ctx: Context) -> str:
        return reverse("licensing:entitlement_detail", args=[ctx.pw.entitlements[target].pk])

    def expect(role: str, method: str) -> Expect:
        if role == "anonymous":
            return LOGIN
        if role not in SEES[target]:
            return Expect(404)
        acting_as = STANDS_AS.get(role, role) if target == "other" else role
        if acting_as not in MANAGE:
            return Expect(403)
        return page(405, Expect(302, to_entitlement))[method]

    return expect


def to_fee_quote(target: str) -> Callable[[Context], str]:
    def location(ctx: Context) -> str:
        number = ctx.pw.renewals["fee_moves"][target].fee_quote_number
        return reverse("renewals:quote_detail", args=[number])

    return location


RENEWALS_KIND_ROWS: list[Row] = [
    *(
        Row(
            "renewals:edition_quote_request",
            target,
            edition_quote_expect(target),
            kwargs=lambda pw, t=target: {"entitlement_id": pw.entitlements[t].pk},
        )
        for target in ("own", "other")
    ),
    # L8: the move's link to its fee quote answers as the quote does (A4, N6).
    *(
        Row(
            "renewals:move_fee_quote",
            target,
            quote_expect(target, get=Expect(302, to_fee_quote(target))),
            kwargs=lambda pw, t=target: {"move_id": pw.renewals["fee_moves"][t].pk},
        )
        for target in ("own", "other")
    ),
]


# --- support (SPEC §4): one section per feature; each adds its rows to its own list -------

# --- tickets: lists, the new-ticket form, the ticket page, comments, escalation, downloads ---


def ticket_number(pw: PermissionWorld, target: str) -> dict:
    return {"number": pw.support["tickets"][target].number}


def ticket_attachment(pw: PermissionWorld, target: str) -> dict:
    return {"attachment_id": pw.support["attachments"][target].pk}


# support.rules: who sees a site's tickets (ticket.view) -- everyone who sees the site in the
# world; who opens and follows them up (S2: the own site's reseller is a certified service
# partner, the other site's is not; a site administrator follows up but does not open).
TICKET_SEES = {
    "own": frozenset({"primary", "site_admin", "stc", "caller", "reseller", "staff", "superuser"}),
    "other": frozenset({"other_customer", "other_reseller", "staff", "superuser"}),
}
TICKET_OPENERS = {
    "own": frozenset({"primary", "stc", "caller", "reseller", "staff", "superuser"}),
    "other": frozenset({"other_customer", "staff", "superuser"}),
}
TICKET_FOLLOW_UP = {
    "own": TICKET_OPENERS["own"] | {"site_admin"},
    "other": TICKET_OPENERS["other"],
}
# S5: escalation is the customer's (or its partner's) request, never support's own.
TICKET_ESCALATE = {target: roles - set(STAFF_USERS) for target, roles in TICKET_FOLLOW_UP.items()}


def ticket_expect(
    target: str, holders: Mapping[str, frozenset[str]], get: int | Expect, post: int | Expect
) -> Callable[[str, str], Expect]:
    """A page about one ticket (or its site): another tenant's is a 404 for every method
    (A4); a visible one without the permission 403 for every method; else `page`."""

    def expect(role: str, method: str) -> Expect:
        if role == "anonymous":
            return LOGIN
        if role not in TICKET_SEES[target]:
            return Expect(404)
        if role not in holders[target]:
            return Expect(403)
        return page(get, post)[method]

    return expect


def ticket_create_expect(target: str) -> Callable[[str, str], Expect]:
    """S2: the new-ticket form is a site page: whoever sees the site gets it, and those who
    may not open tickets there get the refusal with its reason (403) for GET and POST; an
    empty POST re-renders the form with its errors."""

    def expect(role: str, method: str) -> Expect:
        if role == "anonymous":
            return LOGIN
        if role not in TICKET_SEES[target]:
            return Expect(404)
        if role not in TICKET_OPENERS[target]:
            return page(403, 403)[method]
        return page(200, 200)[method]

    return expect


def to_ticket_create(target: str) -> Callable[[Context], str]:
    def location(ctx: Context) -> str:
        site = ctx.pw.world.site if target == "own" else ctx.pw.world.other_site
        return reverse("support:ticket_create", kwargs={"number": site.number})

    return location


SUPPORT_TICKET_ROWS: list[Row] = [
    # S1: everyone signed in has a ticket list (their own tickets only, A4).
    Row("support:tickets", "-", per_role(signed_in=ok(200, 405))),
    # Choosing the site: a user with one site (every world user but staff) goes straight to
    # its form, which gives the refusal where there is one.
    Row(
        "support:ticket_new",
        "-",
        per_role(
            signed_in=ok(200, 405),
            **for_each(
                ("primary", "site_admin", "stc", "caller", "reseller"),
                page(Expect(302, to_ticket_create("own")), 405),
            ),
            **for_each(
                ("other_customer", "other_reseller"),
                page(Expect(302, to_ticket_create("other")), 405),
            ),
        ),
    ),
    *(
        Row(
            "support:ticket_create",
            target,
            ticket_create_expect(target),
            kwargs=lambda pw, t=target: {
                "number": (pw.world.site if t == "own" else pw.world.other_site).number
            },
        )
        for target in ("own", "other")
    ),
    *(
        row
        for target in ("own", "other")
        for row in (
            Row(
                "support:ticket_detail",
                target,
                ticket_expect(target, TICKET_SEES, 200, 405),
                kwargs=lambda pw, t=target: ticket_number(pw, t),
            ),
            # POST only: an empty comment re-renders the page with the form's errors.
            Row(
                "support:ticket_comment",
                target,
                ticket_expect(target, TICKET_FOLLOW_UP, 405, 200),
                kwargs=lambda pw, t=target: ticket_number(pw, t),
            ),
            # S5: an empty reason re-renders the form with its errors.
            Row(
                "support:ticket_escalate",
                target,
                ticket_expect(target, TICKET_ESCALATE, 200, 200),
                kwargs=lambda pw, t=target: ticket_number(pw, t),
            ),
            Row(
                "support:attachment_download",
                target,
                ticket_expect(target, TICKET_SEES, 200, 405),
                kwargs=lambda pw, t=target: ticket_attachment(pw, t),
            ),
        )
    ),
    # S1: an internal note's attachment is not there for anyone but support staff (404,
    # every method), as if it did not exist.
    Row(
        "support:attachment_download",
        "internal",
        per_role(signed_in=every(Expect(404)), **for_each(STAFF_USERS, page(200, 405))),
        kwargs=lambda pw: ticket_attachment(pw, "internal"),
    ),
]

# --- staff: work queue, escalation queue, status, severity, assignment ---
# Staff pages are for staff users only: 403 for everyone else whatever the ticket (as reseller
# pages are for reseller users), for every method. Staff see every site's tickets: own and
# other alike; a ticket number that does not exist is 404 for every method.
STAFF_ONLY = {"signed_in": every(Expect(403))}


def to_ticket_page(ctx: Context) -> str:
    return reverse("support:ticket_detail", args=[ctx.number])


def staff_ticket_number(pw: PermissionWorld, target: str) -> dict:
    if target == "missing":
        return {"number": "T-00000000"}
    return {"number": pw.support["tickets"][target].number}


SUPPORT_STAFF_ROWS: list[Row] = [
    *(
        Row(name, "-", per_role(**STAFF_ONLY, **for_each(STAFF_USERS, ok(200, 405))))
        for name in ("support:queue", "support:escalations")
    ),
    # An empty POST is refused with a message (status, severity) or unassigns (assign): back
    # to the ticket page either way.
    *(
        Row(
            name,
            target,
            per_role(
                **STAFF_ONLY,
                **for_each(
                    STAFF_USERS,
                    every(Expect(404))
                    if target == "missing"
                    else page(405, Expect(302, to_ticket_page)),
                ),
            ),
            kwargs=lambda pw, t=target: staff_ticket_number(pw, t),
        )
        for name in ("support:ticket_status", "support:ticket_severity", "support:ticket_assign")
        for target in ("own", "other", "missing")
    ),
]

# --- advance replacement (S6) and onsite support (S7) ---
# A4: who finds the hardware ticket or its RMA is who sees the site (SEES; the rest 404).
# Asking (`ticket.follow_up`, support.rules): at the own site everyone who sees it (the
# reseller is a certified service partner); at the other site its primary contact and staff,
# not its reseller (no partner: 403). Looking at an RMA (`ticket.view`): everyone who sees it.
SERVICE_FOLLOW_UP = {
    "own": VIEW,
    "other": frozenset({"other_customer", "staff", "superuser"}),
}


def service_expect(target: str, outcome: Outcome, *, holders=None) -> Callable[[str, str], Expect]:
    holders = (holders or SERVICE_FOLLOW_UP)[target]

    def expect(role: str, method: str) -> Expect:
        if role == "anonymous":
            return LOGIN
        if role not in SEES[target]:
            return Expect(404)
        if role not in holders:
            return Expect(403)
        return outcome[method]

    return expect


def hardware_ticket(pw: PermissionWorld, target: str) -> dict:
    return {"number": pw.support["hardware_tickets"][target].number}


def replacement(pw: PermissionWorld, target: str) -> dict:
    return {"rma_number": pw.support["replacements"][target].number}


def to_rma(target: str) -> Callable[[Context], str]:
    def location(ctx: Context) -> str:
        return reverse("support:rma_detail", kwargs=replacement(ctx.pw, target))

    return location


SUPPORT_SERVICE_ROWS: list[Row] = [
    *(
        row
        for target in ("own", "other")
        for row in (
            # S6: the form (an empty POST re-renders with its errors).
            Row(
                "support:rma_request",
                target,
                service_expect(target, page(200, 200)),
                kwargs=lambda pw, t=target: hardware_ticket(pw, t),
            ),
            # S6: read-only for everyone who sees the ticket.
            Row(
                "support:rma_detail",
                target,
                service_expect(target, page(200, 405), holders=SEES),
                kwargs=lambda pw, t=target: replacement(pw, t),
            ),
            # S6: an empty return tracking: back to the RMA page with the message.
            Row(
                "support:rma_return",
                target,
                service_expect(target, page(405, Expect(302, to_rma(target)))),
                kwargs=lambda pw, t=target: replacement(pw, t),
            ),
            # S7: the price, then the confirmation (an empty POST re-renders with errors).
            Row(
                "support:onsite_request",
                target,
                service_expect(target, page(200, 200)),
                kwargs=lambda pw, t=target: hardware_ticket(pw, t),
            ),
        )
    ),
]


# --- partner-branded support (S8) ---
# A branded certified partner's logo and stylesheet are for any signed-in user (not tenant
# data: its clients' pages and e-mails show them); a reseller that is not a branded partner
# has none (404, whoever asks). The coverage page is a reseller page for certified partners:
# other resellers 403 (with the reason), customers and staff 403 as on every reseller page.
def partner_id(target: str) -> Callable[[PermissionWorld], dict]:
    def kwargs(pw: PermissionWorld) -> dict:
        partner = pw.support["partner"] if target == "own" else pw.world.other_reseller
        return {"partner_id": partner.pk}

    return kwargs


SUPPORT_PARTNER_ROWS: list[Row] = [
    *(
        Row(
            key,
            target,
            per_role(signed_in=ok(200, 405) if target == "own" else every(Expect(404))),
            kwargs=partner_id(target),
        )
        for key in ("support:brand_logo", "support:brand_style")
        for target in ("own", "other")
    ),
    Row(
        "support:partner_coverage",
        "-",
        per_role(**RESELLER_ONLY, reseller=ok(200, 405), other_reseller=every(Expect(403))),
    ),
]


ROWS = [
    *site_page_rows(),
    *ACCOUNT_ROWS,
    *LICENSING_ROWS,
    *RENEWALS_QUOTE_ROWS,
    *RENEWALS_NOTICE_ROWS,
    *RENEWALS_LEVEL_ROWS,
    *RENEWALS_CUSTOMER_ROWS,
    *RENEWALS_RESELLER_ROWS,
    *RENEWALS_KIND_ROWS,
    *SUPPORT_TICKET_ROWS,
    *SUPPORT_STAFF_ROWS,
    *SUPPORT_SERVICE_ROWS,
    *SUPPORT_PARTNER_ROWS,
    *ALLAUTH_ROWS,
    *ADMIN_SITE_ROWS,
    *admin_model_rows(),
]
CASES = [
    pytest.param(row, role, method, id=f"{row.key}-{role}-{method}-{row.target}")
    for row in ROWS
    for role in row.roles
    for method in WALKED_METHODS
]


# --- the tests ---------------------------------------------------------------------------------


def parsed(url: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(url)
    return parts.path, parse_qs(parts.query)


@pytest.mark.parametrize(("row", "role", "method"), CASES)
def test_permission(module_world, client, row: Row, role: str, method: str):
    pw = module_world
    url, number = row.url(pw)
    expected = row.expect(role, method)
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = pw.sessions[role]

    response = getattr(client, method.lower())(url)

    location = response.get("Location")
    assert (response.status_code, location is not None) == (
        expected.status,
        expected.location is not None,
    ), f"{method} {url} as {role}: {response.status_code} {location or ''}"
    if expected.location is not None:
        want = expected.location(Context(pw, url, number))
        assert parsed(location) == parsed(want), f"{method} {url} as {role}"
    if expected.template is not None:
        assert expected.template in [t.name for t in response.templates]
    if expected.final is not None:
        final = client.get(location, follow=True)
        assert final.status_code == expected.final, f"{url} as {role}: {final.redirect_chain}"
        if expected.final_path is not None:
            assert final.request["PATH_INFO"] == expected.final_path


def test_every_url_pattern_has_a_row():
    keys = [key for key, _ in collect_url_patterns()]
    duplicated = sorted({key for key in keys if keys.count(key) > 1})
    assert not duplicated, f"URL names used twice, so one pattern has no row: {duplicated}"
    missing = sorted(set(keys) - {row.key for row in ROWS})
    assert not missing, f"URL patterns without a row in the permission table: {missing}"


def test_the_table_covers_exactly_the_url_patterns():
    collected = {key for key, _ in collect_url_patterns()}
    assert {row.key for row in ROWS} == collected


def test_each_admin_url_meets_each_kind_of_user():
    """Where admin rows request a subset of roles, every admin URL is still requested by an
    anonymous user, a signed-in non-staff user and staff, with every method."""
    kinds = {"anonymous": "anonymous", "staff": "staff", "superuser": "staff"}
    met: dict[str, set[tuple[str, str]]] = {}
    for param in CASES:
        row, role, method = param.values
        met.setdefault(row.key, set()).add((kinds.get(role, "non-staff"), method))
    admin_keys = {key for key, route in collect_url_patterns() if route.startswith("admin/")}
    wanted = {
        (kind, method) for kind in ("anonymous", "non-staff", "staff") for method in WALKED_METHODS
    }
    assert {key for key in admin_keys if met.get(key) != wanted} == set()
    assert set(NON_STAFF) <= {param.values[1] for param in CASES if param.values[0].roles != ROLES}


TENANT_TARGETS = ("own", "other", "cross")  # rows whose URL names a tenant's object


def test_another_tenants_object_is_404_for_every_method():
    """A4: wherever the table expects a 404 for a tenant's object (another tenant's site,
    contact, order, upload...), it expects 404 for every method, so no method can tell an
    existing object of another tenant from a missing one."""
    mixed = [
        f"{row.key}-{role}-{row.target}: {answers}"
        for row in ROWS
        if row.target in TENANT_TARGETS
        for role in row.roles
        if 404
        in (answers := {method: row.expect(role, method).status for method in METHODS}).values()
        and set(answers.values()) != {404}
    ]
    assert mixed == []


def test_the_table_asks_every_method():
    """The table is walked with every method HTTP clients send, not only GET and POST."""
    assert set(METHODS) == {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
    assert {param.values[2] for param in CASES} == set(WALKED_METHODS)
    assert ON_POSTGRESQL or WALKED_METHODS == METHODS
