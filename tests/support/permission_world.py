"""The support objects of the permission table's world (tests/test_permissions.py): one of each
kind of object a support page or download is about, at the own site (world.site, managed by
the certified service partner world.reseller) and at the other tenant's site (managed by
world.other_reseller, not a partner). Sections per feature; add objects to yours.

The world is built inside one transaction, where the durable services cannot run: the rows
are written as the services write them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from licensing.models import CoveragePeriod, Entitlement, Product
from support.models import (
    OnsiteCountry,
    OnsiteRate,
    OnsiteRequest,
    OnsiteZone,
    ReplacementRequest,
    Ticket,
    TicketAttachment,
    TicketComment,
    TicketEvent,
)
from support.services.tickets import sla_targets_for

# The smallest PNG (1x1), a real one, so content checks and image fields accept it.
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def hardware_entitlement(site, product, *, today) -> Entitlement:
    """A covered hardware unit (support for a year from 30 days ago)."""
    entitlement = Entitlement.objects.create(
        site=site,
        product=product,
        quantity=1,
        purchased_on=today - timedelta(days=30),
        coverage_start=today - timedelta(days=30),
        coverage_end=today + timedelta(days=335),
    )
    CoveragePeriod.objects.create(
        entitlement=entitlement,
        starts_on=entitlement.coverage_start,
        ends_on=entitlement.coverage_end,
        kind=CoveragePeriod.Kind.PURCHASE,
    )
    return entitlement


def ticket_at(site, entitlement, *, opener, title: str, severity: int = 3) -> Ticket:
    now = timezone.now()
    ticket = Ticket(
        site=site,
        entitlement=entitlement,
        product_id=entitlement.product_id,
        severity=severity,
        title=title,
        description="It does not start.",
        contact_name=opener.email,
        contact_email=opener.email,
        opened_by=opener,
        opened_at=now - timedelta(hours=1),
    )
    sla_targets_for(ticket)
    ticket.save()
    return ticket


def add_support(world, entitlements: dict[str, Entitlement]) -> dict:
    today = timezone.localdate()
    now = timezone.now()
    objects: dict = {}
    sites = {"own": world.site, "other": world.other_site}
    openers = {"own": world.users["caller"], "other": world.users["other_customer"]}

    # --- tickets (S1): a software ticket at each site, with a public comment, a public
    # attachment, and (own site) an internal note carrying an attachment of its own ---
    tickets = {
        target: ticket_at(
            sites[target], entitlements[target], opener=openers[target], title=f"{target} down"
        )
        for target in ("own", "other")
    }
    objects["tickets"] = tickets
    attachments = {}
    for target, ticket in tickets.items():
        TicketComment.objects.create(
            ticket=ticket,
            author=openers[target],
            author_name=openers[target].email,
            body="Still down.",
            created_at=now,
        )
        attachments[target] = TicketAttachment.objects.create(
            ticket=ticket,
            file=ContentFile(b"log line\n", name="server.log"),
            original_name="server.log",
            content_type="text/plain",
            size=9,
            uploaded_by=openers[target],
            uploaded_at=now,
        )
    note = TicketComment.objects.create(
        ticket=tickets["own"],
        author=world.users["staff"],
        author_name="Support",
        is_internal=True,
        is_from_support=True,
        body="Looks like the known licence-server bug.",
        created_at=now,
    )
    attachments["internal"] = TicketAttachment.objects.create(
        ticket=tickets["own"],
        comment=note,
        file=ContentFile(b"trace\n", name="trace.txt"),
        original_name="trace.txt",
        content_type="text/plain",
        size=6,
        uploaded_by=world.users["staff"],
        uploaded_at=now,
    )
    objects["attachments"] = attachments

    # --- staff work queue, escalation: the own ticket's internal note and a staff-only
    # history event (its assignment, as ticket_assign records it) ---
    objects["internal_note"] = note
    objects["ticket_event"] = TicketEvent.objects.create(
        ticket=tickets["own"],
        kind=TicketEvent.Kind.ASSIGNED,
        happened_at=now,
        actor=world.users["staff"],
        description="Unassigned",
        is_internal=True,
    )

    # --- advance replacement (S6) and onsite support (S7): a covered hardware unit at each
    # site, a ticket about it, and an RMA already shipped ---
    hardware = Product.objects.create(
        part_number="PX-PHONE-1",
        name="Poly X Conference Phone",
        family="Poly X",
        kind=Product.Kind.HARDWARE,
        list_price=Decimal("900"),
        annual_ss_price=Decimal("120"),
    )
    objects["hardware_product"] = hardware
    units = {
        target: hardware_entitlement(sites[target], hardware, today=today)
        for target in ("own", "other")
    }
    objects["hardware_entitlements"] = units
    hardware_tickets = {
        target: ticket_at(
            sites[target], units[target], opener=openers[target], title=f"{target} phone dead"
        )
        for target in ("own", "other")
    }
    objects["hardware_tickets"] = hardware_tickets
    objects["replacements"] = {
        target: ReplacementRequest.objects.create(
            ticket=hardware_tickets[target],
            entitlement=units[target],
            failed_serial=f"SN-{target}-1",
            fault="No dial tone.",
            ship_to="Main street 1",
            status=ReplacementRequest.Status.SHIPPED,
            requested_by=openers[target],
            requested_at=now - timedelta(days=2),
            ship_by=today - timedelta(days=1),
            shipped_on=today - timedelta(days=1),
            outbound_tracking="1Z999",
            return_due_on=today + timedelta(days=13),
        )
        for target in ("own", "other")
    }
    # S7: both sites are in Poland (tests.accounts.factories.SiteFactory): its zone, the
    # zone's hardware rate (the migration's defaults may already hold them: set, not add),
    # and an onsite request on the own hardware ticket, quoted without a quote yet.
    zone, _created = OnsiteZone.objects.update_or_create(code="EU", defaults={"name": "Europe"})
    objects["onsite_zone"] = zone
    objects["onsite_country"], _created = OnsiteCountry.objects.update_or_create(
        country="PL", defaults={"zone": zone}
    )
    objects["onsite_rate"], _created = OnsiteRate.objects.update_or_create(
        zone=zone,
        product_kind=Product.Kind.HARDWARE,
        defaults={"price": Decimal("450.00"), "currency": "EUR"},
    )
    objects["onsite_requests"] = {
        "own": OnsiteRequest.objects.create(
            ticket=hardware_tickets["own"],
            reason="The phone needs a technician.",
            requested_by=openers["own"],
            requested_at=now - timedelta(days=1),
            zone=zone,
            price=Decimal("450.00"),
            currency="EUR",
        )
    }

    # --- partner-branded support (S8): the own site's partner has a brand with a logo ---
    partner = world.reseller
    partner.brand_name = "Reseller One Care"
    partner.brand_primary_colour = "#123456"
    partner.brand_secondary_colour = "#abcdef"
    partner.brand_logo.save("logo.png", ContentFile(PNG_1X1), save=False)
    partner.save()
    objects["partner"] = partner
    return objects
