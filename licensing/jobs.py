"""Work handed to the Celery worker once the transaction that asks for it commits.

A service that queues work either defines its task next to itself (pretix style: the task
sits in the service's module and tasks.py re-exports it) and calls `enqueue_on_commit`;
services never import licensing.tasks. A broker outage at that moment is logged, never
raised: the request has committed, and the rows say what is still to do (as
portal.core.mail._enqueue_send does for e-mails)."""

from __future__ import annotations

import logging

from django.db import transaction
from kombu.exceptions import KombuError

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args) -> None:
    """Send `task(*args)` to the worker after the current transaction commits."""
    transaction.on_commit(lambda: _enqueue(task, args))


def _enqueue(task, args: tuple) -> None:
    try:
        task.apply_async(args=list(args), retry=False)
    except (KombuError, ConnectionError):  # the broker is down; the committed rows keep the work
        logger.warning("broker unavailable; %s%r was not queued", task.name, args)
