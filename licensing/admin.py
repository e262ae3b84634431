"""Django admin for licensing: the catalogue (L1), orders entered by staff (L2), entitlements,
PoE documents, transfer approval (L7) and move confirmation (L8)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from licensing import services
from licensing.models import (
    Activation,
    CoveragePeriod,
    Edition,
    Entitlement,
    EntitlementEvent,
    LicenceMove,
    Order,
    OrderLine,
    PoEDocument,
    Product,
    SiteTransfer,
    SiteTransferLine,
    UpdateNotice,
    UpdatePreference,
    Version,
)
from portal.core.admin_actions import run_for_each


class EditionInline(admin.TabularInline):
    model = Edition
    extra = 0


class VersionInline(admin.TabularInline):
    model = Version
    extra = 0
    fields = ("version", "release_date", "eos_date", "list_price", "upgrade_price", "download")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = (
        "part_number",
        "name",
        "family",
        "kind",
        "delivery",
        "list_price",
        "annual_ss_price",
        "reinstatement_price",
        "points_per_unit",
        "counts_toward_volume",
        "end_of_sale",
    )
    list_filter = ("family", "kind", "delivery", "counts_toward_volume")
    search_fields = ("part_number", "name", "family")
    inlines = [EditionInline, VersionInline]


@admin.register(Version)
class VersionAdmin(admin.ModelAdmin):
    list_display = (
        "product",
        "version",
        "release_date",
        "eos_date",
        "upgrade_price",
        "notified_at",
    )
    list_filter = ("product__family",)
    list_select_related = ("product",)
    search_fields = ("product__part_number", "product__name", "version")
    autocomplete_fields = ("product",)
    actions = ["release_notify"]

    @admin.action(description=_("Release: notify entitled users"), permissions=["change"])
    def release_notify(self, request, queryset):
        """L10: tell the users of covered sites now (the daily job would on the release date)."""
        from licensing.updates import release_now

        today = timezone.localdate()
        for version in queryset.select_related("product"):
            label = f"{version.product.part_number} {version.version}"
            if version.release_date > today:
                self.message_user(
                    request,
                    _("%(version)s is released on %(date)s; its users are told on that day.")
                    % {"version": label, "date": version.release_date},
                    messages.WARNING,
                )
                continue
            result = release_now(version=version)
            if result.already_notified:
                self.message_user(
                    request,
                    _("%(version)s was already notified.") % {"version": label},
                    messages.INFO,
                )
            else:
                self.message_user(
                    request,
                    ngettext(
                        "%(version)s: %(count)s user is told (at once or in the weekly digest).",
                        "%(version)s: %(count)s users are told (at once or in the weekly digest).",
                        result.recipients,
                    )
                    % {"version": label, "count": result.recipients},
                    messages.SUCCESS,
                )


class OrderLineFormSet(forms.BaseInlineFormSet):
    """L2: refuse end-of-sale products and foreign editions or versions on the order date."""

    def clean(self):
        super().clean()
        ordered_on = self.instance.ordered_on
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            data = form.cleaned_data
            if not data.get("product") or not ordered_on:
                continue
            line = services.LineRequest(
                product=data["product"],
                quantity=data.get("quantity") or 0,
                edition=data.get("edition"),
                version=data.get("version"),
                unit_price=data.get("unit_price"),
            )
            try:
                services.validate_line(line=line, ordered_on=ordered_on)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    formset = OrderLineFormSet
    extra = 1
    autocomplete_fields = ("product",)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("number", "site", "ordered_on", "reseller", "source", "created_by")
    list_filter = ("source", "ordered_on")
    list_select_related = ("site", "reseller", "created_by")
    search_fields = ("number", "site__number", "site__name")
    autocomplete_fields = ("site", "reseller")
    readonly_fields = ("created_by", "created_at")
    inlines = [OrderLineInline]

    def get_changeform_initial_data(self, request):
        today = timezone.localdate()
        return {
            "ordered_on": today,
            "number": services.new_order_number(today),
            "source": Order.Source.ADMIN,
        }

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        """L2: each new software, hardware or subscription line gets its entitlement."""
        super().save_related(request, form, formsets, change)
        for line in form.instance.lines.select_related("product", "order__site__agreement"):
            services.order_line_fulfil(order_line=line)


class CoveragePeriodInline(admin.TabularInline):
    model = CoveragePeriod
    extra = 0
    readonly_fields = ("starts_on", "ends_on", "kind", "note", "created_at")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # L3: history is added by services, never edited


class ActivationInline(admin.TabularInline):
    model = Activation
    extra = 0
    fields = ("machine_id", "activated_on", "deactivated_on", "deactivation_reason")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class EntitlementEventInline(admin.TabularInline):
    model = EntitlementEvent
    extra = 0
    readonly_fields = ("happened_on", "quantity_change", "description")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Entitlement)
class EntitlementAdmin(admin.ModelAdmin):
    list_display = (
        "poe_number",
        "site",
        "product",
        "edition",
        "version",
        "quantity",
        "coverage_start",
        "coverage_end",
    )
    list_filter = ("product__family", "product__kind", "coverage_end")
    list_select_related = ("site", "product", "edition", "version")
    search_fields = ("poe_number", "site__number", "product__part_number", "product__name")
    autocomplete_fields = ("site", "product")
    raw_id_fields = ("order_line",)
    readonly_fields = ("coverage_start", "coverage_end", "created_at")
    inlines = [CoveragePeriodInline, ActivationInline, EntitlementEventInline]
    # L6: "Import CSV" in the changelist's tools, and the import pages under this admin.
    change_list_template = "licensing/import_admin_changelist.html"

    def get_urls(self):
        from django.urls import path

        from licensing.views import imports

        def view(function):
            return self.admin_site.admin_view(
                lambda request, **kwargs: function(request, self, **kwargs)
            )

        return [
            path("import/", view(imports.admin_import_upload), name="licensing_entitlement_import"),
            path(
                "import/<int:batch_id>/",
                view(imports.admin_import_preview),
                name="licensing_entitlement_import_preview",
            ),
            path(
                "import/<int:batch_id>/confirm/",
                view(imports.admin_import_confirm),
                name="licensing_entitlement_import_confirm",
            ),
            *super().get_urls(),
        ]


@admin.register(PoEDocument)
class PoEDocumentAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "site", "order", "issued_on", "line_count", "state")
    list_filter = ("kind", "state", "issued_on")
    list_select_related = ("site", "order")
    search_fields = ("code", "site__number", "order__number")
    readonly_fields = (
        "code",
        "kind",
        "site",
        "order",
        "issued_on",
        "fingerprint",
        "snapshot",
        "line_count",
        "state",
        "file",
        "requested_by",
        "created_at",
    )

    def has_add_permission(self, request):
        return False


class SiteTransferLineInline(admin.TabularInline):
    model = SiteTransferLine
    extra = 0
    readonly_fields = ("entitlement", "quantity")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SiteTransfer)
class SiteTransferAdmin(admin.ModelAdmin):
    """L7: staff approve or reject transfers requested from the portal."""

    list_display = (
        "pk",
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

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Approve: move the quantities now"))
    def approve(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset,
            action=lambda item, actor: services.transfer_approve(transfer=item, actor=actor),
            done=lambda count: (
                ngettext("%(count)d transfer approved.", "%(count)d transfers approved.", count)
                % {"count": count}
            ),
        )

    @admin.action(description=_("Reject"))
    def reject(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset,
            action=lambda item, actor: services.transfer_reject(transfer=item, actor=actor),
            done=lambda count: (
                ngettext("%(count)d transfer rejected.", "%(count)d transfers rejected.", count)
                % {"count": count}
            ),
        )


@admin.register(LicenceMove)
class LicenceMoveAdmin(admin.ModelAdmin):
    """L8: staff confirm moves; the customer is e-mailed and the activation moves."""

    list_display = (
        "pk",
        "entitlement",
        "new_machine_id",
        "rule",
        "fee",
        "state",
        "requested_on",
        "requested_by",
    )
    list_filter = ("state", "rule")
    list_select_related = ("entitlement__product", "requested_by")
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
        "explanation",
        "state",
        "requested_by",
        "decided_by",
        "decided_at",
    )
    actions = ["confirm", "reject"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Confirm: move the activation and e-mail the customer"))
    def confirm(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset,
            action=lambda item, actor: services.move_confirm(move=item, actor=actor),
            done=lambda count: (
                ngettext("%(count)d move confirmed.", "%(count)d moves confirmed.", count)
                % {"count": count}
            ),
        )

    @admin.action(description=_("Reject"))
    def reject(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset,
            action=lambda item, actor: services.move_reject(move=item, actor=actor),
            done=lambda count: (
                ngettext("%(count)d move rejected.", "%(count)d moves rejected.", count)
                % {"count": count}
            ),
        )


@admin.register(UpdatePreference)
class UpdatePreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "frequency")
    list_filter = ("frequency",)
    list_select_related = ("user",)
    search_fields = ("user__email",)
    autocomplete_fields = ("user",)


@admin.register(UpdateNotice)
class UpdateNoticeAdmin(admin.ModelAdmin):
    list_display = ("user", "version", "created_at", "sent_at")
    list_filter = ("sent_at",)
    list_select_related = ("user", "version__product")
    search_fields = ("user__email", "version__product__part_number")
