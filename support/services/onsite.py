"""S7: onsite support, requested from a ticket and priced as a quote (renewals' machinery).

The price is data (support.models.onsite, edited in the admin): the site's country belongs to
an onsite zone (OnsiteCountry), and the zone has a rate per product type (OnsiteRate). A
country without a zone, or a zone without a rate for the ticket's product type, has no onsite
service: the request is refused, saying so.

The request writes an OnsiteRequest and issues a quote of kind "onsite" with one "service"
line (valid 30 days); the quote e-mails go out as renewals sends every quote's (for a site a
reseller manages, the quote first waits for the reseller's price, N6). A second request while
the ticket's onsite quote is still live hands that quote back. Accepting the quote books the
visit (support.receivers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Site, User
from licensing.models import Product
from portal.core.audit import acting_as
from portal.core.mail import email_queue
from renewals.kinds import QuoteDraft, builder_for, default_valid_until, one_line_draft
from renewals.models import Quote
from renewals.services.quotes import quote_issue
from support import rules
from support.emails import customer_recipients, support_staff_addresses, ticket_link
from support.models import (
    OnsiteCountry,
    OnsiteRate,
    OnsiteRequest,
    Ticket,
    TicketEvent,
    TicketStatus,
)

ONSITE = Quote.Kind.ONSITE
MIN_REASON = 10


@dataclass(frozen=True)
class OnsitePrice:
    """S7: what one visit costs at a site for a product type, and the zone that says so."""

    rate: OnsiteRate | None
    refusal: str = ""

    @property
    def price(self) -> Decimal | None:
        return self.rate.price if self.rate else None


def onsite_price_for(*, site: Site, product_kind: str) -> OnsitePrice:
    """S7: the site's country → its zone → the zone's rate for the product type (two queries
    at most), or why there is no onsite service."""
    country = site.country
    placed = OnsiteCountry.objects.select_related("zone").filter(country=country).first()
    if placed is None:
        return OnsitePrice(
            None,
            _("There is no onsite service in %(country)s (S7): support works with you remotely.")
            % {"country": country.name},
        )
    rate = (
        OnsiteRate.objects.select_related("zone")
        .filter(zone=placed.zone, product_kind=product_kind)
        .first()
    )
    if rate is None:
        return OnsitePrice(
            None,
            _(
                "There is no onsite service in %(country)s for %(kind)s products (S7): support "
                "works with you remotely."
            )
            % {"country": country.name, "kind": _kind_label(product_kind)},
        )
    return OnsitePrice(rate)


def _kind_label(product_kind: str) -> str:
    try:
        return str(Product.Kind(product_kind).label).lower()
    except ValueError:
        return product_kind


def onsite_series_key(ticket_id: int, request_id: int) -> str:
    return f"onsite:{ticket_id}:{request_id}"


def onsite_draft(*, onsite: OnsiteRequest, as_of: date) -> QuoteDraft:
    """S7/N6: one "service" line for the ticket's product at the zone's rate."""
    ticket = onsite.ticket
    site = ticket.site
    entitlement = ticket.entitlement
    description = _("Onsite visit for ticket %(number)s: %(product)s (zone %(zone)s)") % {
        "number": ticket.number,
        "product": ticket.product.name,
        "zone": onsite.zone.name,
    }
    return one_line_draft(
        site=site,
        kind=ONSITE,
        entitlement=entitlement,
        action="service",
        description=description,
        price=onsite.price,
        currency=onsite.currency,
        series_key=onsite_series_key(ticket.pk, onsite.pk),
        valid_until=default_valid_until(as_of),
        subject={"onsite_request": onsite.pk, "ticket": ticket.pk},
    )


def live_onsite_request(ticket: Ticket, *, as_of: date) -> OnsiteRequest | None:
    """The ticket's onsite request whose quote is still live and valid on `as_of`."""
    return (
        OnsiteRequest.objects.filter(
            ticket=ticket,
            status=OnsiteRequest.Status.QUOTED,
            quote__state__in=(Quote.State.DRAFT, Quote.State.OPEN),
            quote__valid_until__gte=as_of,
        )
        .select_related("quote", "zone")
        .order_by("-requested_at", "-pk")
        .first()
    )


