from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    # The label stays "portal" so the outbox table and its migrations keep their names.
    name = "portal.core"
    label = "portal"
    verbose_name = _("Portal")
