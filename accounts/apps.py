from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Loading these modules registers the audit models (A7) and the sign-in signal
        # handlers; they import models, so they load here, once the app registry is ready,
        # rather than at the top of this module.
        for module in ("accounts.audit", "accounts.signals"):
            import_module(module)
