"""S1: tickets, their comments (public) and notes (internal), attachments and history."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import IsNull
from django.utils.translation import gettext_lazy as _

from accounts.models import ScopedQuerySet


class Severity(models.IntegerChoices):
    """S1: how badly the problem hurts the customer's business."""

    CRITICAL = 1, _("Severity 1 – critical")
    SIGNIFICANT = 2, _("Severity 2 – significant")
    SOME = 3, _("Severity 3 – some impact")
    MINIMAL = 4, _("Severity 4 – minimal")


# S1: shown next to each choice while a severity is chosen.
SEVERITY_DEFINITIONS = {
    Severity.CRITICAL: _(
        "Critical business impact: production is down. Counted around the clock (24x7)."
    ),
    Severity.SIGNIFICANT: _("Significant business impact: a key function is badly degraded."),
    Severity.SOME: _("Some business impact: a function is impaired, with a workaround."),
    Severity.MINIMAL: _("Minimal business impact, or a question about use or documentation."),
}


class TicketStatus(models.TextChoices):
    """S1: new → acknowledged → in progress ↔ waiting on customer → resolved → closed
    (support.workflow says which moves are allowed)."""

    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting on customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (
    TicketStatus.NEW,
    TicketStatus.ACKNOWLEDGED,
    TicketStatus.IN_PROGRESS,
    TicketStatus.WAITING,
)


def new_ticket_number() -> str:
    return "T-" + secrets.token_hex(4).upper()


class TicketQuerySet(ScopedQuerySet):
    site_lookup = "site__"  # A4: for_user(user) keeps the tickets of sites the user may see

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def awaiting_first_response(self):
        """S4: the clock runs until the first public response from support."""
        return self.open().filter(first_response_at__isnull=True)


