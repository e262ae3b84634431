"""Admin for quotes (N6) and their PDFs (E3): records, read as they were issued — no add, no
change, no delete. Staff act through two actions: expire live quotes past their validity
(what the nightly job does, for the selected ones now) and resend a quote's e-mails."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.core.admin_actions import RecordAdmin
from renewals import emails
from renewals.models import Quote, QuoteDocument, QuoteLine
from renewals.services import quotes_expired_due

State = Quote.State


class QuoteLineInline(admin.TabularInline):
    model = QuoteLine
    extra = 0
    can_delete = False
    fields = (
        "position",
        "site",
        "description",
        "action",
        "quantity",
        "is_optional",
        "is_selected",
        "covers_from",
        "covers_to",
        "months",
        "unit_price",
        "amount",
        "client_unit_price",
        "client_amount",
        "under_commitment",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("site")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def resend_event(now) -> str:
    """A new outbox event per resend (E1): the keys of the first sending stay as they were,
    and a resend is its own e-mail with its own key, so it is sent (and a double click in
    the same second is still one)."""
    return f"resent-{now:%Y%m%dT%H%M%S}"


def quote_emails_resend(quote: Quote, *, now) -> int:
    """Queue the quote's e-mails again, to whom they went: the reseller while the quote waits
    for its price, the customer and the reseller once sent or accepted. The number queued."""
    event = resend_event(now)
    if quote.state == State.DRAFT:
        return emails.quote_emails_queue(
            quote,
            event=f"for-reseller-{event}",
            template="renewals/quote_for_reseller",
            recipients=emails.reseller_recipients(quote.reseller_id),
        )
    recipients = emails.customer_recipients(
        emails.quote_site_ids(quote)
    ) + emails.reseller_recipients(quote.reseller_id)
    template = (
        "renewals/quote_accepted" if quote.state == State.ACCEPTED else "renewals/quote_issued"
    )
    return emails.quote_emails_queue(
        quote, event=f"{quote.state}-{event}", template=template, recipients=recipients
    )


@admin.register(Quote)
class QuoteAdmin(RecordAdmin):
    list_display = (
        "number",
        "kind",
        "notice",
        "agreement",
        "reseller",
        "state",
        "issued_on",
        "valid_until",
        "vendor_total",
        "currency",
    )
    list_filter = ("state", "kind", "notice", "currency", "issued_on")
    list_select_related = ("agreement", "reseller")
    search_fields = ("number", "agreement__number", "site__number", "lines__site__number")
    date_hierarchy = "issued_on"
    fields = (
        "number",
        "kind",
        "notice",
        "agreement",
        "reseller",
        "site",
        "series_key",
        "revision",
        "supersedes",
        "state",
        "issued_on",
        "valid_until",
        "renews_to",
        "currency",
        "level_code",
        "discount_percent",
        "reseller_adjustment_percent",
        "vendor_total",
        "commitment_warning",
        "sent_at",
        "decided_at",
        "decided_by",
        "decline_reason",
        "subject",
        "created_at",
    )
    readonly_fields = fields
    inlines = (QuoteLineInline,)
    actions = ("expire_now", "resend_emails")

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Expire now (live quotes past their validity)"))
    def expire_now(self, request, queryset):
        """As the nightly expiry job, for the selected quotes: only live quotes whose validity
        ended before today; any other is left as it is, and said so."""
        today = timezone.localdate()
        due = quotes_expired_due(as_of=today).filter(pk__in=queryset.values("pk"))
        expired = due.update(state=State.EXPIRED)
        skipped = queryset.count() - expired
        if expired:
            self.message_user(
                request,
                ngettext("%(count)d quote expired.", "%(count)d quotes expired.", expired)
                % {"count": expired},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d skipped: only open or waiting quotes past their validity expire.",
                    "%(count)d skipped: only open or waiting quotes past their validity expire.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Resend the quote e-mails"))
    def resend_emails(self, request, queryset):
        """E1: a new e-mail per recipient through the outbox (see resend_event). Superseded,
        declined and expired quotes are not resent: nobody can act on them."""
        now = timezone.now()
        queued = skipped = 0
        for quote in queryset.select_related("agreement"):
            if quote.state in (State.SUPERSEDED, State.DECLINED, State.EXPIRED):
                skipped += 1
                continue
            with transaction.atomic():
                queued += quote_emails_resend(quote, now=now)
        if queued:
            self.message_user(
                request,
                ngettext("%(count)d e-mail queued.", "%(count)d e-mails queued.", queued)
                % {"count": queued},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d skipped: replaced, declined and expired quotes are not resent.",
                    "%(count)d skipped: replaced, declined and expired quotes are not resent.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
        if not queued and not skipped:
            self.message_user(
                request, _("Nothing was queued: these quotes have no recipients."), messages.INFO
            )


@admin.register(QuoteDocument)
class QuoteDocumentAdmin(RecordAdmin):
    """E3: a quote's stored PDF, as rendered."""

    list_display = ("quote", "state", "line_count", "created_at")
    list_filter = ("state",)
    list_select_related = ("quote",)
    search_fields = ("quote__number", "fingerprint")
    readonly_fields = (
        "quote",
        "state",
        "line_count",
        "fingerprint",
        "file",
        "requested_by",
        "created_at",
    )

    def has_change_permission(self, request, obj=None):
        return False
