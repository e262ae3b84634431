"""Two writers at the same moment (STYLE: "test request → decision flows with two concurrent
writers on PostgreSQL").

Each call runs in its own thread with its own database connection, opened before a barrier
so that connecting costs neither writer its place: both are released together and submit at
the same moment. A decision flow is race-free when *every* repetition ends in the correct
state, so each scenario runs REPEATS times and reports what it saw in each run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

REPEATS = 20
TIMEOUT_SECONDS = 60


def concurrent(test):
    """Mark a test of concurrent writers: PostgreSQL only (skipped on SQLite, whose writers
    queue for one file lock), in real transactions that other connections see."""
    return pytest.mark.postgres(pytest.mark.django_db(transaction=True)(test))


@dataclass(frozen=True)
class Outcome:
    """What one writer got back: a value, or the exception it raised."""

    value: Any = None
    error: BaseException | None = None

    @property
    def succeeded(self) -> bool:
        return self.error is None

    @property
    def kind(self) -> str:
        """One of "ok", "refused" (a ValidationError, the answer a person can act on) or the name of
        any other exception (an IntegrityError is a 500 for the person, not an answer)."""
        if self.error is None:
            return "ok"
        if isinstance(self.error, ValidationError):
            return "refused"
        return type(self.error).__name__

    @property
    def messages(self) -> list[str]:
        if isinstance(self.error, ValidationError):
            return self.error.messages
        return []


def at_once(*calls: Callable[[], Any]) -> list[Outcome]:
    """Run `calls` in parallel threads released by one barrier; their outcomes, in order."""
    barrier = threading.Barrier(len(calls), timeout=TIMEOUT_SECONDS)
    outcomes: list[Outcome | None] = [None] * len(calls)

    def writer(index: int, call: Callable[[], Any]) -> None:
        try:
            connection.ensure_connection()
            barrier.wait()
            outcomes[index] = Outcome(value=call())
        except BaseException as error:  # the outcome is what the test checks
            outcomes[index] = Outcome(error=error)
        finally:
            connection.close()  # a thread's connection is its own: close it, or flush waits

    threads = [
        threading.Thread(target=writer, args=(index, call), name=f"writer-{index}")
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT_SECONDS)
    stuck = [thread.name for thread in threads if thread.is_alive()]
    assert not stuck, f"{stuck} still running after {TIMEOUT_SECONDS} s (a lock never released?)"
    return outcomes  # type: ignore[return-value]


def kinds(outcomes: list[Outcome]) -> list[str]:
    """The outcomes' kinds, sorted, so one run reads ["ok", "refused"] whoever won."""
    return sorted(outcome.kind for outcome in outcomes)


def assert_every_run(seen: list, expected: list) -> None:
    """Every repetition ended as expected; else say which runs did not, and what they saw."""
    wrong = [
        (run, got, want)
        for run, (got, want) in enumerate(zip(seen, expected, strict=True))
        if got != want
    ]
    assert not wrong, f"{len(wrong)} of {len(seen)} runs ended wrong:\n" + "\n".join(
        f"  run {run}: saw {got}, expected {want}" for run, got, want in wrong
    )
