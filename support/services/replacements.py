"""S6: advance hardware replacement (RMA).

- A replacement is asked for from a ticket about a `hardware` product whose support covers
  the request date, by those who follow the ticket up (support.rules `ticket.follow_up`).
  It ships by the next business day in the site's calendar (weekdays minus the country's
  holidays), before the failed unit comes back; the site's certified service partner installs
  the part (seed 003, footnote 4).
- One live RMA per unit (constraint `one_live_rma_per_unit`): the same serial twice is refused.
- Staff mark the replacement shipped (date, tracking): the failed unit is then due back within
  10 business days of the shipping date; staff mark it received.
- A daily job flags shipped RMAs whose unit is not back by its due date as overdue and quotes
  the customer the unit's list price (quote kind `rma_unit`, the Poly+ rule), once per RMA.
- Accepting that quote pays for the unit: the RMA stays *overdue* (the unit is still out; staff
  may still receive it), the ticket records "unit paid", and the RMA page shows the accepted
  quote. Receiving the unit while its quote is still open withdraws the quote (nothing to pay).

Writes are durable transactions that lock the row they decide about; e-mails go through the
outbox (E1) in the same transaction."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from licensing.models import Product
from portal.core.audit import acting_as
from portal.core.batch import JobSummary
from portal.core.formatting import format_day
from portal.core.mail import email_queue, email_render
from renewals.kinds import QuoteDraft, builder_for, default_valid_until, one_line_draft
from renewals.models import Quote
from renewals.services.quotes import quote_issue
from support import eligibility, rules
from support.branding import brand_for_site
from support.emails import customer_recipients
from support.models import ReplacementRequest, Ticket, TicketEvent, TicketStatus
from support.selectors import calendar_for_site
from support.sla import MAX_DAYS_SEARCHED, CalendarError, SupportCalendar

RETURN_BUSINESS_DAYS = 10  # S6: the failed unit is due back within 10 business days
UNRETURNED_UNIT = Quote.Kind.UNRETURNED_UNIT
MAX_SERIAL = 100
Status = ReplacementRequest.Status
LIVE = (Status.REQUESTED, Status.SHIPPED)


# --- business days (pure) --------------------------------------------------------------------


def business_days_after(day: date, count: int, calendar: SupportCalendar) -> date:
    """The `count`-th business day after `day` (weekdays that are not holidays): 1 is "the next
    business day" (a Friday's is the Monday, a day before a holiday's the day after it)."""
    if count < 1:
        raise ValueError("count business days from 1")
    found = 0
    for _offset in range(MAX_DAYS_SEARCHED):
        day += timedelta(days=1)
        if calendar.is_business_day(day):
            found += 1
            if found == count:
                return day
    raise CalendarError("no business day found: check the holidays of this country")


def ship_by_for(requested_on: date, calendar: SupportCalendar) -> date:
    """S6: the replacement ships by the next business day after the request."""
    return business_days_after(requested_on, 1, calendar)


def return_due_for(shipped_on: date, calendar: SupportCalendar) -> date:
    """S6: the failed unit is due back 10 business days after the replacement shipped."""
    return business_days_after(shipped_on, RETURN_BUSINESS_DAYS, calendar)


# --- helpers ---------------------------------------------------------------------------------


def _day(value: date) -> str:
    return format_day(value)


def _event(ticket: Ticket, description: str, *, actor, now) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.RMA,
        happened_at=now,
        actor=actor,
        description=description[:300],
    )


def rma_link(rma: ReplacementRequest) -> str:
    return settings.SITE_URL + reverse("support:rma_detail", kwargs={"rma_number": rma.number})


def _partner_users(rma: ReplacementRequest):
    if rma.installer_id is None:
        return User.objects.none()
    return User.objects.filter(reseller_id=rma.installer_id, is_active=True).order_by("email")


