"""L6: import batches — an upload checked and kept with its preview, imported once on
confirmation (at once, or by the worker when large) — and the command's path import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from celery import shared_task
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from accounts.models import Organisation, Site, User
from licensing.imports.checks import FileCheck, check_file
from licensing.imports.columns import MAX_ROWS, MAX_UPLOAD_BYTES
from licensing.imports.context import import_context
from licensing.imports.rows import RowError
from licensing.imports.writes import write_file
from licensing.models import ImportBatch
from licensing.selectors import import_sites_for_operator, import_sites_for_user
from portal.core.jobs import enqueue_on_commit


def _record(batch: ImportBatch, check: FileCheck) -> None:
    batch.format = check.format
    batch.state = ImportBatch.State.READY if check.is_valid else ImportBatch.State.INVALID
    batch.row_count = check.rows
    batch.order_count = len(check.orders)
    batch.entitlement_count = check.entitlement_count
    batch.error_count = check.error_count
    batch.errors = [error.as_dict() for error in check.errors]
    batch.summary = check.summary()


def _refuse(batch: ImportBatch, refusal: ValidationError) -> None:
    """A file refused as a whole on confirmation: its reasons as errors of the header row."""
    errors = [RowError(1, "", message) for message in refusal.messages]
    batch.state = ImportBatch.State.INVALID
    batch.error_count = len(errors)
    batch.errors = [error.as_dict() for error in errors]
    batch.summary = {}


def upload_refusal(upload: UploadedFile) -> str:
    """Why an upload is refused before it is read, or empty."""
    if upload.size > MAX_UPLOAD_BYTES:
        return _("The file is %(size)s MB; the limit is %(max)s MB.") % {
            "size": f"{upload.size / 1024 / 1024:.1f}",
            "max": MAX_UPLOAD_BYTES // 1024 // 1024,
        }
    return ""


@transaction.atomic
def batch_upload(
    *,
    upload: UploadedFile,
    actor: User,
    reseller: Organisation | None,
    as_of: date,
    site: Site | None = None,
    file_format: str = "",
) -> ImportBatch:
    """L6: check an uploaded CSV and keep it with its preview (READY) or its errors (INVALID).
    Raises ValidationError, keeping nothing, when the file is refused as a whole."""
    refusal = upload_refusal(upload)
    if refusal:
        raise ValidationError(refusal)
    context = import_context(
        sites=import_sites_for_user(actor), as_of=as_of, site=site, file_format=file_format
    )
    upload.seek(0)
    check = check_file(upload, context=context, max_rows=MAX_ROWS)
    upload.seek(0)
    batch = ImportBatch(
        original_name=Path(upload.name or "import.csv").name[:255],
        size=upload.size,
        site=context.default_site,
        reseller=reseller,
        created_by=actor,
    )
    _record(batch, check)
    batch.file.save(get_valid_filename(batch.original_name) or "import.csv", upload, save=False)
    batch.save()
    return batch


# Larger files are imported by the Celery worker while the page shows progress.
IMPORT_IN_WORKER_ABOVE_ROWS = 5_000


@transaction.atomic
def batch_import_or_queue(*, batch: ImportBatch, actor: User | None, now: datetime) -> str:
    """Import a previewed batch now, or queue it for the worker when it is large. Returns the
    batch's state afterwards ("imported", "queued", or "invalid" if rows went bad). The batch
    row is locked first: two confirmations at once import (or queue) it once."""
    locked = ImportBatch.objects.select_for_update(of=("self",)).get(pk=batch.pk)
    if locked.state == ImportBatch.State.QUEUED:
        raise ValidationError(_("This file is already being imported."))
    if locked.state == ImportBatch.State.READY and locked.row_count > IMPORT_IN_WORKER_ABOVE_ROWS:
        locked.state = ImportBatch.State.QUEUED
        locked.save(update_fields=["state"])
        enqueue_on_commit(import_batch_task, locked.pk, actor.pk if actor else None)
        return locked.state
    batch_confirm(batch=locked, actor=actor, now=now)
    locked.refresh_from_db(fields=["state"])
    return locked.state


@transaction.atomic
def batch_confirm(*, batch: ImportBatch, actor: User | None, now: datetime) -> bool:
    """L6: import a previewed batch, once. The batch row is locked and its state checked, so
    a second confirmation waits and is then refused. The file is checked again first (the
    catalogue or the uploader's sites may have changed since the preview): if a row is no
    longer valid, the batch records the errors and nothing is imported. True when imported.

    The sites are those the uploader may see (import_sites_for_user), as on upload: staff
    confirming a reseller's file import it within that reseller's sites."""
    batch = (
        ImportBatch.objects.select_for_update(of=("self",))
        .select_related("reseller", "site", "created_by")
        .get(pk=batch.pk)
    )
    if batch.state == ImportBatch.State.IMPORTED:
        raise ValidationError(_("This file was already imported."))
    if batch.state not in (ImportBatch.State.READY, ImportBatch.State.QUEUED):
        raise ValidationError(
            _("This file has errors, so nothing can be imported. Correct it and upload it again.")
        )
    if not batch.file or not batch.file.storage.exists(batch.file.name):
        raise ValidationError(_("The uploaded file is no longer stored. Upload it again."))
    if batch.created_by is None:
        raise ValidationError(
            _("The account that uploaded this file no longer exists. Upload it again.")
        )
    context = import_context(
        sites=import_sites_for_user(batch.created_by),
        as_of=timezone.localdate(now),
        site=batch.site,
        file_format=batch.format,
    )
    storage, name = batch.file.storage, batch.file.name
    try:
        with storage.open(name, "rb") as source:
            check = check_file(source, context=context, max_rows=None)
    except ValidationError as refusal:
        # Refused as a whole now (a file uploaded before a rule, or changed since): the batch
        # keeps the reason, shown on its preview, and nothing is imported.
        _refuse(batch, refusal)
        batch.save()
        return False
    _record(batch, check)
    if check.is_valid:
        with storage.open(name, "rb") as source:
            counts = write_file(source, context=context, check=check, batch=batch, actor=actor)
        batch.state = ImportBatch.State.IMPORTED
        batch.order_count, batch.entitlement_count = counts.orders, counts.entitlements
        batch.imported_by = actor
        batch.imported_at = now
    batch.save()
    return batch.state == ImportBatch.State.IMPORTED


@dataclass
class PathImport:
    check: FileCheck
    batch: ImportBatch | None  # None: a dry run, or a file with errors


@transaction.atomic
def path_import(
    *,
    path: Path,
    site: Site | None = None,
    file_format: str = "",
    now: datetime,
    dry_run: bool = False,
) -> PathImport:
    """L6, for the command: check a file of any size and, unless it is a dry run or has
    errors, import it as the operator (every site), in one transaction with a batch record."""
    context = import_context(
        sites=import_sites_for_operator(),
        as_of=timezone.localdate(now),
        site=site,
        file_format=file_format,
    )
    with path.open("rb") as source:
        check = check_file(source, context=context, max_rows=None)
    if dry_run or not check.is_valid:
        return PathImport(check, None)
    batch = ImportBatch(
        original_name=path.name[:255],
        size=path.stat().st_size,
        site=context.default_site,
        reseller=None,
    )
    _record(batch, check)
    batch.save()  # the orders' numbers need its id
    with path.open("rb") as source:
        counts = write_file(source, context=context, check=check, batch=batch, actor=None)
    batch.state = ImportBatch.State.IMPORTED
    batch.order_count, batch.entitlement_count = counts.orders, counts.entitlements
    batch.imported_at = now
    batch.save()
    return PathImport(check, batch)


@shared_task(name="licensing.tasks.import_batch_task")
def import_batch_task(batch_id: int, actor_id: int | None) -> None:
    """L6: import a large previewed file in the worker; the preview page polls until done.
    On an unexpected failure the batch goes back to "ready" so it can be tried again."""
    batch = ImportBatch.objects.filter(pk=batch_id, state=ImportBatch.State.QUEUED).first()
    if batch is None:
        return
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    try:
        batch_confirm(batch=batch, actor=actor, now=timezone.now())
    except Exception:
        ImportBatch.objects.filter(pk=batch_id, state=ImportBatch.State.QUEUED).update(
            state=ImportBatch.State.READY
        )
        raise
