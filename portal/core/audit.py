"""A7: attribute audit entries to the person acting, and show them readably."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from auditlog.context import auditlog_value, set_extra_data
from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _


@contextlib.contextmanager
def acting_as(actor) -> Iterator[None]:
    """Record `actor` on the audit entries written inside the block.

    auditlog's `set_actor` never resets its context variable: after the block the variable
    still holds that block's context, whose signal receiver is already disconnected. Reusing
    such a context because it names the same actor (the next task in a worker thread, the
    next call in a shell or test) records entries with no actor. So every block gets its own
    live context, keeping the outer one's extra data (the request's remote address), and the
    variable is restored on exit.
    """
    if actor is None:
        yield
        return
    try:
        outer = auditlog_value.get()
    except LookupError:
        outer = {}
    extra = {key: value for key, value in outer.items() if key != "signal_duid"}
    token = auditlog_value.set(outer)
    try:
        with set_extra_data({**extra, "actor": actor}):
            yield
    finally:
        auditlog_value.reset(token)


NOT_AUDITED = frozenset({"id", "created_at"})


def audited_fields(model, *, exclude: tuple[str, ...] = ()) -> list[str]:
    """The model's own columns worth a line in the trail (no reverse relations, ids or
    creation stamps, which the entry itself carries)."""
    return [
        field.name
        for field in model._meta.concrete_fields
        if field.name not in NOT_AUDITED and field.name not in exclude
    ]


@dataclass(frozen=True)
class AuditChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class AuditRow:
    entry: LogEntry
    changes: list[AuditChange]


def _blank(value: str) -> bool:
    return value in ("", "None", "False")


def audit_rows(entries) -> list[AuditRow]:
    """Readable rows for a page of audit entries: field labels, choice labels, yes/no, and
    related objects by name. Related objects are fetched in one query per model, so the
    page's query count does not grow with its rows."""
    entries = list(entries)
    related_ids: dict[type, set[str]] = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class()
        for name, values in entry.changes_dict.items():
            field = _field(model, name)
            if field is not None and field.many_to_one:
                related_ids[field.related_model].update(v for v in values if not _blank(v))
    names = {
        model: {str(obj.pk): str(obj) for obj in model._default_manager.filter(pk__in=ids)}
        for model, ids in related_ids.items()
    }
    rows = []
    for entry in entries:
        model = entry.content_type.model_class()
        creating = entry.action == LogEntry.Action.CREATE
        changes = []
        for name, (old, new) in entry.changes_dict.items():
            field = _field(model, name)
            if field is None or (creating and _blank(new)):
                continue
            changes.append(
                AuditChange(
                    label=str(field.verbose_name),
                    old=_display(field, old, names),
                    new=_display(field, new, names),
                )
            )
        rows.append(AuditRow(entry=entry, changes=changes))
    return rows


def _field(model, name: str):
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if field.concrete and field.name not in NOT_AUDITED else None


def _display(field, value, names) -> str:
    if value is None or value in ("None", ""):
        return "—"
    if field.many_to_one:
        return names.get(field.related_model, {}).get(value, f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.get_internal_type() == "DateTimeField":
        return str(value)[:16] + " UTC"  # stored as UTC; minutes are precise enough here
    if field.get_internal_type() == "BooleanField":
        return str(_("yes")) if value == "True" else str(_("no"))
    return str(value)