def _emails_queue(rma: ReplacementRequest, *, event: str, template: str, partner: bool) -> int:
    """One e-mail per recipient (the ticket's contact and the site's STCs, S9; with `partner`
    also the installing partner's users), rendered once per language and audience."""
    ticket = rma.ticket
    base = {
        "rma": rma,
        "ticket": ticket,
        "link": rma_link(rma),
        "brand": brand_for_site(ticket.site, absolute=True),
    }
    recipients = [(r.address, r.language, False) for r in customer_recipients(ticket)]
    if partner:
        seen = {address for address, _language, _partner in recipients}
        recipients += [
            (user.email.lower(), user.language, True)
            for user in _partner_users(rma)
            if user.email.lower() not in seen
        ]
    rendered: dict[tuple[str, bool], object] = {}
    for address, language, for_partner in recipients:
        context = {**base, "for_partner": for_partner}
        version = (language, for_partner)
        if version not in rendered:
            rendered[version] = email_render(template=template, context=context, language=language)
        email_queue(
            key=f"rma:{rma.number}:{event}:{address}",
            to=[address],
            template=template,
            context=context,
            language=language,
            about={"ticket": ticket.number, "rma": rma.number},
            rendered=rendered[version],
        )
    return len(recipients)


def _lock_ticket(ticket_id: int) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("site__reseller", "entitlement__product", "product", "contact__user")
        .get(pk=ticket_id)
    )


def _lock_rma(rma_id: int) -> ReplacementRequest:
    return (
        ReplacementRequest.objects.select_for_update(of=("self",))
        .select_related(
            "ticket__site__reseller", "ticket__contact__user", "entitlement__product", "installer"
        )
        .get(pk=rma_id)
    )


def _already_live_message(rma: ReplacementRequest) -> str:
    return _(
        "Unit %(serial)s already has a live replacement, %(number)s (%(status)s): one "
        "replacement per unit at a time."
    ) % {"serial": rma.failed_serial, "number": rma.number, "status": rma.get_status_display()}


def rma_refusal(ticket: Ticket, *, as_of: date) -> eligibility.Refusal | None:
    """S6: why this ticket cannot have an advance replacement on `as_of` (None: it can)."""
    if ticket.product.kind != Product.Kind.HARDWARE:
        return eligibility.Refusal(
            _(
                "Advance replacement is for hardware: %(product)s is %(kind)s, so ticket "
                "%(number)s cannot have one (S6)."
            )
            % {
                "product": ticket.product.name,
                "kind": ticket.product.get_kind_display().lower(),
                "number": ticket.number,
            }
        )
    if ticket.status == TicketStatus.CLOSED:
        return eligibility.Refusal(
            _("Ticket %(number)s is closed: open a new ticket for a new problem.")
            % {"number": ticket.number}
        )
    entitlement = ticket.entitlement
    if entitlement.quantity < 1 or not entitlement.is_covered_on(as_of):
        return eligibility.Refusal(
            _(
                "Support for %(product)s (%(poe)s) does not cover today (it ran from %(start)s "
                "to %(end)s), so no replacement can be sent (S6). Reinstate its support first."
            )
            % {
                "product": ticket.product.name,
                "poe": entitlement.poe_number,
                "start": _day(entitlement.coverage_start),
                "end": _day(entitlement.coverage_end),
            },
            reinstate_entitlement_id=entitlement.pk if entitlement.coverage_end < as_of else None,
        )
    return None


def _checked_fields(failed_serial: str, fault: str, ship_to: str) -> tuple[str, str, str]:
    """The request's fields, trimmed, or the errors per field."""
    failed_serial, fault, ship_to = failed_serial.strip(), fault.strip(), ship_to.strip()
    errors = {}
    if not failed_serial:
        errors["failed_serial"] = _("Give the serial number of the failed unit.")
    elif len(failed_serial) > MAX_SERIAL:
        errors["failed_serial"] = _("A serial number has at most %(count)d characters.") % {
            "count": MAX_SERIAL
        }
    if not fault:
        errors["fault"] = _("Describe the fault.")
    if not ship_to:
        errors["ship_to"] = _("Give the address to ship the replacement to.")
    if errors:
        raise ValidationError(errors)
    return failed_serial, fault, ship_to


# --- the request (customer, partner, staff) ---------------------------------------------------


