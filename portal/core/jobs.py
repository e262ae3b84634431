"""Work handed to the Celery worker once the transaction that asks for it commits.

A service that queues work defines its task next to itself (pretix style: the task sits in
the service's module and the app's tasks.py re-exports it) and calls `enqueue_on_commit`;
services never import tasks modules. A broker outage at that moment is logged, never raised:
the request has committed, and the rows say what is still to do (the e-mail sweeper, E1).
"""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args) -> None:
    """Send `task(*args)` to the worker after the current transaction commits."""
    transaction.on_commit(lambda: enqueue(task, *args))


def enqueue(task, *args) -> bool:
    """Send `task(*args)` now; False when the broker cannot take it. The publish has a
    connection of its own that tries once: kombu's default retries for seconds while the
    person who asked waits for the page (measured: 7 s on a dead port, 0.5 s tried once)."""
    app = task.app
    try:
        if app.conf.task_always_eager:
            task.apply_async(args=list(args))
            return True
        options = {**app.conf.broker_transport_options, "max_retries": 0}
        with app.connection_for_write(transport_options=options) as connection:
            task.apply_async(args=list(args), connection=connection, retry=False)
    except Exception:  # any broker failure: the committed rows keep the work
        logger.warning("broker unavailable; %s%r was not queued", task.name, args)
        return False
    return True
