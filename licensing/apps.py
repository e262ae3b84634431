from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensingConfig(AppConfig):
    name = "licensing"
    verbose_name = _("Licensing")

    def ready(self) -> None:
        # A7 registrations need loaded models; site_counts answers an accounts signal.
        from licensing import audit, site_counts  # noqa: F401, PLC0415