@transaction.atomic(durable=True)
def rma_request(
    *,
    ticket_id: int,
    failed_serial: str,
    fault: str,
    ship_to: str,
    actor: User,
    now: datetime,
    submission_key: str | None = None,
) -> ReplacementRequest:
    """S6: ask for an advance replacement of a failed unit from a hardware ticket. The same
    form submitted twice makes one RMA (its one-time key is unique)."""
    if submission_key:
        existing = ReplacementRequest.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    ticket = _lock_ticket(ticket_id)
    if not rules.can_follow_up_ticket(actor, ticket):
        raise PermissionDenied(_("You cannot ask for replacements on this ticket."))
    site = ticket.site
    as_of = site.local_date(now)
    refusal = rma_refusal(ticket, as_of=as_of)
    if refusal is not None:
        raise ValidationError(refusal.message, code="refused", params={"refusal": refusal})
    failed_serial, fault, ship_to = _checked_fields(failed_serial, fault, ship_to)
    live = ReplacementRequest.objects.filter(
        entitlement=ticket.entitlement, failed_serial=failed_serial, status__in=LIVE
    ).first()
    if live is not None:
        raise ValidationError({"failed_serial": _already_live_message(live)}, code="live")
    calendar = calendar_for_site(site, start=as_of)
    rma = ReplacementRequest(
        ticket=ticket,
        entitlement=ticket.entitlement,
        failed_serial=failed_serial,
        fault=fault[:5000],
        ship_to=ship_to[:1000],
        requested_by=actor,
        requested_at=now,
        ship_by=ship_by_for(as_of, calendar),
        # Seed 003 footnote 4: the certified service partner installs the part.
        installer=site.reseller if eligibility.is_partner_branded(site) else None,
        submission_key=submission_key or None,
    )
    with acting_as(actor):
        try:
            with transaction.atomic():
                rma.save()
        except IntegrityError:
            # A concurrent request for the same unit (or the same submission) won.
            if submission_key:
                existing = ReplacementRequest.objects.filter(submission_key=submission_key)
                if existing.exists():
                    return existing.get()
            live = ReplacementRequest.objects.filter(
                entitlement=ticket.entitlement, failed_serial=failed_serial, status__in=LIVE
            ).first()
            if live is not None:
                raise ValidationError(
                    {"failed_serial": _already_live_message(live)}, code="live"
                ) from None
            raise
        _event(
            ticket,
            _("Advance replacement %(number)s requested for unit %(serial)s: ships by %(day)s")
            % {"number": rma.number, "serial": failed_serial, "day": _day(rma.ship_by)},
            actor=actor,
            now=now,
        )
    _emails_queue(rma, event="requested", template="support/rma_requested", partner=True)
    return rma


# --- staff: shipped, received ------------------------------------------------------------------


def _require_staff(actor: User) -> None:
    if not rules.is_support_staff(actor):
        raise PermissionDenied(_("Only support staff can do this."))


@transaction.atomic(durable=True)
def rma_mark_shipped(
    *, rma_id: int, shipped_on: date, tracking: str, actor: User, now: datetime
) -> ReplacementRequest:
    """S6: the replacement left the warehouse; the failed unit is due back 10 business days
    after `shipped_on` (site calendar); the customer is told the due date."""
    _require_staff(actor)
    rma = _lock_rma(rma_id)
    if rma.status != Status.REQUESTED:
        raise ValidationError(
            _("%(number)s is %(status)s: only a requested replacement can be marked shipped.")
            % {"number": rma.number, "status": rma.get_status_display()}
        )
    tracking = tracking.strip()
    if not tracking:
        raise ValidationError(_("Give the replacement's tracking number."))
    site = rma.ticket.site
    if shipped_on < site.local_date(rma.requested_at):
        raise ValidationError(
            _("%(number)s was requested on %(day)s: it cannot have shipped before.")
            % {"number": rma.number, "day": _day(site.local_date(rma.requested_at))}
        )
    rma.status = Status.SHIPPED
    rma.shipped_on = shipped_on
    rma.outbound_tracking = tracking[:100]
    rma.return_due_on = return_due_for(shipped_on, calendar_for_site(site, start=shipped_on))
    with acting_as(actor):
        rma.save(update_fields=["status", "shipped_on", "outbound_tracking", "return_due_on"])
        _event(
            rma.ticket,
            _(
                "Replacement %(number)s shipped on %(day)s (tracking %(tracking)s); the failed "
                "unit is due back by %(due)s"
            )
            % {
                "number": rma.number,
                "day": _day(shipped_on),
                "tracking": rma.outbound_tracking,
                "due": _day(rma.return_due_on),
            },
            actor=actor,
            now=now,
        )
    _emails_queue(rma, event="shipped", template="support/rma_shipped", partner=True)
    return rma


