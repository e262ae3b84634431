"""Thin Celery wrappers for licensing: take ids, reload, call a service."""

from celery import shared_task

from licensing.models import PoEDocument
from licensing.poe import poe_render


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


# --- L10: product update notifications (beat jobs, N10) ----------------------------------------


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def update_notices_send_task(version_id: int) -> None:
    """L10: after staff release a version, e-mail the users who want to hear at once."""
    from django.utils import timezone

    from licensing.updates import update_notices_send_immediate

    update_notices_send_immediate(now=timezone.now(), version_id=version_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def updates_notify_due_task() -> None:
    """L10 daily: notice the versions released by today and send the at-once e-mails."""
    from django.utils import timezone

    from licensing.updates import updates_notify_due

    updates_notify_due(as_of=timezone.localdate(), now=timezone.now())


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def update_digests_send_task() -> None:
    """L10 daily: the weekly digests due this ISO week (at most one per user per week)."""
    from django.utils import timezone

    from licensing.updates import update_digests_send

    update_digests_send(as_of=timezone.localdate(), now=timezone.now())


@shared_task
def import_batch_task(batch_id: int, actor_id: int | None) -> None:
    """L6: import a large previewed file in the worker; the preview page polls until done.
    On an unexpected failure the batch goes back to "ready" so it can be tried again."""
    from accounts.models import User
    from licensing.imports import batch_confirm
    from licensing.models import ImportBatch

    batch = ImportBatch.objects.filter(pk=batch_id, state=ImportBatch.State.QUEUED).first()
    if batch is None:
        return
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    try:
        batch_confirm(batch=batch, actor=actor)
    except Exception:
        ImportBatch.objects.filter(pk=batch_id, state=ImportBatch.State.QUEUED).update(
            state=ImportBatch.State.READY
        )
        raise
