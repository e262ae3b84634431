"""SPEC §6: `manage.py demo_data` gives a newcomer a working portal with one user per role,
and running it again changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRETS
from accounts.models import Agreement, Organisation, Site, User
from accounts.selectors import Role, site_roles_for_user

pytestmark = pytest.mark.django_db

# Every table the demo may write: the portal's own apps and allauth's addresses and
# authenticators (the audit trail and sessions are not demo data).
DEMO_APPS = ("accounts", "licensing", "renewals", "support", "portal", "account", "mfa")


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for app_label in DEMO_APPS
        for model in apps.get_app_config(app_label).get_models()
    }


@pytest.fixture
def demo() -> str:
    out = StringIO()
    call_command("demo_data", stdout=out)
    return out.getvalue()


def test_running_demo_data_twice_changes_nothing(demo):
    """SPEC §6: the command is idempotent (same counts after a second run)."""
    before = _counts()
    assert before["accounts.Site"] == 6

    call_command("demo_data", stdout=StringIO())

    assert _counts() == before


def test_demo_data_prints_how_to_sign_in(demo):
    """SPEC §6: the newcomer is told the password and the logins."""
    assert DEMO_PASSWORD in demo
    assert "reseller@demo.entitle.test" in demo


def test_demo_data_creates_two_resellers_one_a_certified_service_partner(demo):
    """A1, S2: two resellers, one a certified service partner."""
    resellers = Organisation.objects.filter(kind=Organisation.Kind.RESELLER)

    assert resellers.count() == 2
    assert resellers.filter(is_certified_service_partner=True).count() == 1


def test_demo_data_creates_four_customers(demo):
    """A1: four customer organisations."""
    assert Organisation.objects.filter(kind=Organisation.Kind.CUSTOMER).count() == 4


def test_demo_data_has_a_pa_enterprise_with_three_sites(demo):
    """A2: a PA agreement linking several sites."""
    enterprises = [
        agreement
        for agreement in Agreement.objects.filter(programme=Agreement.Programme.PA)
        if agreement.sites.count() == 3
    ]

    assert len(enterprises) == 1


def test_demo_data_has_a_pae_site(demo):
    """A2: a PAE agreement has exactly one site."""
    pae = Agreement.objects.get(programme=Agreement.Programme.PAE)

    assert pae.sites.count() == 1


def test_demo_data_has_a_vip_customer(demo):
    """A1: a customer in the VIP programme."""
    assert Site.objects.filter(agreement__programme=Agreement.Programme.VIP).exists()


def test_demo_data_has_a_direct_customer_with_no_reseller(demo):
    """A2: a customer buying direct (no account manager)."""
    direct_customers = Organisation.objects.filter(
        kind=Organisation.Kind.CUSTOMER, sites__isnull=False
    ).exclude(sites__reseller__isnull=False)

    assert direct_customers.count() == 1


def test_every_demo_site_has_exactly_one_primary_contact(demo):
    """A3 holds in the demo data too."""
    for site in Site.objects.all():
        assert site.contacts.filter(is_primary=True).count() == 1, site.number


def test_demo_data_has_one_user_per_site_role(demo):
    """SPEC §1: primary contact, site administrator, STC and authorized caller, each able
    to sign in at the PA enterprise's first site."""
    site = Site.objects.get(number="1000001")
    roles = {
        role
        for user in User.objects.filter(contacts__site=site)
        for role in site_roles_for_user(user=user, site=site)
    }

    assert {Role.PRIMARY, Role.SITE_ADMIN, Role.STC, Role.CALLER} <= roles


def test_demo_data_has_a_reseller_user_and_a_staff_user(demo):
    """SPEC §1: reseller and vendor staff roles."""
    reseller_user = User.objects.get(email="reseller@demo.entitle.test")
    staff_user = User.objects.get(email="staff@demo.entitle.test")

    assert reseller_user.reseller.is_certified_service_partner
    assert staff_user.is_staff


def test_every_demo_user_can_sign_in_with_the_demo_password(demo):
    """A6: verified addresses, the printed password."""
    users = User.objects.all()

    assert users.count() == 7
    assert all(user.check_password(DEMO_PASSWORD) for user in users)
    assert EmailAddress.objects.filter(verified=True).count() == 7


@pytest.mark.parametrize("email", sorted(DEMO_TOTP_SECRETS))
def test_reseller_and_staff_demo_users_have_an_authenticator(demo, email):
    """A6: MFA is required for them, so the demo sets it up."""
    assert Authenticator.objects.filter(user__email=email, type=Authenticator.Type.TOTP).exists()


def test_only_reseller_and_staff_demo_users_have_an_authenticator(demo):
    """A6: MFA is optional for customers, so their demo users have none."""
    owners = set(Authenticator.objects.values_list("user__email", flat=True))

    assert owners == set(DEMO_TOTP_SECRETS)