class Ticket(models.Model):
    """S1: a support ticket for a covered product (entitlement) at a site.

    The SLA instants (S4) are stored when the ticket is opened and whenever its severity
    changes, so the monitor and the lists read columns instead of walking calendars."""

    Status = TicketStatus

    number = models.CharField(
        _("ticket number"), max_length=12, unique=True, default=new_ticket_number
    )
    site = models.ForeignKey(
        "accounts.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="tickets"
    )
    entitlement = models.ForeignKey(
        "licensing.Entitlement",
        verbose_name=_("entitlement"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    # The entitlement's product, copied so lists filter and show it without a join.
    product = models.ForeignKey(
        "licensing.Product",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    contact = models.ForeignKey(
        "accounts.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    # The contact's details as they were when named, so the ticket keeps who to call even if
    # the contact is later removed from the site.
    contact_name = models.CharField(_("contact name"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    # S2/S8: the certified service partner whose user opened it, if one did.
    opened_via_partner = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("opened by the service partner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=14, choices=TicketStatus.choices, default=TicketStatus.NEW
    )
    opened_at = models.DateTimeField(_("opened"))
    # S4: the first-response target and the moment 75 % of it is used, for the severity.
    response_due_at = models.DateTimeField(_("first response due"))
    at_risk_at = models.DateTimeField(_("at risk from"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    first_response_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first response by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # S4: support staff are told once each; these say when.
    at_risk_notified_at = models.DateTimeField(_("at-risk notice sent"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breach noticed"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        limit_choices_to={"is_staff": True},
    )
    # S5: the customer's request for escalation.
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("escalated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    escalation_reason = models.TextField(_("reason for escalation"), blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last update"), auto_now=True)
    # A double-submitted form opens one ticket: the form's one-time key is unique.
    submission_key = models.CharField(  # noqa: DJ001 (unique when given, NULL when not)
        max_length=64, unique=True, null=True, editable=False
    )

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["site", "-opened_at"], name="ticket_site_opened"),
            # The ticket list (S1): its count of open tickets and its page's ids in opening
            # order are read from this index alone (support.views.customer.TicketPaginator).
            models.Index(fields=["site", "status", "-opened_at"], name="ticket_site_status"),
            models.Index(fields=["-opened_at", "-id"], name="ticket_opened"),
            models.Index(fields=["status", "response_due_at"], name="ticket_status_due"),
            # The SLA monitor (S4): tickets still waiting for their first response.
            models.Index(
                fields=["at_risk_at"],
                name="ticket_awaiting_risk",
                condition=Q(first_response_at__isnull=True),
            ),
            models.Index(
                fields=["response_due_at"],
                name="ticket_awaiting_due",
                condition=Q(first_response_at__isnull=True),
            ),
            # The staff work queue's order (support.selectors.STAFF_QUEUE_SORTS): open
            # tickets, those awaiting their first response first, soonest due first, so
            # page 1 and a deep page read the index instead of sorting every open ticket.
            models.Index(
                IsNull(F("first_response_at"), True).desc(),
                F("response_due_at"),
                F("id"),
                name="ticket_queue",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            models.Index(
                fields=["escalated_at"],
                name="ticket_escalated",
                condition=Q(escalated_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__gte=1) & Q(severity__lte=4), name="ticket_severity_1_to_4"
            ),
            models.CheckConstraint(
                condition=Q(at_risk_at__lte=models.F("response_due_at")),
                name="ticket_at_risk_before_due",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_additional_data(self) -> dict:
        return {"site_id": self.site_id}

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_escalated(self) -> bool:
        return self.escalated_at is not None

    @property
    def clock_running(self) -> bool:
        """S4: the first-response clock stops at the first public response."""
        return self.first_response_at is None and self.is_open


class TicketComment(models.Model):
    """S1: a public comment (the customer and support both see it, S9 e-mails it) or an
    internal staff note (never shown to customers: not in pages, e-mails or exports)."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    author_name = models.CharField(_("author name"), max_length=200)
    is_internal = models.BooleanField(_("internal note"), default=False)
    # Whether support wrote it (the vendor's staff); the first public one stops the clock.
    is_from_support = models.BooleanField(_("from support"), default=False)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("written"))
    submission_key = models.CharField(  # noqa: DJ001 (unique when given, NULL when not)
        max_length=64, unique=True, null=True, editable=False
    )

    class Meta:
        ordering = ["ticket", "created_at", "pk"]
        verbose_name = _("ticket comment")
        verbose_name_plural = _("ticket comments")
        indexes = [models.Index(fields=["ticket", "created_at"])]

    def __str__(self) -> str:
        kind = _("note") if self.is_internal else _("comment")
        return f"{self.ticket_id} {kind} {self.pk}"

    def get_additional_data(self) -> dict:
        # A7: the site's history (shown to its customers) holds public comments only; an
        # internal note's audit entry is for staff, outside any site's history.
        if self.is_internal:
            return {"internal_ticket_id": self.ticket_id}
        return {"site_id": self.ticket.site_id}


def attachment_path(instance: TicketAttachment, filename: str) -> str:
    # The stored name is random: the original name is kept in a field, never in a path.
    return f"tickets/{instance.ticket_id}/{secrets.token_hex(12)}"


class TicketAttachment(models.Model):
    """S1: a file attached to a ticket (or to one of its comments). Stored under MEDIA_ROOT,
    which the portal never serves directly: downloads go through an access-checked view (A4).
    Type and size were checked on the content when it was uploaded (support.attachments)."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="attachments"
    )
    comment = models.ForeignKey(
        TicketComment,
        verbose_name=_("comment"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        ordering = ["ticket", "uploaded_at", "pk"]
        verbose_name = _("ticket attachment")
        verbose_name_plural = _("ticket attachments")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_internal(self) -> bool:
        return self.comment is not None and self.comment.is_internal


class TicketEvent(models.Model):
    """S1/A7: the ticket's history: what happened, when, by whom. Events about internal work
    (assignment, internal notes) are marked internal and shown to staff only."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        COMMENT = "comment", _("Comment")
        NOTE = "note", _("Internal note")
        STATUS = "status", _("Status changed")
        SEVERITY = "severity", _("Severity changed")
        ASSIGNED = "assigned", _("Assigned")
        FIRST_RESPONSE = "first_response", _("First response (clock stopped)")
        AT_RISK = "at_risk", _("At risk of missing the response target")
        BREACHED = "breached", _("Response target missed")
        ESCALATED = "escalated", _("Escalation requested")
        ATTACHMENT = "attachment", _("File attached")
        RMA = "rma", _("Advance replacement")
        ONSITE = "onsite", _("Onsite support")

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    happened_at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    description = models.CharField(_("what happened"), max_length=300)
    is_internal = models.BooleanField(_("staff only"), default=False)

    class Meta:
        ordering = ["ticket", "happened_at", "pk"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        indexes = [models.Index(fields=["ticket", "happened_at"])]

    def __str__(self) -> str:
        return self.description
