"""Admin for entitlements (L3, with the L6 CSV import pages) and issued PoE documents (L4)."""

from django.contrib import admin
from django.urls import path

from licensing.models import Activation, CoveragePeriod, Entitlement, EntitlementEvent, PoEDocument
from licensing.views import imports


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
