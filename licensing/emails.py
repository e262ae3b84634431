"""Licensing e-mails, written to the outbox inside the transaction that causes them (E1)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from licensing.models import LicenceMove
from portal.core.mail import email_queue


def move_confirmed_email_queue(move: LicenceMove) -> None:
    """L8: tell the customer the licence now runs on the new machine: the primary contact,
    and the requester when a site admin or the reseller asked."""
    entitlement = move.entitlement
    primary = entitlement.site.contacts.filter(is_primary=True).first()
    recipients = [
        address
        for address in (
            primary.email if primary else None,
            move.requested_by.email if move.requested_by else None,
        )
        if address
    ]
    if not recipients:
        return
    link = settings.SITE_URL + reverse(
        "licensing:entitlement_detail", kwargs={"entitlement_id": entitlement.pk}
    )
    email_queue(
        key=f"move-confirmed:{move.pk}",
        to=recipients,
        template="move_confirmed",
        context={"move": move, "entitlement": entitlement, "link": link},
        language=primary.language if primary else entitlement.site.language,
        about={"move": move.pk, "entitlement": entitlement.pk},
    )
