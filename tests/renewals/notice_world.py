"""Helpers for the notice-job tests (N1, N3, N4): agreements with contacts and the e-mails
the jobs wrote."""

from __future__ import annotations

from datetime import date

from django.core.management import call_command

from portal.core.models import OutgoingEmail
from tests.accounts.factories import ContactFactory, SiteFactory
from tests.licensing.factories import EntitlementFactory
from tests.renewals.factories import primary_contact


def site_with_contacts(*, primary: str, renewal: str | None = None, **kwargs):
    site = SiteFactory(**kwargs)
    primary_contact(site, email=primary)
    if renewal:
        ContactFactory(site=site, email=renewal, is_renewal_contact=True)
    return site


def bought(site, product, purchased_on: date, quantity: int = 1, **kwargs):
    """An entitlement bought on `purchased_on`: 12 months of S&S from that day (L2)."""
    return EntitlementFactory(
        site=site, product=product, quantity=quantity, purchased_on=purchased_on, **kwargs
    )


def run(command: str, day: date, *extra: str) -> None:
    call_command(command, f"--as-of={day.isoformat()}", *extra, stdout=_Sink())


def run_day(day: date) -> None:
    """One simulated day of the beat schedule (renewals section, 04:10–04:30)."""
    for command in ("expire_quotes", "send_renewal_notices", "send_revised_quotes"):
        run(command, day)


def emails(**filters) -> list[OutgoingEmail]:
    return list(OutgoingEmail.objects.filter(**filters).order_by("to", "pk"))


def email_summary(emails_: list[OutgoingEmail]) -> list[tuple[str, str]]:
    return sorted((e.to, e.subject) for e in emails_)


class _Sink:
    def write(self, text):
        pass

    def flush(self):
        pass
