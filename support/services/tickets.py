"""Ticket writes (S1–S5, S9). Each user-triggered service is durable: it locks the ticket row
it decides about, re-checks the rule under the lock, writes the change and its history event,
and queues the e-mails in the same transaction (the outbox, E1).

Refusals are ValidationError with a message for the page; a Refusal (support.eligibility)
travels in the error's `params["refusal"]` so the page can offer the reinstatement link."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Contact, Site, User
from portal.core.audit import acting_as
from support import eligibility, emails, rules
from support.attachments import CheckedFile
from support.models import (
    Severity,
    Ticket,
    TicketAttachment,
    TicketComment,
    TicketEvent,
    TicketStatus,
)
from support.selectors import calendar_for_site
from support.sla import targets
from support.workflow import transition_refusal

MAX_DESCRIPTION = 20_000
MAX_COMMENT = 20_000
MIN_ESCALATION_REASON = 10


def refused(refusal: eligibility.Refusal) -> ValidationError:
    return ValidationError(refusal.message, code="refused", params={"refusal": refusal})


def _display_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.email


def sla_targets_for(ticket: Ticket) -> None:
    """S4: set the ticket's due and at-risk instants from its opening and severity."""
    calendar = calendar_for_site(ticket.site, start=ticket.site.local_date(ticket.opened_at))
    found = targets(opened_at=ticket.opened_at, severity=ticket.severity, calendar=calendar)
    ticket.response_due_at = found.due_at
    ticket.at_risk_at = found.at_risk_at


def _event(ticket: Ticket, kind: str, description: str, *, actor, now, internal=False):
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        happened_at=now,
        actor=actor,
        description=description[:300],
        is_internal=internal,
    )


def _attach(ticket: Ticket, files: Iterable[CheckedFile], *, comment, actor, now) -> int:
    count = 0
    for checked in files:
        attachment = TicketAttachment(
            ticket=ticket,
            comment=comment,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            uploaded_by=actor,
            uploaded_at=now,
        )
        attachment.file.save(checked.name, checked.upload, save=False)
        attachment.save()
        count += 1
    return count


def _check_severity(severity) -> int:
    try:
        value = int(severity)
    except (TypeError, ValueError):
        value = 0
    if value not in Severity.values:
        raise ValidationError(_("Choose a severity from 1 to 4."), code="severity")
    return value


def _ticket_contact(site: Site, contact_id: int | None, actor: User) -> Contact | None:
    """The ticket's contact: a contact of the site (default: the opener's own contact)."""
    contacts = Contact.objects.filter(site=site).select_related("user")
    if contact_id:
        contact = contacts.filter(pk=contact_id).first()
        if contact is None:
            raise ValidationError(_("Choose a contact of this site."), code="contact")
        return contact
    return contacts.filter(user=actor).first()


@transaction.atomic(durable=True)
def ticket_open(
    *,
    site_id: int,
    product_id: int,
    severity: int,
    title: str,
    description: str,
    actor: User,
    now: datetime,
    contact_id: int | None = None,
    files: Iterable[CheckedFile] = (),
    submission_key: str | None = None,
) -> Ticket:
    """S1: open a ticket, after S2 (who), S8 (the partner covers all hardware) and S3 (the
    product is covered at the site on the opening date). The same form submitted twice opens
    one ticket (the submission key is unique: the second answer is the first ticket)."""
    if submission_key:
        existing = Ticket.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    # of=self: the reseller is an outer join, which PostgreSQL cannot lock.
    site = Site.objects.select_for_update(of=("self",)).select_related("reseller").get(pk=site_id)
    as_of = site.local_date(now)
    refusal = eligibility.site_refusal(actor, site, as_of=as_of)
    if refusal is not None:
        raise refused(refusal)
    severity = _check_severity(severity)
    entitlement, refusal = eligibility.entitlement_refusal(site, product_id, as_of=as_of)
    if refusal is not None:
        raise refused(refusal)
    title, description = title.strip(), description.strip()
    if not title:
        raise ValidationError(_("Give the ticket a title."), code="title")
    if not description:
        raise ValidationError(_("Describe the problem."), code="description")
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(
            _("The description is too long (at most %(count)d characters).")
            % {"count": MAX_DESCRIPTION},
            code="description",
        )
    contact = _ticket_contact(site, contact_id, actor)
    partner = site.reseller if rules.is_service_partner_for(actor, site) else None
    ticket = Ticket(
        site=site,
        entitlement=entitlement,
        product_id=entitlement.product_id,
        severity=severity,
        title=title[:200],
        description=description,
        contact=contact,
        contact_name=(contact.name if contact else _display_name(actor))[:200],
        contact_email=contact.email if contact else actor.email,
        contact_phone=contact.phone if contact else "",
        opened_by=actor,
        opened_via_partner=partner,
        opened_at=now,
        submission_key=submission_key or None,
    )
    sla_targets_for(ticket)
    with acting_as(actor):
        try:
            with transaction.atomic():
                ticket.save()
        except IntegrityError:
            # The same submission, committed by a concurrent request meanwhile.
            if submission_key:
                existing = Ticket.objects.filter(submission_key=submission_key).first()
                if existing is not None:
                    return existing
            raise
        _event(
            ticket,
            TicketEvent.Kind.OPENED,
            _("Opened at %(severity)s") % {"severity": Severity(severity).label},
            actor=actor,
            now=now,
        )
        _attach(ticket, files, comment=None, actor=actor, now=now)
    emails.ticket_opened_emails_queue(ticket)
    return ticket


