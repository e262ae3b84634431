"""S9: ticket e-mails through the outbox (E1), in each recipient's language (E2).

- On creation and on each public update (a public comment, a status change): the ticket's
  contact and the site's STCs. Internal notes are never e-mailed.
- Severity 1 also pages the on-call support address at once (on creation, and when a ticket
  is raised to severity 1).
- S5: an escalation notifies the support managers.
A partner-branded site's e-mails carry the partner's brand (S8)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from accounts.models import Contact
from portal.core.mail import email_queue, email_render
from support.branding import brand_for_site
from support.models import Ticket, TicketComment
from support.selectors import SUPPORT_MANAGERS_GROUP, SUPPORT_STAFF_GROUP, staff_in_group


@dataclass(frozen=True)
class Recipient:
    address: str
    language: str


def ticket_link(ticket: Ticket) -> str:
    return settings.SITE_URL + reverse("support:ticket_detail", kwargs={"number": ticket.number})


def customer_recipients(ticket: Ticket) -> list[Recipient]:
    """S9: the ticket's contact and the site's STCs, once per address, each in their
    language (a contact's user's language wins over the contact's own setting)."""
    seen: dict[str, Recipient] = {}
    contact_language = ticket.site.language
    if ticket.contact_id and ticket.contact:
        contact = ticket.contact
        contact_language = contact.user.language if contact.user_id else contact.language
    if ticket.contact_email:
        address = ticket.contact_email.strip().lower()
        seen[address] = Recipient(address, contact_language)
    stcs = (
        Contact.objects.filter(site_id=ticket.site_id)
        .exclude(stc_role="")
        .select_related("user")
        .order_by("email", "pk")
    )
    for contact in stcs:
        address = contact.email.strip().lower()
        if address and address not in seen:
            language = contact.user.language if contact.user_id else contact.language
            seen[address] = Recipient(address, language)
    return list(seen.values())


def staff_addresses(group: str, fallback: str) -> list[str]:
    """Support staff (or managers): the active staff users of the group, else the desk's
    shared address from the settings."""
    addresses = [user.email for user in staff_in_group(group)]
    return addresses or [fallback]


def support_staff_addresses() -> list[str]:
    return staff_addresses(SUPPORT_STAFF_GROUP, settings.SUPPORT_DESK_EMAIL)


def support_manager_addresses() -> list[str]:
    return staff_addresses(SUPPORT_MANAGERS_GROUP, settings.SUPPORT_MANAGERS_EMAIL)


def _context(ticket: Ticket, **extra) -> dict:
    return {
        "ticket": ticket,
        "link": ticket_link(ticket),
        "brand": brand_for_site(ticket.site, absolute=True),
        **extra,
    }


def _to_customers(ticket: Ticket, *, key: str, template: str, context: dict) -> int:
    """One e-mail per recipient, rendered once per language."""
    rendered: dict[str, object] = {}
    sent = 0
    for recipient in customer_recipients(ticket):
        if recipient.language not in rendered:
            rendered[recipient.language] = email_render(
                template=template, context=context, language=recipient.language
            )
        email_queue(
            key=f"{key}:{recipient.address}",
            to=[recipient.address],
            template=template,
            context=context,
            language=recipient.language,
            about={"ticket": ticket.number},
            rendered=rendered[recipient.language],
        )
        sent += 1
    return sent


def ticket_opened_emails_queue(ticket: Ticket) -> None:
    """S9: the contact and the STCs hear of the new ticket; severity 1 pages on-call."""
    _to_customers(
        ticket,
        key=f"ticket:{ticket.number}:opened",
        template="support/ticket_opened",
        context=_context(ticket),
    )
    if ticket.severity == 1:
        oncall_page_queue(ticket, reason="opened")


def oncall_page_queue(ticket: Ticket, *, reason: str) -> None:
    """S9: severity 1 pages the on-call support address at once (one page per ticket and
    reason: opened at severity 1, or raised to it)."""
    email_queue(
        key=f"ticket:{ticket.number}:oncall:{reason}",
        to=[settings.SUPPORT_ONCALL_EMAIL],
        template="support/ticket_oncall",
        context={
            "ticket": ticket,
            "reason": reason,
            "link": ticket_link(ticket),
        },
        language="en",
        about={"ticket": ticket.number},
    )


def ticket_comment_emails_queue(ticket: Ticket, comment: TicketComment) -> None:
    """S9: a public comment goes to the contact and the STCs; an internal note to no one."""
    if comment.is_internal:
        return
    _to_customers(
        ticket,
        key=f"ticket:{ticket.number}:comment:{comment.pk}",
        template="support/ticket_updated",
        context=_context(ticket, comment=comment, change=""),
    )


def ticket_change_emails_queue(ticket: Ticket, *, event_id: int, change: str) -> None:
    """S9: a public change (status, severity) goes to the contact and the STCs."""
    _to_customers(
        ticket,
        key=f"ticket:{ticket.number}:event:{event_id}",
        template="support/ticket_updated",
        context=_context(ticket, comment=None, change=change),
    )


def escalation_emails_queue(ticket: Ticket) -> None:
    """S5: the support managers are told of the escalation, with the customer's reason."""
    email_queue(
        key=f"ticket:{ticket.number}:escalated:{ticket.escalated_at:%Y%m%d%H%M%S}",
        to=support_manager_addresses(),
        template="support/ticket_escalated",
        context={
            "ticket": ticket,
            "link": ticket_link(ticket),
        },
        language="en",
        about={"ticket": ticket.number},
    )