def _unit_quote_withdraw(rma: ReplacementRequest, *, as_of: date) -> bool:
    """The unit came back: its still live quote no longer holds (it ends today, expired)."""
    if rma.unit_quote_id is None:
        return False
    quote = Quote.objects.select_for_update().get(pk=rma.unit_quote_id)
    if not quote.is_live:
        return False
    quote.state = Quote.State.EXPIRED
    quote.valid_until = min(quote.valid_until, as_of)
    quote.save(update_fields=["state", "valid_until"])
    return True


@transaction.atomic(durable=True)
def rma_mark_received(
    *, rma_id: int, received_on: date, actor: User, now: datetime
) -> ReplacementRequest:
    """S6: the failed unit is back. An overdue unit's quote still open is withdrawn; one
    already accepted stays accepted (staff settle any refund outside the portal)."""
    _require_staff(actor)
    rma = _lock_rma(rma_id)
    if rma.status not in (Status.SHIPPED, Status.OVERDUE):
        raise ValidationError(
            _(
                "%(number)s is %(status)s: only a shipped or overdue replacement's unit can come "
                "back."
            )
            % {"number": rma.number, "status": rma.get_status_display()}
        )
    rma.status = Status.RETURNED
    rma.returned_on = received_on
    with acting_as(actor):
        withdrawn = _unit_quote_withdraw(rma, as_of=received_on)
        rma.save(update_fields=["status", "returned_on"])
        description = _("Failed unit %(serial)s of %(number)s received on %(day)s") % {
            "serial": rma.failed_serial,
            "number": rma.number,
            "day": _day(received_on),
        }
        if withdrawn:
            description += _("; its quote was withdrawn")
        _event(rma.ticket, description, actor=actor, now=now)
    return rma


# --- the customer's return tracking ---------------------------------------------------------


@transaction.atomic(durable=True)
def rma_return_tracking_set(
    *, rma_id: int, tracking: str, actor: User, now: datetime
) -> ReplacementRequest:
    """S6: the customer (or its partner) records the failed unit's return tracking number."""
    rma = _lock_rma(rma_id)
    if not rules.can_follow_up_ticket(actor, rma.ticket):
        raise PermissionDenied(_("You cannot update this replacement."))
    if rma.status not in (Status.SHIPPED, Status.OVERDUE):
        raise ValidationError(
            _(
                "%(number)s is %(status)s: the return is tracked once the replacement shipped "
                "and until the unit is back."
            )
            % {"number": rma.number, "status": rma.get_status_display()}
        )
    tracking = tracking.strip()
    if not tracking:
        raise ValidationError(_("Give the return shipment's tracking number."))
    if tracking == rma.return_tracking:
        return rma
    rma.return_tracking = tracking[:100]
    with acting_as(actor):
        rma.save(update_fields=["return_tracking"])
        _event(
            rma.ticket,
            _("Failed unit of %(number)s sent back (tracking %(tracking)s)")
            % {"number": rma.number, "tracking": rma.return_tracking},
            actor=actor,
            now=now,
        )
    return rma


# --- the unreturned unit's quote (S6, N6) ------------------------------------------------------


def rma_unit_series_key(rma_id: int) -> str:
    return f"rma-unit:{rma_id}"


def rma_unit_draft(*, replacement: ReplacementRequest, as_of: date) -> QuoteDraft:
    """S6/N6: one fee line at the unit's list price (the Poly+ rule for a unit not returned)."""
    entitlement = replacement.entitlement
    product = entitlement.product
    site = replacement.ticket.site
    description = _("Unreturned unit %(serial)s of %(product)s (replacement %(number)s)") % {
        "serial": replacement.failed_serial,
        "product": product.name,
        "number": replacement.number,
    }
    return one_line_draft(
        site=site,
        kind=UNRETURNED_UNIT,
        entitlement=entitlement,
        action="fee",
        description=description,
        price=product.list_price,
        currency=product.currency,
        series_key=rma_unit_series_key(replacement.pk),
        valid_until=default_valid_until(as_of),
        subject={"replacement": replacement.pk, "ticket": replacement.ticket_id},
    )


