from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = _("Support")

    def ready(self) -> None:
        # A7 registrations need loaded models; the rules register the ticket permissions;
        # the receivers react to renewals' quote_accepted (S6 unreturned units, S7 onsite
        # visits) and register support's quote kinds.
        from support import audit, receivers, rules  # noqa: F401, PLC0415
