"""Shared fixtures: a small two-tenant world with one user per role (SPEC §1)."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone, translation

from accounts.models import Contact, Invitation, Organisation, Site, User
from tests.accounts.factories import (
    ContactFactory,
    ResellerFactory,
    SiteFactory,
    UserFactory,
    with_totp,
)
from tests.infra import redis_server
from tests.portal.processes import DemoTemplate, demo_template
from tests.renewals.level_factories import ensure_default_levels


@dataclass
class World:
    """Two tenants. `site` (customer A, managed by `reseller`) holds one user per site role;
    `other_site` belongs to customer B, managed by `other_reseller`."""

    reseller: Organisation
    other_reseller: Organisation
    site: Site
    other_site: Site
    users: dict[str, User]
    contacts: dict[str, Contact]
    other_contact: Contact
    invitation: Invitation


ROLES = (
    "anonymous",
    "primary",
    "site_admin",
    "stc",
    "caller",
    "reseller",
    "other_reseller",
    "other_customer",
    "staff",
)


@pytest.fixture
def world(db) -> World:
    reseller = ResellerFactory(name="Reseller One", is_certified_service_partner=True)
    other_reseller = ResellerFactory(name="Reseller Two")
    site = SiteFactory(number="1234567", name="Alpha HQ", reseller=reseller)
    other_site = SiteFactory(number="7654321", name="Beta HQ", reseller=other_reseller)
    now = timezone.now()
    users = {
        "primary": UserFactory(email="primary@alpha.test"),
        "site_admin": UserFactory(email="admin@alpha.test"),
        "stc": UserFactory(email="stc@alpha.test"),
        "caller": UserFactory(email="caller@alpha.test"),
        "reseller": with_totp(UserFactory(email="rita@reseller-one.test", reseller=reseller)),
        "other_reseller": with_totp(
            UserFactory(email="otto@reseller-two.test", reseller=other_reseller)
        ),
        "other_customer": UserFactory(email="primary@beta.test"),
        "staff": with_totp(UserFactory(email="staff@vendor.test", is_staff=True)),
    }
    contacts = {
        "primary": ContactFactory(
            site=site,
            email="primary@alpha.test",
            user=users["primary"],
            is_primary=True,
            site_number_confirmed_at=now,
        ),
        "site_admin": ContactFactory(
            site=site,
            email="admin@alpha.test",
            user=users["site_admin"],
            is_site_admin=True,
            site_number_confirmed_at=now,
        ),
        "stc": ContactFactory(
            site=site,
            email="stc@alpha.test",
            user=users["stc"],
            stc_role=Contact.STCRole.PRIMARY,
            site_number_confirmed_at=now,
        ),
        "caller": ContactFactory(
            site=site,
            email="caller@alpha.test",
            user=users["caller"],
            is_authorized_caller=True,
            site_number_confirmed_at=now,
        ),
        "plain": ContactFactory(site=site, email="billing@alpha.test", is_billing_contact=True),
    }
    other_contact = ContactFactory(
        site=other_site,
        email="primary@beta.test",
        user=users["other_customer"],
        is_primary=True,
        site_number_confirmed_at=now,
    )
    invitation = Invitation.objects.create(
        contact=contacts["plain"],
        kind=Invitation.Kind.INVITATION,
        email="billing@alpha.test",
        invited_by=users["primary"],
        expires_at=now + timezone.timedelta(days=7),
    )
    return World(
        reseller, other_reseller, site, other_site, users, contacts, other_contact, invitation
    )


def client_for(client, world: World, role: str):
    """A Django test client signed in as `role` (or anonymous)."""
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


# --- real components (tests/infra.py) ---------------------------------------------------------


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real Redis for cache, rate-limit and broker tests: the one `.ci/run` started
    (ENTITLE_TEST_REDIS_URL), else a throw-away redis-server for this session."""
    with redis_server() as url:
        yield url


@pytest.fixture(scope="session")
def embedded_demo(tmp_path_factory) -> DemoTemplate:
    """The embedded stack's database with the demo data, built once per run for the stack
    tests (tests/portal/processes.py); each copies it into a var folder of its own."""
    return demo_template(tmp_path_factory)


NEEDS_POSTGRES = pytest.mark.skip(
    reason="needs PostgreSQL (row locks, concurrent connections): set "
    "DATABASE_URL=postgres://… as the PostgreSQL pass of .ci/run does (make test-postgres)"
)


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` run only on PostgreSQL; on SQLite they are skipped, saying so."""
    if connection.vendor == "postgresql":
        return
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(NEEDS_POSTGRES)


# --- data that migrations write --------------------------------------------------------------


@pytest.fixture(autouse=True)
def _default_levels_after_a_flush(request):
    """N7/N8/N9: the default levels are data a migration writes (renewals 0002). A
    transactional test (the browser tests, the concurrency tests) flushes the database
    afterwards, taking them away from the next such test: write them again before each."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        "live_server" in request.fixturenames
        or "transactional_db" in request.fixturenames
        or (marker is not None and marker.kwargs.get("transaction"))
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        ensure_default_levels()


@pytest.fixture(autouse=True)
def _each_test_starts_in_english():
    """E2: Django keeps the last activated language in the thread (a request served in Polish,
    the language switcher); a test after it would read Polish where it expects English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