def replacements_overdue_due(*, as_of: date):
    """Shipped RMAs whose failed unit was due back before `as_of` and is not back."""
    return ReplacementRequest.objects.filter(
        status=Status.SHIPPED, return_due_on__lt=as_of, returned_on__isnull=True
    )


def _unit_quote_issue(rma_id: int, *, as_of: date, now: datetime) -> Quote | None:
    """Flag one overdue RMA's quote, once (the series key: a second run issues nothing)."""
    rma = _lock_rma(rma_id)
    if rma.status != Status.OVERDUE or rma.unit_quote_id is not None:
        return None
    series_key = rma_unit_series_key(rma.pk)
    quote = Quote.objects.filter(series_key=series_key).order_by("-revision").first()
    if quote is None:
        draft = builder_for(UNRETURNED_UNIT)(replacement=rma, as_of=as_of)
        quote = quote_issue(draft=draft, as_of=as_of, now=now, actor=None)
    rma.unit_quote = quote
    rma.save(update_fields=["unit_quote"])
    _event(
        rma.ticket,
        _(
            "The failed unit of %(number)s was due back by %(due)s and is overdue: quote "
            "%(quote)s for its list price"
        )
        % {"number": rma.number, "due": _day(rma.return_due_on), "quote": quote.number},
        actor=None,
        now=now,
    )
    _emails_queue(rma, event="overdue", template="support/rma_overdue", partner=True)
    return quote


def replacements_overdue_flag(*, as_of: date, dry_run: bool = False, now: datetime | None = None):
    """S6 (N10 job): flag every shipped RMA whose unit is overdue (one UPDATE), then issue
    each flagged RMA's unit quote in its own transaction. Safe to run twice: the second run
    finds nothing shipped and overdue, and no RMA without its quote."""
    now = now or timezone.now()  # the clock is read at the job's edge
    summary = JobSummary()
    due = replacements_overdue_due(as_of=as_of)
    if dry_run:
        for rma in due.order_by("return_due_on", "pk"):
            summary.note(f"{rma.number}: due back {rma.return_due_on}, would be flagged")
            summary.add("overdue")
        return summary
    with transaction.atomic():
        flagged = due.update(status=Status.OVERDUE, overdue_flagged_on=as_of)
    summary.add("overdue", flagged)
    pending = ReplacementRequest.objects.filter(
        status=Status.OVERDUE, unit_quote__isnull=True
    ).order_by("pk")
    for rma_id in pending.values_list("pk", flat=True):
        try:
            with transaction.atomic():
                quote = _unit_quote_issue(rma_id, as_of=as_of, now=now)
        except ValidationError as error:
            summary.note(f"RMA {rma_id}: no quote: {' '.join(error.messages)}")
            summary.add("failed")
            continue
        if quote is not None:
            summary.note(f"RMA {rma_id}: quote {quote.number}")
            summary.add("quotes")
    return summary


def rma_unit_paid(*, quote: Quote, as_of: date) -> None:
    """S6: accepting the unit's quote pays for the unreturned unit (inside the acceptance
    transaction). The RMA stays overdue (the unit is still out) and the ticket says it was
    paid; a unit already received has nothing to pay (refused, so nothing is accepted)."""
    rma_id = quote.subject.get("replacement")
    if not rma_id:
        return
    rma = _lock_rma(rma_id)
    if rma.status == Status.RETURNED:
        raise ValidationError(
            _("The failed unit of %(number)s came back on %(day)s: there is nothing to pay.")
            % {"number": rma.number, "day": _day(rma.returned_on)}
        )
    _event(
        rma.ticket,
        _("Unreturned unit of %(number)s paid: quote %(quote)s accepted")
        % {"number": rma.number, "quote": quote.number},
        actor=quote.decided_by,
        now=quote.decided_at,
    )
