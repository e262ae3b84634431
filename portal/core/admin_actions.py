"""One shape for admin actions that run a service on each selected object."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError


def run_for_each(modeladmin, request, queryset, *, action, done) -> int:
    """Call action(item, actor) for each selected item; report each refusal with its message
    and the successes in one line, done(count) (an ngettext call, so it is translated).
    Returns how many succeeded."""
    succeeded = 0
    for item in queryset:
        try:
            action(item, request.user)
        except ValidationError as error:
            modeladmin.message_user(request, f"{item}: " + " ".join(error.messages), messages.ERROR)
        else:
            succeeded += 1
    if succeeded:
        modeladmin.message_user(request, done(succeeded), messages.SUCCESS)
    return succeeded


class RecordAdmin(admin.ModelAdmin):
    """A record kept as it happened (A7): staff decide or resend through actions, but never add
    or delete one (no delete page, no bulk delete action). Rows load `list_select_related` on
    every page, not only the changelist, because their titles name related rows (the
    changelist ignores list_select_related once the queryset selects anything)."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.list_select_related and self.list_select_related is not True:
            queryset = queryset.select_related(*self.list_select_related)
        return queryset

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
