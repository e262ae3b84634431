"""One shape for admin actions that run a service on each selected object."""

from django.contrib import messages
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
