"""Celery tasks for licensing: thin wrappers that take ids, reload and call a service. Tasks
import services, never the reverse: a task a service queues after commit sits in that
service's module (pretix style) and is re-exported here under its registered name."""

from celery import shared_task
from django.utils import timezone

from licensing.imports.batches import import_batch_task
from licensing.poe import poe_render_task
from licensing.statement import statement_render_task
from licensing.updates import (
    update_digests_send,
    update_notices_send_task,
    updates_notify_due,
)

__all__ = [
    "import_batch_task",
    "poe_render_task",
    "statement_render_task",
    "update_digests_send_task",
    "update_notices_send_task",
    "updates_notify_due_task",
]


# --- L10: product update notifications (beat jobs, N10) ----------------------------------------


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def updates_notify_due_task() -> None:
    """L10 daily: notice the versions released by today and send the at-once e-mails."""
    updates_notify_due(as_of=timezone.localdate(), now=timezone.now())


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def update_digests_send_task() -> None:
    """L10 daily: the weekly digests due this ISO week (at most one per user per week)."""
    update_digests_send(as_of=timezone.localdate(), now=timezone.now())
