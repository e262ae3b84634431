"""Admin for advance replacement (S6) and onsite support (S7).

- RMAs are records (A7): staff move them on through two actions, "Mark shipped" (date and
  tracking: the failed unit's due date follows, and the customer is e-mailed) and "Mark failed
  unit received"; nobody adds, edits or deletes one here.
- Onsite zones, their countries and rates are data staff edit (S7: the price depends on the
  country's zone and the product type).
- Onsite requests are records: the quote they were answered with, and when it was booked."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from licensing.models import Product
from portal.core.admin_actions import RecordAdmin, run_for_each
from support.forms_service import MarkShippedForm
from support.models import (
    OnsiteCountry,
    OnsiteRate,
    OnsiteRequest,
    OnsiteZone,
    ReplacementRequest,
)
from support.services import replacements as rma_services


@admin.register(ReplacementRequest)
class ReplacementRequestAdmin(RecordAdmin):
    """S6: staff ship the replacement and receive the failed unit."""

    list_display = (
        "number",
        "ticket",
        "failed_serial",
        "status",
        "ship_by",
        "shipped_on",
        "return_due_on",
        "returned_on",
        "overdue_flagged_on",
        "installer",
    )
    list_filter = ("status",)
    list_select_related = ("ticket__site", "entitlement__product", "installer", "unit_quote")
    search_fields = ("number", "failed_serial", "ticket__number", "ticket__site__number")
    date_hierarchy = "requested_at"
    fields = (
        "number",
        "ticket",
        "entitlement",
        "failed_serial",
        "fault",
        "ship_to",
        "status",
        "requested_by",
        "requested_at",
        "ship_by",
        "shipped_on",
        "outbound_tracking",
        "return_due_on",
        "return_tracking",
        "returned_on",
        "overdue_flagged_on",
        "unit_quote",
        "installer",
    )
    readonly_fields = fields
    actions = ("mark_shipped", "mark_received")

    @admin.action(description=_("Mark shipped (date and tracking)"), permissions=["change"])
    def mark_shipped(self, request, queryset):
        """S6: one RMA at a time (each has its own tracking number): the date and tracking,
        then the failed unit is due back 10 business days later and the customer is told."""
        selected = list(queryset[:2])
        if len(selected) != 1:
            self.message_user(
                request,
                _("Mark one replacement shipped at a time: each has its own tracking number."),
                messages.ERROR,
            )
            return None
        rma = selected[0]
        if "apply" in request.POST:
            form = MarkShippedForm(request.POST)
            if form.is_valid():
                try:
                    rma = rma_services.rma_mark_shipped(
                        rma_id=rma.pk,
                        shipped_on=form.cleaned_data["shipped_on"],
                        tracking=form.cleaned_data["tracking"],
                        actor=request.user,
                        now=timezone.now(),
                    )
                except (ValidationError, PermissionDenied) as error:
                    text = " ".join(getattr(error, "messages", [str(error)]))
                    self.message_user(request, f"{rma}: {text}", messages.ERROR)
                else:
                    self.message_user(
                        request,
                        _("%(number)s shipped; the failed unit is due back by %(day)s.")
                        % {"number": rma.number, "day": rma.return_due_on.isoformat()},
                        messages.SUCCESS,
                    )
                return None
        else:
            form = MarkShippedForm(initial={"shipped_on": timezone.localdate()})
        return TemplateResponse(
            request,
            "support/replacements/admin_mark_shipped.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Mark %(number)s shipped") % {"number": rma.number},
                "opts": self.model._meta,
                "rma": rma,
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Mark failed unit received"), permissions=["change"])
    def mark_received(self, request, queryset):
        now = timezone.now()
        today = timezone.localdate(now)
        run_for_each(
            self,
            request,
            queryset,
            action=lambda rma, actor: rma_services.rma_mark_received(
                rma_id=rma.pk, received_on=today, actor=actor, now=now
            ),
            done=lambda count: (
                ngettext(
                    "%(count)d failed unit received.", "%(count)d failed units received.", count
                )
                % {"count": count}
            ),
        )


class OnsiteRateForm(forms.ModelForm):
    """The product type is one of the catalogue's kinds (licensing's Product.Kind)."""

    product_kind = forms.ChoiceField(label=_("product type"), choices=Product.Kind.choices)

    class Meta:
        model = OnsiteRate
        fields = ("zone", "product_kind", "price", "currency")


class OnsiteCountryInline(admin.TabularInline):
    model = OnsiteCountry
    extra = 0


class OnsiteRateInline(admin.TabularInline):
    model = OnsiteRate
    form = OnsiteRateForm
    extra = 0


@admin.register(OnsiteZone)
class OnsiteZoneAdmin(admin.ModelAdmin):
    """S7: a group of countries priced alike, with its rates per product type."""

    list_display = ("code", "name")
    search_fields = ("code", "name")
    inlines = (OnsiteCountryInline, OnsiteRateInline)


@admin.register(OnsiteCountry)
class OnsiteCountryAdmin(admin.ModelAdmin):
    """S7: which zone a country is in (a country without a row has no onsite service)."""

    list_display = ("country", "zone")
    list_filter = ("zone",)
    list_select_related = ("zone",)


@admin.register(OnsiteRate)
class OnsiteRateAdmin(admin.ModelAdmin):
    """S7: the fee of one visit in a zone for a product type."""

    form = OnsiteRateForm
    list_display = ("zone", "product_kind", "price", "currency")
    list_filter = ("zone", "product_kind")
    list_select_related = ("zone",)


@admin.register(OnsiteRequest)
class OnsiteRequestAdmin(RecordAdmin):
    """S7: requests as they were answered (read-only)."""

    list_display = ("__str__", "ticket", "zone", "price", "currency", "status", "booked_on")
    list_filter = ("status", "zone")
    list_select_related = ("ticket__site", "zone", "quote")
    search_fields = ("ticket__number", "ticket__site__number")
    fields = (
        "ticket",
        "reason",
        "requested_by",
        "requested_at",
        "zone",
        "price",
        "currency",
        "quote",
        "status",
        "booked_on",
    )
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False
