"""L6: reading a CSV file: UTF-8 decoding, the delimiter, the header (which format, which
column gives which value) and the rows with their line numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from licensing.imports.columns import FIELDS, REQUIRED, Format, header_key
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


class Reader:
    """Reads the header, decides the format, then yields each row's line number and cells."""

    def __init__(self, source, context: ImportContext, max_rows: int | None) -> None:
        self.context = context
        self.max_rows = max_rows
        self.text = _text(source)
        try:
            header_line = self.text.readline()
        except UnicodeDecodeError as error:
            raise _not_utf8(1) from error
        if not header_line.strip():
            raise ValidationError(_("The file is empty, or its first line is blank."))
        self.delimiter = max(DELIMITERS, key=header_line.count)
        self.header = next(csv.reader([header_line], delimiter=self.delimiter))
        self.format = self._format([header_key(name) for name in self.header])
        self.columns, self.ignored = self._columns()
        self.malformed = ""

    def _format(self, keys: list[str]) -> str:
        duplicated = sorted({key for key in keys if key and keys.count(key) > 1})
        if duplicated:
            raise ValidationError(
                _("The header names a column twice: %(columns)s.")
                % {"columns": ", ".join(duplicated)}
            )
        self.keys = keys
        detected = ""
        if "part_number" in keys:
            detected = Format.NATIVE
        elif "item_name" in keys or ("name" in keys and "seats" in keys):
            detected = Format.SNIPEIT
        wanted = self.context.file_format or detected
        if not wanted:
            raise ValidationError(
                _(
                    "The header row is not one this import reads: it needs a part_number "
                    "column (Entitle columns) or an Item name column (a Snipe-IT licence "
                    "export)."
                )
            )
        return wanted

    def _columns(self) -> tuple[dict[str, tuple[int, str]], list[str]]:
        """Each value's column index and name as written; the columns not imported."""
        found: dict[str, tuple[int, str]] = {}
        used: set[int] = set()
        for name, candidates in FIELDS[self.format].items():
            for candidate in candidates:
                if candidate in self.keys:
                    index = self.keys.index(candidate)
                    found[name] = (index, self.header[index].strip())
                    used.add(index)
                    break
        missing = [
            FIELDS[self.format][name][0] for name in REQUIRED[self.format] if name not in found
        ]
        if missing:
            raise ValidationError(
                _("The file has no %(columns)s column (%(format)s).")
                % {"columns": ", ".join(missing), "format": Format(self.format).label}
            )
        if self.context.default_site is None:
            if self.format == Format.SNIPEIT:
                raise ValidationError(
                    _(
                        "Choose the site these licences belong to: Snipe-IT exports have no "
                        "site number."
                    )
                )
            if "site" not in found:
                raise ValidationError(
                    _("The file has no site_number column: add it, or choose a site.")
                )
        ignored = [name.strip() for index, name in enumerate(self.header) if index not in used]
        return found, [name for name in ignored if name]

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
                self.malformed = str(error)
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
