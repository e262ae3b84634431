"""Admin for the requests staff decide on: site-to-site transfers (L7) and moves to a new
computer (L8). Both decide through one action shape (`decision_action`)."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from licensing import services
from licensing.models import LicenceMove, SiteTransfer, SiteTransferLine
from portal.core.admin_actions import RecordAdmin, run_for_each


def decision_action(*, description, decide, done):
    """An admin action deciding each selected request with `decide(item, actor=, now=)` (the
    decision: who and when); the clock is read here, once, for every item of the action."""

    @admin.action(description=description)
    def action(modeladmin, request, queryset):
        now = timezone.now()
        run_for_each(
            modeladmin,
            request,
            queryset,
            action=lambda item, actor: decide(item, actor=actor, now=now),
            done=done,
        )

    return action


class SiteTransferLineInline(admin.TabularInline):
    model = SiteTransferLine
    extra = 0
    readonly_fields = ("entitlement", "quantity")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SiteTransfer)
class SiteTransferAdmin(RecordAdmin):
    """L7: staff approve or reject transfers requested from the portal."""

    list_display = (
        "__str__",
        "source_site",
        "target_site",
        "state",
        "requested_by",
        "requested_at",
        "decided_by",
    )
    list_filter = ("state",)
    list_select_related = ("source_site", "target_site", "requested_by", "decided_by")
    search_fields = ("source_site__number", "target_site__number")
    readonly_fields = (
        "source_site",
        "target_site",
        "state",
        "note",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
    )
    inlines = [SiteTransferLineInline]
    actions = ["approve", "reject"]

    approve = decision_action(
        description=_("Approve: move the quantities now"),
        decide=lambda item, **decision: services.transfer_approve(transfer=item, **decision),
        done=lambda count: (
            ngettext("%(count)d transfer approved.", "%(count)d transfers approved.", count)
            % {"count": count}
        ),
    )
    reject = decision_action(
        description=_("Reject"),
        decide=lambda item, **decision: services.transfer_reject(transfer=item, **decision),
        done=lambda count: (
            ngettext("%(count)d transfer rejected.", "%(count)d transfers rejected.", count)
            % {"count": count}
        ),
    )


@admin.register(LicenceMove)
class LicenceMoveAdmin(RecordAdmin):
    """L8: staff confirm moves; the customer is e-mailed and the activation moves."""

    list_display = (
        "__str__",
        "entitlement",
        "new_machine_id",
        "rule",
        "fee",
        "fee_status",
        "state",
        "requested_on",
        "requested_by",
    )
    list_filter = ("state", "rule")
    list_select_related = ("entitlement__site", "old_activation", "requested_by")
    search_fields = ("entitlement__poe_number", "new_machine_id")
    readonly_fields = (
        "entitlement",
        "old_activation",
        "lost_or_stolen",
        "reason",
        "new_machine_id",
        "purchase",
        "requested_on",
        "rule",
        "fee",
        "currency",
        "fee_status",
        "explanation",
        "state",
        "requested_by",
        "decided_by",
        "decided_at",
    )
    actions = ["confirm", "reject"]

    @admin.display(description=_("fee paid"))
    def fee_status(self, move: LicenceMove) -> str:
        """L8/N6: whether the fee's quote was accepted; staff see a move with an unpaid fee
        before confirming it (confirming is not blocked)."""
        if move.fee <= 0:
            return _("No fee")
        if move.fee_paid_on:
            return _("Paid on %(day)s (quote %(number)s)") % {
                "day": move.fee_paid_on.isoformat(),
                "number": move.fee_quote_number,
            }
        if move.fee_quote_number:
            return _("⚠ Not paid: quote %(number)s is not accepted") % {
                "number": move.fee_quote_number
            }
        return _("⚠ Not paid: no fee quote")

    confirm = decision_action(
        description=_("Confirm: move the activation and e-mail the customer"),
        decide=lambda item, **decision: services.move_confirm(move=item, **decision),
        done=lambda count: (
            ngettext("%(count)d move confirmed.", "%(count)d moves confirmed.", count)
            % {"count": count}
        ),
    )
    reject = decision_action(
        description=_("Reject"),
        decide=lambda item, **decision: services.move_reject(move=item, **decision),
        done=lambda count: (
            ngettext("%(count)d move rejected.", "%(count)d moves rejected.", count)
            % {"count": count}
        ),
    )
