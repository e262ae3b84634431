"""Admin for the catalogue (L1, with the L10 release action) and orders entered by staff (L2)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from licensing import services
from licensing.models import Edition, Order, OrderLine, Product, Version
from licensing.updates import (
    RELEASE_CATCH_UP,
    release_now,
    version_label,
    version_no_file_message,
)


def warn_released_without_file(modeladmin, request, versions) -> None:
    """L10, review #7 item 10: a released, un-announced version without a file is told to
    nobody; say so when staff save it, and how it will go out."""
    today = timezone.localdate()
    for version in versions:
        if version.download or version.notified_at or version.release_date > today:
            continue
        modeladmin.message_user(
            request,
            " ".join(
                [
                    version_no_file_message(version),
                    _(
                        "The daily job tells its users on its first run after the upload, up "
                        "to %(days)d days after the release; later, use the release action."
                    )
                    % {"days": RELEASE_CATCH_UP.days},
                ]
            ),
            messages.WARNING,
        )


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

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Version:
            saved = [f.instance for f in formset.forms if f.instance.pk and f.has_changed()]
            for version in saved:
                version.product = form.instance
            warn_released_without_file(self, request, saved)


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
    # L10: set by the release service only (the action or the daily job), never typed in.
    readonly_fields = ("notified_at",)
    actions = ["release_notify"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        warn_released_without_file(self, request, [obj])

    @admin.action(description=_("Release: notify entitled users"), permissions=["change"])
    def release_notify(self, request, queryset):
        """L10: tell the users of covered sites now (the daily job would on the release date)."""
        now = timezone.now()
        today = timezone.localdate(now)
        for version in queryset.select_related("product"):
            label = version_label(version)
            if version.release_date > today:
                self.message_user(
                    request,
                    _("%(version)s is released on %(date)s; its users are told on that day.")
                    % {"version": label, "date": version.release_date},
                    messages.WARNING,
                )
                continue
            result = release_now(version=version, now=now)
            if result.no_file:
                self.message_user(
                    request,
                    _(
                        "%(version)s has no file to download yet: nobody is told. Upload its "
                        "file, then release it."
                    )
                    % {"version": label},
                    messages.WARNING,
                )
            elif result.already_notified:
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
