"""Sending templated e-mails exactly once per idempotency key (E1, E2)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from portal.core.models import OutgoingEmail

logger = logging.getLogger(__name__)


def email_send_once(
    *, key: str, to: list[str], template: str, context: dict, language: str = "en"
) -> OutgoingEmail:
    """Render `emails/<template>.{subject.txt,txt,html}` and send it unless `key` was sent.

    The log row is claimed (created or locked) before sending, so a retried task or a
    re-run job never sends the same key twice; a failure is recorded and re-raised so the
    caller (a Celery task) can retry it.
    """
    with transaction.atomic():
        record, _created = OutgoingEmail.objects.select_for_update().get_or_create(
            key=key, defaults={"to": ", ".join(to), "template": template, "subject": ""}
        )
        if record.status == OutgoingEmail.Status.SENT:
            logger.info("e-mail %s already sent; not sending again", key)
            return record
        with translation.override(language):
            context = {"site_url": settings.SITE_URL, **context}
            subject = render_to_string(f"emails/{template}.subject.txt", context).strip()
            text = render_to_string(f"emails/{template}.txt", context)
            html = render_to_string(f"emails/{template}.html", context)
        record.subject = subject[:300]
        record.attempts += 1
        message = EmailMultiAlternatives(
            subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=to,
            headers={"X-Entitle-Key": key},
        )
        message.attach_alternative(html, "text/html")
        try:
            message.send()
        except Exception as exc:  # recorded, then re-raised once the record is saved
            failure = exc
            record.status = OutgoingEmail.Status.FAILED
            record.error = str(exc)
            record.save(update_fields=["subject", "attempts", "status", "error"])
        else:
            failure = None
            record.status = OutgoingEmail.Status.SENT
            record.sent_at = timezone.now()
            record.error = ""
            record.save(update_fields=["subject", "attempts", "status", "sent_at", "error"])
    # Raised after the block commits, so the failure stays on record for staff and retries.
    if failure is not None:
        raise failure
    return record
