from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, demo_data_load
from licensing.demo import licensing_demo_load


class Command(BaseCommand):
    # Here and not in accounts: loading the catalogue and orders is licensing's (layers).
    help = "Load the demo organisations, sites, one user per role and orders (safe to run again)."

    def handle(self, *args, **options):
        logins = demo_data_load()
        licensing_demo_load(as_of=timezone.localdate())
        self.stdout.write(
            self.style.SUCCESS("Demo data is loaded. Sign in at http://127.0.0.1:8000 with:")
        )
        self.stdout.write(f"  password for every demo user: {DEMO_PASSWORD}")
        for login in logins:
            self.stdout.write(f"  {login.role:<30} {login.email:<30} {login.where}")
            if login.totp_secret:
                self.stdout.write(
                    f"  {'':<30} MFA: add secret {login.totp_secret} to an authenticator app,"
                    f" or run `make totp EMAIL={login.email}` for the current code"
                )
