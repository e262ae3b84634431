"""Support's template filters: durations on the first-response clock (S4)."""

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration_left(value: timedelta) -> str:
    """ "1 h 05 min" for a clock reading (the sign is the template's to say)."""
    if value is None:
        return ""
    minutes = int(abs(value.total_seconds()) // 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}
