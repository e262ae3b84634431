"""Admin for levels and commitments (N7, N8, N9): levels are data staff edit (bands and
discounts); an agreement's level may be set by staff (recorded as a level change); level
changes and commitments are records, read-only."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.admin_actions import RecordAdmin
from renewals.models import AgreementLevel, Commitment, CommitmentPrice, Level, LevelChange


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    """N7/N8/N9: the bands (points for PA, qualifying licences for VIP) and their discounts."""

    list_display = ("programme", "code", "name", "threshold", "discount_percent", "is_commitment")
    list_filter = ("programme", "is_commitment")
    ordering = ("programme", "is_commitment", "threshold")
    search_fields = ("code", "name")


@admin.register(AgreementLevel)
class AgreementLevelAdmin(admin.ModelAdmin):
    """An agreement's level now. A change made here is recorded as a level change (set by
    staff), with the agreement's history."""

    list_display = ("agreement", "level", "since", "vip_select_since")
    list_filter = ("level__programme", "level")
    list_select_related = ("agreement", "level")
    search_fields = ("agreement__number", "agreement__customer__name")
    autocomplete_fields = ("agreement",)

    def get_readonly_fields(self, request, obj=None):
        return ("agreement",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        old_code = ""
        if change:
            old_code = AgreementLevel.objects.get(pk=obj.pk).level.code
        super().save_model(request, obj, form, change)
        if old_code != obj.level.code:
            now = timezone.now()
            LevelChange.objects.create(
                agreement=obj.agreement,
                key=f"admin:{obj.agreement_id}:{now.isoformat()}",
                changed_on=timezone.localdate(now),
                old_code=old_code,
                new_code=obj.level.code,
                reason=LevelChange.Reason.ADMIN,
            )


class ReadOnlyRecordAdmin(RecordAdmin):
    def has_change_permission(self, request, obj=None):
        return False  # a record of what happened: read, never edited


@admin.register(LevelChange)
class LevelChangeAdmin(ReadOnlyRecordAdmin):
    """The history of each agreement's level and why it moved (keys make jobs idempotent)."""

    list_display = ("agreement", "changed_on", "old_code", "new_code", "reason", "count")
    list_filter = ("reason",)
    list_select_related = ("agreement",)
    date_hierarchy = "changed_on"
    search_fields = ("agreement__number", "key")
    readonly_fields = (
        "agreement",
        "key",
        "changed_on",
        "old_code",
        "new_code",
        "reason",
        "count",
        "created_at",
    )


class CommitmentPriceInline(admin.TabularInline):
    """N9: the prices fixed for the term, per product."""

    model = CommitmentPrice
    extra = 0
    fields = ("product", "list_price", "annual_ss_price", "fixed_on")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyRecordAdmin):
    """N9: three-year commitments: invited, accepted (quantity, term), broken or completed
    by the daily jobs. Decided by the customer on the portal, never edited here."""

    list_display = (
        "agreement",
        "state",
        "quantity",
        "invited_on",
        "accepted_on",
        "ends_on",
        "checked_through",
    )
    list_filter = ("state",)
    list_select_related = ("agreement",)
    search_fields = ("agreement__number", "agreement__customer__name")
    inlines = (CommitmentPriceInline,)
    readonly_fields = (
        "agreement",
        "state",
        "invited_on",
        "quantity",
        "accepted_on",
        "accepted_by",
        "ends_on",
        "level_before",
        "checked_through",
        "ended_on",
        "created_at",
    )
    fieldsets = ((_("Commitment"), {"fields": readonly_fields}),)
