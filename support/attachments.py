"""S1: attachment checks, on the content and not only the name.

An extension allowlist says what may be attached; the content must then be what the name
says: binary formats are recognised by their magic bytes (`filetype` from PyPI), text formats
must be text (UTF-8, no NUL bytes). A PNG named `.pdf` and an executable renamed `.txt` are refused
with the reason; executables are not on the list at all. Size: MAX_FILE_BYTES per file,
MAX_FILES per submission; the request body as a whole is capped before it is read
(portal.middleware.RequestBodyCapMiddleware, 413)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
SNIFF_BYTES = 8192

# extension -> the content type its content must have (None: a text format, no magic bytes)
ALLOWED_TYPES: dict[str, str | None] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "zip": "application/zip",
    "gz": "application/gzip",
    "txt": None,
    "log": None,
    "csv": None,
    "json": None,
    "xml": None,
}
TEXT_CONTENT_TYPES = {
    "txt": "text/plain",
    "log": "text/plain",
    "csv": "text/csv",
    "json": "application/json",
    "xml": "application/xml",
}


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, with what is stored about it."""

    upload: object  # django.core.files.uploadedfile.UploadedFile
    name: str
    content_type: str
    size: int


def _allowed_list() -> str:
    return ", ".join(f".{ext}" for ext in ALLOWED_TYPES)


def _head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return head


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sniffed bytes is still text.
        return error.start >= len(head) - 3
    return True


def attachment_check(upload) -> CheckedFile:
    """The upload as stored, or ValidationError saying why it is refused."""
    name = PurePath(str(upload.name or "")).name[:200] or "attachment"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_TYPES:
        raise ValidationError(
            _("%(name)s: files of this type cannot be attached. Allowed: %(allowed)s.")
            % {"name": name, "allowed": _allowed_list()}
        )
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError(
            _("%(name)s is %(size)s; a file may be at most %(limit)s.")
            % {
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(MAX_FILE_BYTES),
            }
        )
    if upload.size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": name})
    head = _head(upload)
    guessed = filetype.guess(head)
    expected = ALLOWED_TYPES[extension]
    if expected is None:
        if guessed is not None or not _is_text(head):
            found = guessed.mime if guessed is not None else _("binary data")
            raise ValidationError(
                _("%(name)s is named as a text file but holds %(found)s.")
                % {"name": name, "found": found}
            )
        content_type = TEXT_CONTENT_TYPES[extension]
    else:
        if guessed is None or guessed.mime != expected:
            found = guessed.mime if guessed is not None else _("something else")
            raise ValidationError(
                _("%(name)s is named .%(ext)s but its content is %(found)s, not %(expected)s.")
                % {"name": name, "ext": extension, "found": found, "expected": expected}
            )
        content_type = expected
    return CheckedFile(upload=upload, name=name, content_type=content_type, size=upload.size)


def attachments_check(uploads) -> list[CheckedFile]:
    """Every upload checked; all the reasons at once, so the user fixes them in one go."""
    uploads = [upload for upload in uploads if upload]
    if len(uploads) > MAX_FILES:
        raise ValidationError(_("Attach at most %(count)d files at a time.") % {"count": MAX_FILES})
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append(attachment_check(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return checked
