"""Thin Celery wrappers: take ids, reload, call a service (STYLE: jobs)."""

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from accounts.models import Invitation
from accounts.services import invitation_token
from portal.core.mail import email_send_once


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def invitation_email_send(invitation_id: int) -> None:
    """A5: the welcome (or invitation) e-mail with the single-use link; safe to run twice."""
    invitation = (
        Invitation.objects.select_related("contact__site__customer", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_usable():
        return
    link = settings.SITE_URL + reverse(
        "accounts:invitation_accept", kwargs={"token": invitation_token(invitation)}
    )
    contact = invitation.contact
    email_send_once(
        key=f"invitation:{invitation.pk}",
        to=[invitation.email],
        template="welcome" if invitation.kind == Invitation.Kind.WELCOME else "invitation",
        context={
            "invitation": invitation,
            "contact": contact,
            "site": contact.site,
            "link": link,
            "expires_at": invitation.expires_at,
        },
        language=contact.language,
    )
