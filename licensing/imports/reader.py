"""L6: reading a CSV file: UTF-8 decoding, the delimiter, the header (which format, which
column gives which value) and the rows with their line numbers."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from licensing.imports.columns import FIELDS, MAX_COLUMNS, REQUIRED, Format, header_key
from licensing.imports.context import ImportContext

DELIMITERS = (",", ";", "\t")


class _Binary(io.RawIOBase):
    """Any object with read(n) (an upload, a stored file) as a stream TextIOWrapper can
    decode, without closing the object when the wrapper goes."""

    def __init__(self, source) -> None:
        self._source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._source.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _text(source) -> io.TextIOWrapper:
    # utf-8-sig drops a byte-order mark; newline="" hands "\r\n" to csv untouched (CRLF files).
    raw = io.BufferedReader(_Binary(source), buffer_size=1 << 16)
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def _not_utf8(line: int) -> ValidationError:
    return ValidationError(
        _("The file is not UTF-8 text (near line %(line)s). Save it as “CSV UTF-8” and try again.")
        % {"line": line}
    )


def csv_reason(error: csv.Error) -> str:
    """Why the csv module stopped, in words a user can act on."""
    if "field limit" in str(error):
        return _("a value is longer than %(max)s characters") % {
            "max": f"{csv.field_size_limit():,}"
        }
    return str(error)


@dataclass(frozen=True)
class Header:
    """What a file's header row says: kept by the check so that writing the file it checked
    reads the header row again, but not the names in it."""

    line: str  # the header row as read, to tell that the file is the one checked
    delimiter: str
    names: list[str]
    format: str
    columns: dict[str, tuple[int, str]]  # each value's column index and name as written
    ignored: list[str]  # the columns not imported


def read_header(line: str, context: ImportContext) -> Header:
    """L6: the header row: its delimiter and format, and which column gives which value.
    Linear in the number of columns, which is capped before any name is looked at."""
    if not line.strip():
        raise ValidationError(_("The file is empty, or its first line is blank."))
    delimiter = max(DELIMITERS, key=line.count)
    try:
        names = next(csv.reader([line], delimiter=delimiter))
    except csv.Error as error:
        raise ValidationError(
            _("The header row (line 1) is not valid CSV: %(reason)s.")
            % {"reason": csv_reason(error)}
        ) from error
    if len(names) > MAX_COLUMNS:
        raise ValidationError(
            _(
                "The file has %(count)s columns; at most %(max)s are read. Remove the columns "
                "this import does not use and try again."
            )
            % {"count": f"{len(names):,}", "max": f"{MAX_COLUMNS:,}"}
        )
    keys = [header_key(name) for name in names]
    counts = Counter(keys)
    duplicated = sorted(key for key, count in counts.items() if key and count > 1)
    if duplicated:
        raise ValidationError(
            _("The header names a column twice: %(columns)s.") % {"columns": ", ".join(duplicated)}
        )
    positions = {key: index for index, key in enumerate(keys)}  # names are unique here
    file_format = _format(positions, context)
    columns = _columns(names, positions, file_format, context)
    used = {index for index, _name in columns.values()}
    ignored = [name.strip() for index, name in enumerate(names) if index not in used]
    return Header(
        line=line,
        delimiter=delimiter,
        names=names,
        format=file_format,
        columns=columns,
        ignored=[name for name in ignored if name],
    )


def _format(positions: dict[str, int], context: ImportContext) -> str:
    detected = ""
    if "part_number" in positions:
        detected = Format.NATIVE
    elif "item_name" in positions or ("name" in positions and "seats" in positions):
        detected = Format.SNIPEIT
    wanted = context.file_format or detected
    if not wanted:
        raise ValidationError(
            _(
                "The header row is not one this import reads: it needs a part_number "
                "column (Entitle columns) or an Item name column (a Snipe-IT licence "
                "export)."
            )
        )
    return wanted


def _columns(
    names: list[str], positions: dict[str, int], file_format: str, context: ImportContext
) -> dict[str, tuple[int, str]]:
    """Each value's column index and name as written."""
    found: dict[str, tuple[int, str]] = {}
    for name, candidates in FIELDS[file_format].items():
        for candidate in candidates:
            index = positions.get(candidate)
            if index is not None:
                found[name] = (index, names[index].strip())
                break
    missing = [FIELDS[file_format][name][0] for name in REQUIRED[file_format] if name not in found]
    if missing:
        raise ValidationError(
            _("The file has no %(columns)s column (%(format)s).")
            % {"columns": ", ".join(missing), "format": Format(file_format).label}
        )
    if context.default_site is None:
        if file_format == Format.SNIPEIT:
            raise ValidationError(
                _("Choose the site these licences belong to: Snipe-IT exports have no site number.")
            )
        if "site" not in found:
            raise ValidationError(
                _("The file has no site_number column: add it, or choose a site.")
            )
    return found


class Reader:
    """Reads the header, decides the format, then yields each row's line number and cells.
    With `header` (what checking the same file read), the header row is compared with it
    rather than read again."""

    def __init__(
        self, source, context: ImportContext, max_rows: int | None, header: Header | None = None
    ) -> None:
        self.context = context
        self.max_rows = max_rows
        self.text = _text(source)
        try:
            line = self.text.readline()
        except UnicodeDecodeError as error:
            raise _not_utf8(1) from error
        if header is None:
            header = read_header(line, context)
        elif line != header.line:
            raise ValidationError(
                _("The file changed while it was imported; nothing was imported.")
            )
        self.layout = header
        self.delimiter = header.delimiter
        self.header = header.names
        self.format = header.format
        self.columns, self.ignored = header.columns, header.ignored
        self.malformed = ""

    def rows(self) -> Iterator[tuple[int, list[str] | None]]:
        """(line number, cells) for each non-blank row; line numbers count physical lines,
        so a quoted value spanning lines is reported at its first line. Malformed CSV ends
        the rows with (line, None), the reason in `malformed`: past it the csv module cannot
        tell where rows start."""
        reader = csv.reader(self.text, delimiter=self.delimiter, strict=True)
        header_line = 1
        count = 0
        previous_end = header_line
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as error:
                raise _not_utf8(previous_end + 1) from error
            except csv.Error as error:
                self.malformed = csv_reason(error)
                yield previous_end + 1, None
                return
            line = previous_end + 1
            previous_end = header_line + reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            count += 1
            if self.max_rows is not None and count > self.max_rows:
                raise ValidationError(
                    _(
                        "The file has more than %(max)s rows. Split it into smaller files, or "
                        "ask vendor staff to import it with the import command."
                    )
                    % {"max": f"{self.max_rows:,}"}
                )
            yield line, cells

    def column_name(self, name: str) -> str:
        """The column giving a value, as the file's header writes it."""
        found = self.columns.get(name)
        return found[1] if found else ""

    def close(self) -> None:
        self.text.detach()
