"""Renewal e-mails through the outbox (E1), one per recipient in the recipient's language (E2).

Recipients (N1, N3, N4): the primary contact and the renewal contacts of the quote's sites,
and the users of the account-managing reseller. A key per recipient makes a re-run job a
no-op: `quote:<number>:<event>:<address>`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from accounts.models import Contact, User
from portal.core.mail import Rendered, email_queue, email_render
from portal.core.models import OutgoingEmail
from portal.core.money import money
from renewals.models import Quote


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    is_reseller: bool


def customer_recipients(site_ids) -> list[Recipient]:
    """The primary contact and the renewal contacts of the sites (one e-mail per address; a
    contact's user's language wins over the contact's own setting)."""
    contacts = (
        Contact.objects.filter(site_id__in=site_ids)
        .filter(Q(is_primary=True) | Q(is_renewal_contact=True))
        .select_related("user")
        .order_by("email", "pk")
    )
    seen: dict[str, Recipient] = {}
    for contact in contacts:
        address = contact.email.strip().lower()
        if address and address not in seen:
            language = contact.user.language if contact.user_id else contact.language
            seen[address] = Recipient(address, language, is_reseller=False)
    return list(seen.values())


def reseller_recipients(reseller_id: int | None) -> list[Recipient]:
    if reseller_id is None:
        return []
    users = User.objects.filter(reseller_id=reseller_id, is_active=True).order_by("email")
    return [Recipient(user.email.lower(), user.language, is_reseller=True) for user in users]


def quote_site_ids(quote: Quote) -> list[int]:
    return list(quote.lines.values_list("site_id", flat=True).distinct())


def quote_link(quote: Quote) -> str:
    return settings.SITE_URL + reverse("renewals:quote_detail", kwargs={"number": quote.number})


def quote_emails_queue(
    quote: Quote,
    *,
    event: str,
    template: str,
    recipients: list[Recipient],
    extra: dict | None = None,
) -> int:
    """Queue `template` about `quote` to each recipient; the number queued (new rows)."""
    queued = 0
    lines = list(quote.lines.select_related("site").order_by("position", "pk"))
    customer_total = money(
        sum((line.customer_amount for line in lines if line.is_selected), Decimal(0))
    )
    link = quote_link(quote)
    # The e-mail depends on the recipient only through its language and whether it goes to
    # the reseller: render each such version once (a quote may carry hundreds of lines).
    versions: dict[tuple[str, bool], Rendered] = {}
    for recipient in recipients:
        key = f"quote:{quote.number}:{event}:{recipient.email}"
        if _exists(key):
            continue
        context = {
            "quote": quote,
            "lines": lines,
            "link": link,
            "for_reseller": recipient.is_reseller,
            "quote_total": quote.vendor_total if recipient.is_reseller else customer_total,
            **(extra or {}),
        }
        version = (recipient.language, recipient.is_reseller)
        if version not in versions:
            versions[version] = email_render(
                template=template, context=context, language=recipient.language
            )
        email_queue(
            key=key,
            to=[recipient.email],
            template=template,
            context=context,
            language=recipient.language,
            about={"quote": quote.pk},
            rendered=versions[version],
        )
        queued += 1
    return queued


def _exists(key: str) -> bool:
    return OutgoingEmail.objects.filter(key=key).exists()


def quote_issued_emails_queue(quote: Quote) -> int:
    """A new quote or revision: to the customer when it is open (sent), to the reseller when it
    waits for the reseller's price (N6)."""
    if quote.state == Quote.State.DRAFT:
        return quote_emails_queue(
            quote,
            event="for-reseller",
            template="renewals/quote_for_reseller",
            recipients=reseller_recipients(quote.reseller_id),
        )
    recipients = customer_recipients(quote_site_ids(quote)) + reseller_recipients(quote.reseller_id)
    return quote_emails_queue(
        quote, event="issued", template="renewals/quote_issued", recipients=recipients
    )


def quote_accepted_emails_queue(quote: Quote) -> int:
    recipients = customer_recipients(quote_site_ids(quote)) + reseller_recipients(quote.reseller_id)
    return quote_emails_queue(
        quote, event="accepted", template="renewals/quote_accepted", recipients=recipients
    )
