"""Admin for product update preferences and notices (L10)."""

from django.contrib import admin

from licensing.models import UpdateNotice, UpdatePreference


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
