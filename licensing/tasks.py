"""Thin Celery wrappers for licensing: take ids, reload, call a service."""

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from licensing.models import LicenceMove, PoEDocument
from licensing.poe import poe_render
from portal.mail import email_send_once


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def poe_render_task(document_id: int) -> None:
    """L4: render a large PoE in the worker; the download page polls until it is ready."""
    document = PoEDocument.objects.filter(pk=document_id).first()
    if document is None or document.state == PoEDocument.State.READY:
        return
    try:
        poe_render(document=document)
    except Exception:
        document.state = PoEDocument.State.FAILED
        document.save(update_fields=["state"])
        raise


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def move_confirmed_email_send(move_id: int) -> None:
    """L8: tell the customer the licence now runs on the new machine."""
    move = (
        LicenceMove.objects.select_related(
            "entitlement__site__customer",
            "entitlement__product",
            "requested_by",
            "old_activation",
        )
        .filter(pk=move_id, state=LicenceMove.State.CONFIRMED)
        .first()
    )
    if move is None or move.requested_by is None:
        return
    entitlement = move.entitlement
    link = settings.SITE_URL + reverse(
        "licensing:entitlement_detail", kwargs={"entitlement_id": entitlement.pk}
    )
    email_send_once(
        key=f"move-confirmed:{move.pk}",
        to=[move.requested_by.email],
        template="move_confirmed",
        context={"move": move, "entitlement": entitlement, "link": link},
        language=move.requested_by.language,
    )
