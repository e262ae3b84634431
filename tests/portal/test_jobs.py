"""Work queued for the worker after commit (portal.core.jobs): a broker outage is logged, never
raised, since the request that asked for the work has committed."""

from __future__ import annotations

import logging

import pytest
from django.db import transaction
from kombu.exceptions import OperationalError

from portal.core.jobs import enqueue_on_commit


class EagerApp:
    class conf:  # noqa: N801  (shaped like Celery's app.conf)
        task_always_eager = True


class BrokerDown:
    name = "licensing.tasks.example"
    app = EagerApp

    def apply_async(self, **kwargs):
        raise OperationalError("connection refused")


class Recorder:
    name = "licensing.tasks.example"
    app = EagerApp

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def apply_async(self, **kwargs):
        self.calls.append(kwargs)


@pytest.mark.django_db
def test_the_task_is_sent_once_the_transaction_commits(django_capture_on_commit_callbacks):
    task = Recorder()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue_on_commit(task, 7, None)
        assert task.calls == []  # nothing leaves before the commit

    assert task.calls == [{"args": [7, None]}]


@pytest.mark.django_db
def test_a_broker_outage_is_logged_not_raised(django_capture_on_commit_callbacks, caplog):
    with (
        caplog.at_level(logging.WARNING, logger="portal.core.jobs"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        enqueue_on_commit(BrokerDown(), 7)

    assert "broker unavailable; licensing.tasks.example(7,) was not queued" in caplog.text