def _lock(ticket_id: int) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("site__reseller", "contact__user")
        .get(pk=ticket_id)
    )


def _require_staff(actor: User) -> None:
    if not rules.is_support_staff(actor):
        raise PermissionDenied(_("Only support staff can do this."))


@transaction.atomic(durable=True)
def ticket_comment_add(
    *,
    ticket_id: int,
    body: str,
    actor: User,
    now: datetime,
    internal: bool = False,
    files: Iterable[CheckedFile] = (),
    submission_key: str | None = None,
) -> TicketComment:
    """S1: a public comment or (staff only) an internal note. The first public comment from
    support stops the first-response clock (S4), once, under the ticket's row lock: of two
    staff answering at once, the first to commit is the first response, and both comments
    are kept. A customer's comment on a ticket waiting for them (or resolved) puts it back
    in progress. Public comments are e-mailed (S9); notes are not."""
    if submission_key:
        existing = TicketComment.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    ticket = _lock(ticket_id)
    from_support = rules.is_support_staff(actor)
    if internal and not from_support:
        raise PermissionDenied(_("Only support staff can write internal notes."))
    if ticket.status == TicketStatus.CLOSED:
        raise ValidationError(
            _("Ticket %(number)s is closed: open a new ticket for a new problem.")
            % {"number": ticket.number},
            code="closed",
        )
    body = body.strip()
    if not body:
        raise ValidationError(_("Write something first."), code="body")
    if len(body) > MAX_COMMENT:
        raise ValidationError(
            _("The comment is too long (at most %(count)d characters).") % {"count": MAX_COMMENT},
            code="body",
        )
    with acting_as(actor):
        comment = TicketComment.objects.create(
            ticket=ticket,
            author=actor,
            author_name=_display_name(actor)[:200],
            is_internal=internal,
            is_from_support=from_support,
            body=body,
            created_at=now,
            submission_key=submission_key or None,
        )
        _attach(ticket, files, comment=comment, actor=actor, now=now)
        fields = ["updated_at"]
        if from_support and not internal and ticket.first_response_at is None:
            ticket.first_response_at = now
            ticket.first_response_by = actor
            fields += ["first_response_at", "first_response_by"]
            _event(
                ticket,
                TicketEvent.Kind.FIRST_RESPONSE,
                _("First response from support: the response clock stopped"),
                actor=actor,
                now=now,
            )
            if ticket.status == TicketStatus.NEW:
                ticket.status = TicketStatus.ACKNOWLEDGED
                fields.append("status")
        elif not from_support and ticket.status in (TicketStatus.WAITING, TicketStatus.RESOLVED):
            reopened = ticket.status == TicketStatus.RESOLVED
            ticket.status = TicketStatus.IN_PROGRESS
            ticket.resolved_at = None
            fields += ["status", "resolved_at"]
            _event(
                ticket,
                TicketEvent.Kind.STATUS,
                _("Reopened by the customer's comment")
                if reopened
                else _("Back in progress: the customer answered"),
                actor=actor,
                now=now,
            )
        ticket.save(update_fields=fields)
    emails.ticket_comment_emails_queue(ticket, comment)
    return comment


@transaction.atomic(durable=True)
def ticket_status_change(*, ticket_id: int, status: str, actor: User, now: datetime) -> Ticket:
    """S1: a status change by support, only along the workflow (support.workflow)."""
    _require_staff(actor)
    ticket = _lock(ticket_id)
    refusal = transition_refusal(ticket.status, status)
    if refusal:
        raise ValidationError(refusal, code="workflow")
    old = TicketStatus(ticket.status)
    ticket.status = status
    fields = ["status", "updated_at"]
    if status == TicketStatus.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
    elif status == TicketStatus.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
    elif old == TicketStatus.RESOLVED:
        ticket.resolved_at = None
        fields.append("resolved_at")
    with acting_as(actor):
        ticket.save(update_fields=fields)
        change = _("Status: %(old)s → %(new)s") % {
            "old": old.label,
            "new": TicketStatus(status).label,
        }
        event = _event(ticket, TicketEvent.Kind.STATUS, change, actor=actor, now=now)
    emails.ticket_change_emails_queue(ticket, event_id=event.pk, change=change)
    return ticket


