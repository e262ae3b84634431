"""factory_boy factories and helpers for renewals (STYLE: one factories module per app)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Contact
from renewals.builders import renewal_draft
from renewals.models import Quote
from renewals.services import quote_issue
from tests.accounts.factories import ContactFactory


def at_noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def primary_contact(site, **kwargs) -> Contact:
    existing = site.contacts.filter(is_primary=True).first()
    return existing or ContactFactory(site=site, is_primary=True, **kwargs)


def renewal_quote_for(
    entitlements, *, as_of: date, valid_until: date | None = None, **kwargs
) -> Quote:
    """Issue an on-request renewal quote for `entitlements` (one agreement and account manager)
    through the real builder and service."""
    first = entitlements[0]
    site = first.site
    draft = renewal_draft(
        entitlements=entitlements,
        agreement=site.agreement,
        reseller_id=site.reseller_id,
        series_key=kwargs.pop("series_key", f"test:{site.pk}:{first.pk}"),
        notice=Quote.Notice.REQUEST,
        valid_until=valid_until or site.agreement.next_anniversary(as_of),
        as_of=as_of,
        **kwargs,
    )
    # quote_issue is not atomic on its own (a job holds the transaction for each quote and
    # its e-mails); its row lock needs one on PostgreSQL.
    with transaction.atomic():
        return quote_issue(draft=draft, as_of=as_of, now=at_noon(as_of))


ZERO = Decimal(0)