def _event(ticket: Ticket, description: str, *, actor, now) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.ONSITE,
        happened_at=now,
        actor=actor,
        description=description[:300],
    )


@transaction.atomic(durable=True)
def onsite_request(*, ticket_id: int, reason: str, actor: User, now: datetime) -> OnsiteRequest:
    """S7: ask for an onsite visit from a ticket; priced as a quote. Race-free: the ticket row
    is locked, so of two requests at once the second finds the first's live quote."""
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("site__reseller", "product", "entitlement")
        .get(pk=ticket_id)
    )
    if not rules.can_follow_up_ticket(actor, ticket):
        raise PermissionDenied(_("You cannot ask for a visit on this ticket."))
    if ticket.status == TicketStatus.CLOSED:
        raise ValidationError(
            _("Ticket %(number)s is closed: open a new ticket for a new problem.")
            % {"number": ticket.number},
            code="closed",
        )
    as_of = ticket.site.local_date(now)
    live = live_onsite_request(ticket, as_of=as_of)
    if live is not None:
        return live
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise ValidationError(
            {
                "reason": _("Say why a visit is needed (at least %(count)d characters).")
                % {"count": MIN_REASON}
            }
        )
    offer = onsite_price_for(site=ticket.site, product_kind=ticket.product.kind)
    if offer.rate is None:
        raise ValidationError(offer.refusal, code="no_onsite")
    with acting_as(actor):
        # Earlier requests whose quotes lapsed (expired, declined) were not taken.
        OnsiteRequest.objects.filter(ticket=ticket, status=OnsiteRequest.Status.QUOTED).update(
            status=OnsiteRequest.Status.CLOSED
        )
        onsite = OnsiteRequest.objects.create(
            ticket=ticket,
            reason=reason[:5000],
            requested_by=actor,
            requested_at=now,
            zone=offer.rate.zone,
            price=offer.rate.price,
            currency=offer.rate.currency,
        )
        draft = builder_for(ONSITE)(onsite=onsite, as_of=as_of)
        quote = quote_issue(draft=draft, as_of=as_of, now=now, actor=actor)
        onsite.quote = quote
        onsite.save(update_fields=["quote"])
        _event(
            ticket,
            _("Onsite visit requested: quote %(quote)s (zone %(zone)s)")
            % {"quote": quote.number, "zone": onsite.zone.name},
            actor=actor,
            now=now,
        )
    return onsite


def onsite_booked(*, quote: Quote, as_of: date) -> OnsiteRequest | None:
    """S7: accepting the onsite quote books the visit (inside the acceptance transaction);
    the ticket records it and support is told to send a technician."""
    onsite_id = quote.subject.get("onsite_request")
    if not onsite_id:
        return None
    onsite = (
        OnsiteRequest.objects.select_for_update(of=("self",))
        .select_related("ticket__site__reseller", "ticket__contact__user", "zone")
        .filter(pk=onsite_id)
        .first()
    )
    if onsite is None or onsite.status == OnsiteRequest.Status.BOOKED:
        return onsite
    onsite.status = OnsiteRequest.Status.BOOKED
    onsite.booked_on = as_of
    onsite.quote = quote
    onsite.save(update_fields=["status", "booked_on", "quote"])
    ticket = onsite.ticket
    _event(
        ticket,
        _("Onsite visit booked: quote %(quote)s accepted; support will arrange the visit")
        % {"quote": quote.number},
        actor=quote.decided_by,
        now=quote.decided_at,
    )
    context = {"ticket": ticket, "onsite": onsite, "quote": quote, "link": ticket_link(ticket)}
    email_queue(
        key=f"onsite:{onsite.pk}:booked:desk",
        to=support_staff_addresses(),
        template="support/onsite_booked",
        context={**context, "for_staff": True},
        language="en",
        about={"ticket": ticket.number, "onsite": onsite.pk},
    )
    for recipient in customer_recipients(ticket):
        email_queue(
            key=f"onsite:{onsite.pk}:booked:{recipient.address}",
            to=[recipient.address],
            template="support/onsite_booked",
            context={**context, "for_staff": False},
            language=recipient.language,
            about={"ticket": ticket.number, "onsite": onsite.pk},
        )
    return onsite
