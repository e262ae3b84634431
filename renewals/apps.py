from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RenewalsConfig(AppConfig):
    name = "renewals"
    verbose_name = _("Renewals")

    def ready(self) -> None:
        # A7 registrations need loaded models; the kinds register their builders and appliers;
        # receivers connect to licensing's signals and pricing hook (L8, L9, N7, N8, N9).
        import renewals.receivers_licensing  # noqa: F401, PLC0415 (L8/L9 kinds, their receivers)
        from renewals import audit, builders, receivers  # noqa: F401, PLC0415
