"""Demo support for `manage.py demo_data` (after the licensing and renewals demos), so `make run`
shows every part of §4: the holidays of the demo countries (S4); the support groups with the
demo staff user in them; Northwind's logo (S8); tickets at Warsaw in several states — a
severity 1 just opened (on-call paged), a severity 2 answered and in progress, a severity 3
waiting on the customer and escalated (S1, S4, S5); a hardware ticket at Gdańsk opened by the
partner's user with an advance replacement on its way (S6); and an unsupported appliance at
Kraków, so the partner's coverage page flags that site (S8).

Idempotent: tickets are found again by their one-time submission keys, the RMA by its unit."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from accounts.models import Organisation, Site, User
from licensing.models import CoveragePeriod, Entitlement, Product
from support.holidays import holidays_seed
from support.models import ReplacementRequest, Ticket
from support.selectors import SUPPORT_MANAGERS_GROUP, SUPPORT_STAFF_GROUP
from support.services.replacements import rma_mark_shipped, rma_request
from support.services.tickets import (
    ticket_comment_add,
    ticket_escalate,
    ticket_open,
    ticket_status_change,
)

DEMO_COUNTRIES = ("PL", "TW", "GB", "DE")
STAFF = "staff@demo.entitle.test"


def _logo() -> bytes:
    """Northwind's logo: a small PNG drawn here (the demo ships no image files)."""
    image = Image.new("RGB", (96, 96), "#0B5394")
    draw = ImageDraw.Draw(image)
    draw.rectangle((12, 12, 84, 84), outline="#F1C232", width=6)
    draw.polygon([(30, 72), (30, 24), (66, 72), (66, 24)], outline="#FFFFFF", width=6)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def _ticket(
    site: Site,
    key: str,
    *,
    user: str,
    product: str,
    severity: int,
    title: str,
    description: str,
    now: datetime,
) -> Ticket:
    existing = Ticket.objects.filter(submission_key=f"demo:{key}").first()
    if existing is not None:
        return existing
    return ticket_open(
        site_id=site.pk,
        product_id=Product.objects.get(part_number=product).pk,
        severity=severity,
        title=title,
        description=description,
        actor=User.objects.get(email=user),
        now=now,
        submission_key=f"demo:{key}",
    )


def _unsupported_appliance(site: Site, *, as_of: date) -> None:
    """S8: a Keystone appliance whose support lapsed, so the partner's page flags the site."""
    product = Product.objects.get(part_number="KEY-AP-500")
    if Entitlement.objects.filter(site=site, product=product).exists():
        return
    start = as_of - timedelta(days=500)
    line = Entitlement.objects.create(
        site=site,
        product=product,
        quantity=1,
        purchased_on=start,
        coverage_start=start,
        coverage_end=start + timedelta(days=364),
    )
    CoveragePeriod.objects.create(
        entitlement=line,
        starts_on=line.coverage_start,
        ends_on=line.coverage_end,
        kind=CoveragePeriod.Kind.PURCHASE,
    )


def support_demo_load(*, now: datetime) -> int:
    """Load the support demo; the number of tickets it holds."""
    as_of = now.date()
    for country in DEMO_COUNTRIES:
        holidays_seed(country=country, years=[as_of.year, as_of.year + 1])
    staff = User.objects.get(email=STAFF)
    for name in (SUPPORT_STAFF_GROUP, SUPPORT_MANAGERS_GROUP):
        Group.objects.get_or_create(name=name)[0].user_set.add(staff)
    northwind = Organisation.objects.get(name="Northwind Partners")
    if not northwind.brand_logo:
        northwind.brand_logo.save("northwind-care.png", ContentFile(_logo()), save=True)

    sites = {
        site.number: site
        for site in Site.objects.filter(number__in=["1000001", "1000002", "1000003"])
    }
    warsaw, krakow, gdansk = sites["1000001"], sites["1000002"], sites["1000003"]
    _ticket(  # a severity 1 just opened: on-call is paged (S9)
        warsaw,
        "sev1",
        user="caller@demo.entitle.test",
        product="ATL-DB-100",
        severity=1,
        title="Atlas cluster down in production",
        description="Both database nodes stopped at 09:12 and do not restart.",
        now=now - timedelta(minutes=40),
    )
    lag = _ticket(
        warsaw,
        "sev2",
        user="stc@demo.entitle.test",
        product="ATL-DB-100",
        severity=2,
        title="Replication lag after the upgrade to 11.0",
        description="The replica is 20 minutes behind since the upgrade.",
        now=now - timedelta(days=1),
    )
    if not lag.first_response_at:
        ticket_comment_add(
            ticket_id=lag.pk,
            actor=staff,
            now=now - timedelta(hours=20),
            body="Thank you. Please send the replica's log from the last hour.",
        )
        ticket_status_change(
            ticket_id=lag.pk, status="in_progress", actor=staff, now=now - timedelta(hours=19)
        )
    keys = _ticket(
        warsaw,
        "sev3",
        user="primary@demo.entitle.test",
        product="ATL-DB-DEV",
        severity=3,
        title="Developer licences after the hardware refresh",
        description="Which licence keys do the new developer laptops need?",
        now=now - timedelta(days=3),
    )
    if not keys.first_response_at:
        ticket_comment_add(
            ticket_id=keys.pk,
            actor=staff,
            now=now - timedelta(days=3, hours=-1),
            body="The keys follow the machines: could you tell us how many laptops?",
        )
        ticket_status_change(
            ticket_id=keys.pk,
            status="in_progress",
            actor=staff,
            now=now - timedelta(days=3, hours=-2),
        )
        ticket_status_change(
            ticket_id=keys.pk, status="waiting", actor=staff, now=now - timedelta(days=3, hours=-2)
        )
    if keys.escalated_at is None:
        ticket_escalate(
            ticket_id=keys.pk,
            actor=User.objects.get(email="primary@demo.entitle.test"),
            reason="We need an answer before the laptops ship on Friday.",
            now=now,
        )
    phone = _ticket(
        gdansk,
        "hw",
        user="reseller@demo.entitle.test",
        product="KEY-AP-500",
        severity=2,
        title="Security appliance fails its self-test",
        description="The appliance reboots in a loop with error E42 after the power cut.",
        now=now - timedelta(days=2),
    )
    rma = ReplacementRequest.objects.filter(ticket=phone).first()
    if rma is None:
        rma = rma_request(
            ticket_id=phone.pk,
            failed_serial="KS500-0042",
            fault="Self-test error E42.",
            ship_to="Kowalski Gdańsk Port, ul. Portowa 3, Gdańsk",
            actor=User.objects.get(email="reseller@demo.entitle.test"),
            now=now - timedelta(days=2),
        )
        rma_mark_shipped(
            rma_id=rma.pk,
            shipped_on=as_of - timedelta(days=1),
            tracking="1Z-DEMO-0042",
            actor=staff,
            now=now - timedelta(days=1),
        )
    _unsupported_appliance(krakow, as_of=as_of)
    return Ticket.objects.count()
