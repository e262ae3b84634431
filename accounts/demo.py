"""Demo data for `manage.py demo_data`: two resellers, four customers, one user per role.

Idempotent: objects are looked up by their natural keys (site numbers, agreement numbers,
e-mail addresses) and created only when missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.utils import timezone

from accounts.models import Agreement, Contact, Organisation, Site, User

DEMO_PASSWORD = "Entitle-demo-2026"  # noqa: S105 (public, demo only) # nosec B105
# Fixed secrets so the README can show them; add one to an authenticator app, or run
# `manage.py demo_totp EMAIL` for the current six-digit code.
DEMO_TOTP_SECRETS = {
    "reseller@demo.entitle.test": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
    "staff@demo.entitle.test": "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU",
}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    where: str
    totp_secret: str = ""


def _organisation(name: str, kind: str, **extra) -> Organisation:
    organisation, _created = Organisation.objects.get_or_create(
        name=name, kind=kind, defaults=extra
    )
    return organisation


def _agreement(customer: Organisation, programme: str, number: str, month: int) -> Agreement:
    agreement, _created = Agreement.objects.get_or_create(
        number=number,
        defaults={"customer": customer, "programme": programme, "anniversary_month": month},
    )
    return agreement


def _site(
    number: str,
    name: str,
    agreement: Agreement,
    reseller: Organisation | None,
    *,
    city: str,
    country: str,
    time_zone: str,
    language: str,
    address: str,
    enrolled: bool = True,
) -> Site:
    site, _created = Site.objects.get_or_create(
        number=number,
        defaults={
            "name": name,
            "customer": agreement.customer,
            "agreement": agreement,
            "reseller": reseller,
            "city": city,
            "country": country,
            "time_zone": time_zone,
            "language": language,
            "address_line1": address,
            "postcode": "00-001",
            "enrolled_at": timezone.now() if enrolled else None,
        },
    )
    return site


def _user(email: str, first: str, last: str, **extra) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, first_name=first, last_name=last, **extra
        )
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    secret = DEMO_TOTP_SECRETS.get(email)
    if (
        secret
        and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    ):
        TOTP.activate(user, secret)
    return user


def _contact(site: Site, name: str, email: str, user: User | None = None, **roles) -> Contact:
    contact, _created = Contact.objects.get_or_create(
        site=site,
        email=email,
        defaults={
            "name": name,
            "user": user,
            "language": site.language,
            "site_number_confirmed_at": timezone.now() if user else None,
            **roles,
        },
    )
    return contact


@transaction.atomic
def demo_data_load() -> list[DemoLogin]:
    northwind = _organisation(
        "Northwind Partners",
        Organisation.Kind.RESELLER,
        is_certified_service_partner=True,
        brand_name="Northwind Care",
        brand_primary_colour="#0B5394",
        brand_secondary_colour="#F1C232",
    )
    contoso = _organisation("Contoso Resale", Organisation.Kind.RESELLER)

    kowalski = _organisation("Kowalski Manufacturing S.A.", Organisation.Kind.CUSTOMER)
    lin = _organisation("Lin Design Studio", Organisation.Kind.CUSTOMER)
    bright = _organisation("Bright Pixel Ltd", Organisation.Kind.CUSTOMER)
    direct = _organisation("Direct Dynamics GmbH", Organisation.Kind.CUSTOMER)

    pa = _agreement(kowalski, Agreement.Programme.PA, "81000001", 3)
    pae = _agreement(lin, Agreement.Programme.PAE, "82000001", 6)
    vip = _agreement(bright, Agreement.Programme.VIP, "83000001", 9)
    direct_pa = _agreement(direct, Agreement.Programme.PA, "84000001", 12)

    pl = {"country": "PL", "time_zone": "Europe/Warsaw", "language": "pl"}
    warsaw = _site(
        "1000001",
        "Kowalski Warsaw HQ",
        pa,
        northwind,
        city="Warszawa",
        address="ul. Prosta 1",
        **pl,
    )
    krakow = _site(
        "1000002",
        "Kowalski Kraków Plant",
        pa,
        northwind,
        city="Kraków",
        address="ul. Długa 7",
        **pl,
    )
    gdansk = _site(
        "1000003",
        "Kowalski Gdańsk Port",
        pa,
        northwind,
        city="Gdańsk",
        address="ul. Portowa 3",
        **pl,
    )
    taipei = _site(
        "2000001",
        "Lin Design Taipei",
        pae,
        contoso,
        city="Taipei",
        address="No. 7, Section 5, Xinyi Road",
        country="TW",
        time_zone="Asia/Taipei",
        language="zh-hant",
    )
    london = _site(
        "3000001",
        "Bright Pixel London",
        vip,
        northwind,
        city="London",
        address="1 Shoreditch High Street",
        country="GB",
        time_zone="Europe/London",
        language="en",
    )
    berlin = _site(
        "4000001",
        "Direct Dynamics Berlin",
        direct_pa,
        None,
        city="Berlin",
        address="Unter den Linden 5",
        country="DE",
        time_zone="Europe/Berlin",
        language="en",
        enrolled=False,
    )

    primary = _user("primary@demo.entitle.test", "Anna", "Kowalska")
    site_admin = _user("admin@demo.entitle.test", "Piotr", "Nowak")
    stc = _user("stc@demo.entitle.test", "Ewa", "Wiśniewska")
    caller = _user("caller@demo.entitle.test", "Jan", "Zieliński")
    lin_primary = _user("lin@demo.entitle.test", "Mei", "Lin")
    _user("reseller@demo.entitle.test", "Rita", "Reseller", reseller=northwind)
    _user("staff@demo.entitle.test", "Sam", "Staff", is_staff=True, is_superuser=True)

    for site in (warsaw, krakow, gdansk):
        _contact(
            site,
            "Anna Kowalska",
            primary.email,
            primary,
            is_primary=True,
            is_renewal_contact=True,
            is_poe_contact=True,
        )
    _contact(
        warsaw,
        "Piotr Nowak",
        site_admin.email,
        site_admin,
        is_site_admin=True,
        is_billing_contact=True,
    )
    _contact(warsaw, "Ewa Wiśniewska", stc.email, stc, stc_role=Contact.STCRole.PRIMARY)
    _contact(warsaw, "Jan Zieliński", caller.email, caller, is_authorized_caller=True)
    _contact(warsaw, "Marek Logistyka", "media@kowalski.example", is_media_contact=True)
    _contact(
        taipei,
        "Mei Lin",
        lin_primary.email,
        lin_primary,
        is_primary=True,
        stc_role=Contact.STCRole.PRIMARY,
    )
    _contact(london, "Oliver Bright", "oliver@brightpixel.example", is_primary=True)
    _contact(berlin, "Greta Direkt", "greta@direct-dynamics.example", is_primary=True)

    return [
        DemoLogin("Primary contact", primary.email, "sites 1000001–1000003 (PA enterprise)"),
        DemoLogin("Site administrator", site_admin.email, "site 1000001"),
        DemoLogin("Site technical contact (STC)", stc.email, "site 1000001"),
        DemoLogin("Authorized technical caller", caller.email, "site 1000001"),
        DemoLogin("Primary contact (PAE)", lin_primary.email, "site 2000001"),
        DemoLogin(
            "Reseller user",
            "reseller@demo.entitle.test",
            "Northwind Partners' client sites",
            DEMO_TOTP_SECRETS["reseller@demo.entitle.test"],
        ),
        DemoLogin(
            "Vendor staff",
            "staff@demo.entitle.test",
            "everything, /admin/",
            DEMO_TOTP_SECRETS["staff@demo.entitle.test"],
        ),
    ]
