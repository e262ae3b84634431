from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    # Not "Accounts": allauth's `account` app has that name, and the admin index showed two
    # sections called ACCOUNTS (review #7 item 20).
    verbose_name = _("Customers and sites")

    def ready(self) -> None:
        # Loading these modules registers the audit models (A7) and the sign-in signal
        # handlers; they import models, so they load here, once the app registry is ready,
        # rather than at the top of this module.
        for module in ("accounts.audit", "accounts.signals"):
            import_module(module)
