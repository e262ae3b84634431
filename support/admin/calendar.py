"""S4: holidays in the admin: data staff edit, and a page to seed a country's public holidays
from the `holidays` package (support.holidays) for some years."""

from __future__ import annotations

import holidays as holiday_data
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from support.holidays import holidays_seed
from support.models import Holiday

SEED_PERMISSION = "support.add_holiday"


def seedable_countries() -> list[tuple[str, str]]:
    """The countries the holidays package knows, by name."""
    known = set(holiday_data.list_supported_countries())
    return [(code, name) for code, name in countries if code in known]


def seedable_years() -> list[tuple[int, str]]:
    this_year = timezone.localdate().year
    return [(year, str(year)) for year in range(this_year - 1, this_year + 4)]


class HolidaySeedForm(forms.Form):
    country = forms.ChoiceField(label=gettext_lazy("Country"), choices=())
    years = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Years"),
        coerce=int,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Days already listed for the country are left as they are."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "---------"), *seedable_countries()]
        self.fields["years"].choices = seedable_years()


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("day", "country", "name")
    list_filter = ("country",)
    date_hierarchy = "day"
    search_fields = ("name", "country")
    ordering = ("country", "day")
    list_per_page = 100

    def get_urls(self):
        return [
            path(
                "seed/",
                self.admin_site.admin_view(self.seed_view),
                name="support_holiday_seed",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "seed_url": reverse("admin:support_holiday_seed")
            if request.user.has_perm(SEED_PERMISSION)
            else "",
        }
        return super().changelist_view(request, extra_context=extra_context)

    def seed_view(self, request):
        """S4: seed a country's holidays (staff with the "add holiday" permission)."""
        if not request.user.has_perm(SEED_PERMISSION):
            raise PermissionDenied
        form = HolidaySeedForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            country, years = form.cleaned_data["country"], form.cleaned_data["years"]
            try:
                added = holidays_seed(country=country, years=years)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("%(count)d holiday(s) added for %(country)s (%(years)s).")
                    % {
                        "count": added,
                        "country": country,
                        "years": ", ".join(str(year) for year in sorted(years)),
                    },
                )
                changelist = reverse("admin:support_holiday_changelist")
                return redirect(f"{changelist}?country__exact={country}")
        return TemplateResponse(
            request,
            "admin/support/holiday/seed.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Seed a country's holidays"),
                "form": form,
            },
        )
