from django.contrib import admin

from portal.core.models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """E1: the e-mail log with its status."""

    list_display = ("key", "to", "subject", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "template")
    search_fields = ("key", "to", "subject")
    readonly_fields = (
        "key",
        "to",
        "subject",
        "template",
        "status",
        "attempts",
        "error",
        "created_at",
        "sent_at",
    )

    def has_add_permission(self, request):
        return False