@transaction.atomic(durable=True)
def ticket_severity_change(*, ticket_id: int, severity: int, actor: User, now: datetime) -> Ticket:
    """S4: a severity change recomputes the due time from the opening under the new
    severity. The at-risk and breach notices may be sent again if the new instants are
    still ahead. Raised to severity 1, the ticket pages on-call (S9)."""
    _require_staff(actor)
    severity = _check_severity(severity)
    ticket = _lock(ticket_id)
    if ticket.severity == severity:
        raise ValidationError(
            _("The ticket is already at %(severity)s.") % {"severity": Severity(severity).label},
            code="severity",
        )
    if not ticket.is_open:
        raise ValidationError(
            _("A %(status)s ticket keeps its severity.")
            % {"status": TicketStatus(ticket.status).label},
            code="severity",
        )
    old = Severity(ticket.severity)
    ticket.severity = severity
    sla_targets_for(ticket)
    fields = ["severity", "response_due_at", "at_risk_at", "updated_at"]
    if ticket.at_risk_at > now:
        ticket.at_risk_notified_at = None
        fields.append("at_risk_notified_at")
    if ticket.response_due_at > now:
        ticket.breached_at = None
        fields.append("breached_at")
    with acting_as(actor):
        ticket.save(update_fields=fields)
        change = _("Severity: %(old)s → %(new)s") % {
            "old": old.label,
            "new": Severity(severity).label,
        }
        event = _event(ticket, TicketEvent.Kind.SEVERITY, change, actor=actor, now=now)
    emails.ticket_change_emails_queue(ticket, event_id=event.pk, change=change)
    if severity == 1 and ticket.first_response_at is None:
        emails.oncall_page_queue(ticket, reason=f"raised-{event.pk}")
    return ticket


@transaction.atomic(durable=True)
def ticket_assign(*, ticket_id: int, assignee: User | None, actor: User, now: datetime) -> Ticket:
    """Staff work queue: who in support works on the ticket (an internal event)."""
    _require_staff(actor)
    if assignee is not None and not rules.is_support_staff(assignee):
        raise ValidationError(_("Tickets are assigned to support staff only."), code="assignee")
    ticket = _lock(ticket_id)
    if ticket.assignee_id == (assignee.pk if assignee else None):
        return ticket
    ticket.assignee = assignee
    with acting_as(actor):
        ticket.save(update_fields=["assignee", "updated_at"])
        description = (
            _("Assigned to %(who)s") % {"who": _display_name(assignee)}
            if assignee
            else _("Unassigned")
        )
        _event(ticket, TicketEvent.Kind.ASSIGNED, description, actor=actor, now=now, internal=True)
    return ticket


@transaction.atomic(durable=True)
def ticket_escalate(*, ticket_id: int, reason: str, actor: User, now: datetime) -> Ticket:
    """S5: the customer asks for escalation with a reason; the ticket joins the escalation
    queue and the support managers are notified. Asked twice, it is refused with the date
    of the first request."""
    ticket = _lock(ticket_id)
    if not rules.can_escalate_ticket(actor, ticket):
        raise PermissionDenied(_("Only the customer or its service partner can escalate."))
    reason = reason.strip()
    if len(reason) < MIN_ESCALATION_REASON:
        raise ValidationError(
            _("Say why the ticket needs escalating (at least %(count)d characters).")
            % {"count": MIN_ESCALATION_REASON},
            code="reason",
        )
    if not ticket.is_open:
        raise ValidationError(
            _("Ticket %(number)s is %(status)s: only open tickets are escalated.")
            % {"number": ticket.number, "status": TicketStatus(ticket.status).label},
            code="closed",
        )
    if ticket.escalated_at is not None:
        raise ValidationError(
            _("Ticket %(number)s was already escalated on %(when)s.")
            % {"number": ticket.number, "when": f"{ticket.escalated_at:%Y-%m-%d %H:%M} UTC"},
            code="escalated",
        )
    ticket.escalated_at = now
    ticket.escalated_by = actor
    ticket.escalation_reason = reason[:2000]
    with acting_as(actor):
        ticket.save(
            update_fields=["escalated_at", "escalated_by", "escalation_reason", "updated_at"]
        )
        _event(
            ticket,
            TicketEvent.Kind.ESCALATED,
            _("Escalation requested: %(reason)s") % {"reason": reason},
            actor=actor,
            now=now,
        )
    emails.escalation_emails_queue(ticket)
    return ticket
