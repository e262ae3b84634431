"""A7: attribute audit entries written by services to the person acting."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from auditlog.context import auditlog_value, set_actor


@contextlib.contextmanager
def acting_as(actor) -> Iterator[None]:
    """Record `actor` on the audit entries written inside the block.

    auditlog's own `set_actor` does not restore an outer context (the request's, set by its
    middleware) when it exits, which would leave later writes in the request unattributed;
    this wrapper reuses an outer context for the same actor and restores it otherwise.
    """
    try:
        outer = auditlog_value.get()
    except LookupError:
        outer = None
    if actor is None or (outer is not None and outer.get("actor") == actor):
        yield
        return
    try:
        with set_actor(actor):
            yield
    finally:
        if outer is not None:
            auditlog_value.set(outer)
