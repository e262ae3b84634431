from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, demo_data_load
from licensing.demo import licensing_demo_load
from renewals.demo import renewals_demo_load
from support.demo import support_demo_load
from support.scale import SIZES, ScaleDataExistsError, scale_data_load


class Command(BaseCommand):
    # Here, in the highest app with demo data: the catalogue and orders are licensing's, the
    # renewal notices renewals', the tickets support's (layers: imports go one way, down).
    help = (
        "Load the demo organisations, sites, one user per role, orders, the renewal "
        "notices due today and support tickets (safe to run again). With --scale, add "
        "thousands of customers and sites on top (issue #10: load tests)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=sorted(SIZES),
            help=(
                "Also build scale data on top of the demo: small (~40 customers, 100 sites, "
                "10,000 entitlements, 2,000 tickets) or large (2,000 customers, 5,000 sites, "
                "200 resellers, 500,000 entitlements, 100,000 tickets), with a year of quotes "
                "and e-mails. Run again with the same size: nothing to do; another size is "
                "refused."
            ),
        )

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "demo_data is refused under these settings: it creates a superuser whose "
                "password and TOTP secret are published in the README. Run it with the local "
                "settings (DJANGO_SETTINGS_MODULE=portal.settings.local) only."
            )
        logins = demo_data_load()
        today = timezone.localdate()
        licensing_demo_load(as_of=today)
        renewals_demo_load(as_of=today)
        support_demo_load(now=timezone.now())
        if options.get("scale"):
            self._scale(SIZES[options["scale"]])
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

    def _scale(self, size):
        self.stdout.write(f"Scale data ({size.name}):")
        try:
            result = scale_data_load(size=size, now=timezone.now(), out=self.stdout)
        except ScaleDataExistsError as refused:
            raise CommandError(str(refused)) from refused
        if not result.created:
            self.stdout.write(f"  the {size.name} scale data is already loaded: nothing to do.")
            return
        summary = ", ".join(f"{count:,} {what}" for what, count in result.counts.items())
        self.stdout.write(self.style.SUCCESS(f"  built in {result.seconds:.1f} s: {summary}"))
        self.stdout.write(
            f"  the demo customer users (primary, admin, stc, caller @demo.entitle.test) see "
            f"{size.estate_sites:,} more sites; reseller@demo.entitle.test (Northwind) manages "
            "them and one scale customer in five."
        )
