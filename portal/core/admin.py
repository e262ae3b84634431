from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.core.admin_actions import RecordAdmin
from portal.core.mail import email_deliver, emails_outcome_unknown
from portal.core.models import JobRun, OutgoingEmail, OutgoingEmailAttempt

Status = OutgoingEmail.Status


class DeliveryFilter(admin.SimpleListFilter):
    """E1: "outcome unknown" is a status staff must see apart from ordinary sending."""

    title = _("delivery")
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [
            ("pending", _("pending")),
            ("sending", _("sending now")),
            ("unknown", _("outcome unknown")),
            ("sent", _("sent")),
            ("failed", _("failed")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        unknown = emails_outcome_unknown(now=now).values("pk")
        match self.value():
            case "unknown":
                return queryset.filter(pk__in=unknown)
            case "sending":
                return queryset.filter(status=Status.SENDING).exclude(pk__in=unknown)
            case None:
                return queryset
            case value:
                return queryset.filter(status=value)


class AttemptInline(admin.TabularInline):
    model = OutgoingEmailAttempt
    extra = 0
    can_delete = False
    fields = ("started_at", "finished_at", "outcome", "error", "resent_by")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(RecordAdmin):
    """E1: the e-mail log with its status; failed and unknown e-mails can be resent."""

    list_display = ("key", "to", "subject", "delivery", "attempts", "created_at", "sent_at")
    list_filter = (DeliveryFilter, "template")
    search_fields = ("key", "to", "subject")
    date_hierarchy = "created_at"
    actions = ("resend",)
    inlines = (AttemptInline,)
    fields = (
        "key",
        "to",
        "subject",
        "template",
        "language",
        "context",
        "delivery",
        "attempts",
        "error",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "body",
    )
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("status"), ordering="status")
    def delivery(self, email: OutgoingEmail) -> str:
        if email.outcome_unknown(now=timezone.now()):
            return format_html(
                '<strong title="{}">{}</strong>',
                _("The worker stopped during the hand-off; it may or may not have been sent."),
                _("outcome unknown"),
            )
        return email.get_status_display()

    @admin.display(description=_("text"))
    def body(self, email: OutgoingEmail) -> str:
        if email.is_sensitive:
            return _("(hidden: the message holds a personal sign-in link)")
        return format_html('<pre class="email-body-text">{}</pre>', email.body_text)

    @admin.action(description=_("Resend the selected failed or unknown e-mails"))
    def resend(self, request, queryset):
        """E1: staff decide to resend; each resend is an attempt on record, by this user."""
        now = timezone.now()
        resendable = queryset.filter(
            Q(status=Status.FAILED) | Q(pk__in=emails_outcome_unknown(now=now).values("pk"))
        )
        skipped = queryset.count() - resendable.count()
        outcomes = [
            email_deliver(email_id=pk, resent_by=request.user)
            for pk in resendable.values_list("pk", flat=True)
        ]
        sent = outcomes.count(Status.SENT)
        if sent:
            self.message_user(
                request, ngettext("%d e-mail resent.", "%d e-mails resent.", sent) % sent
            )
        if len(outcomes) - sent:
            self.message_user(
                request,
                _("%d could not be sent; see the error on each.") % (len(outcomes) - sent),
                messages.ERROR,
            )
        if skipped:
            self.message_user(
                request,
                _("%d skipped: only failed e-mails and those of unknown outcome are resent.")
                % skipped,
                messages.WARNING,
            )


@admin.register(JobRun)
class JobRunAdmin(RecordAdmin):
    """N10: what each batch job did and when; a run still "running" long after it started was
    killed, and running the job again for the same day finishes its work."""

    list_display = ("job", "as_of", "dry_run", "trigger", "outcome", "started_at", "finished_at")
    list_filter = ("job", "outcome", "dry_run", "trigger")
    date_hierarchy = "as_of"
    search_fields = ("job", "summary")
    readonly_fields = (
        "job",
        "as_of",
        "dry_run",
        "trigger",
        "outcome",
        "started_at",
        "finished_at",
        "summary",
        "counts",
        "error",
    )

    def has_change_permission(self, request, obj=None):
        return False  # a record of what happened: read, never edited
