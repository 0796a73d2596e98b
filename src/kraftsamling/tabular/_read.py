"""Reading the files people actually have: Swedish Excel CSV, TSV, XLSX, JSON and JSONL.

Every file is checked against :class:`ReadLimits` while it is read (size, rows, columns,
cell and header length, decompressed XLSX size, JSON nesting) and refused whole, in Swedish,
when it is not a text table: binary content, NUL bytes, a UTF-8 file with a broken byte, an
unclosed quote. Nothing is ever guessed silently.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

__all__ = [
    "DEFAULT_LIMITS",
    "FileFormat",
    "ReadError",
    "ReadLimits",
    "TableFile",
    "detect_encoding",
    "iter_rows",
    "parse_jsonl_line",
    "read_table",
]

FileFormat = Literal["csv", "tsv", "xlsx", "json", "jsonl"]
SUFFIX_FORMATS: dict[str, FileFormat] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "xlsx",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (med BOM)", "utf-16": "UTF-16",
                  "cp1252": "Windows-1252 (Excel på svenska)", "xlsx": "Excel"}
# File signatures of things people rename by mistake: refused by name, not as "bad CSV".
MAGIC = (
    (b"\x89PNG", "en PNG-bild"),
    (b"\xff\xd8\xff", "en JPEG-bild"),
    (b"GIF8", "en GIF-bild"),
    (b"%PDF", "en PDF-fil"),
    (b"PK\x03\x04", "ett zip-arkiv (kanske en Excel-fil: döp den till .xlsx)"),
    (b"\xd0\xcf\x11\xe0", "en äldre Office-fil (.xls/.doc): spara den som .xlsx eller .csv"),
    (b"\x1f\x8b", "en gzip-komprimerad fil"),
)
# C0 controls other than tab, newline, vertical tab, form feed and carriage return, and DEL.
CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}"
                            rb"|[\xf0-\xf4][\x80-\xbf]{3}")


@dataclass(frozen=True, kw_only=True)
class ReadLimits:
    """What one file may hold; beyond any of these it is refused whole, before it is stored.

    The defaults fit every table the toolkit's modules import (a 1,000,000-row register, a
    chat export with long messages) while bounding memory and time on hostile files.
    """

    max_bytes: int = 200 * 1024 * 1024
    max_rows: int = 1_000_000
    max_columns: int = 500
    max_cell_chars: int = 100_000
    max_header_chars: int = 200
    max_xlsx_uncompressed_bytes: int = 300 * 1024 * 1024
    max_xlsx_entries: int = 10_000
    max_json_depth: int = 2  # a list of objects whose values are text, numbers or null


DEFAULT_LIMITS = ReadLimits()
# The csv module's own limit (128 KiB) would raise a bare csv.Error: ours is checked instead.
csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))


class ReadError(ValueError):
    """The file cannot be read as a table; the message says why, in Swedish."""


@dataclass(frozen=True)
class TableFile:
    """A file read as strings, with what was detected about it.

    ``first_row`` is the number a person sees for the first data row: 2 in a CSV or
    spreadsheet (row 1 is the header), 1 for the first line of JSONL or object of JSON.
    """

    frame: pd.DataFrame
    format: FileFormat
    encoding: str
    delimiter: str | None
    first_row: int

    def row_label(self, index: int) -> int:
        return index + self.first_row

    @property
    def encoding_name(self) -> str:
        """How the bytes were decoded, as a person reads it."""
        return ENCODING_NAMES.get(self.encoding, self.encoding)


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def parse_jsonl_line(line: str, number: int, name: str, *,
                     limits: ReadLimits = DEFAULT_LIMITS) -> dict[str, Any]:
    """One JSON object from line ``number`` of the file ``name``, or a Swedish ReadError."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        raise ReadError(f"Rad {number} i '{name}' är inte giltig JSON.") from None
    except RecursionError:
        raise ReadError(f"Rad {number} i '{name}' är för djupt nästlad JSON.") from None
    if not isinstance(record, dict):
        raise ReadError(f"Rad {number} i '{name}' är inte ett JSON-objekt.")
    _check_json_values(record, f"Rad {number} i '{name}'", limits)
    return record


def _check_json_values(record: dict[str, Any], where: str, limits: ReadLimits) -> None:
    if limits.max_json_depth > 2:
        return
    for key, value in record.items():
        if isinstance(value, dict | list):
            raise ReadError(f"{where}, fältet '{_short(str(key))}': värdet är en lista eller ett "
                            "objekt (nästlad JSON). Varje värde måste vara text, ett tal eller "
                            "null.")


def _short(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[:length] + "…"


def detect_encoding(raw: bytes) -> str:
    """UTF-8 (with or without BOM) when the bytes decode as it, otherwise cp1252.

    cp1252 is what Swedish Windows Excel writes for "CSV (semikolonavgränsad)". Bytes that
    are neither are refused by :func:`decode_text`, never read as Latin-1.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start >= len(raw) - 3 and error.reason == "unexpected end of data":
            return "utf-8"  # a sample cut inside a character
        return "cp1252"
    return "utf-8"


def _line_of(raw: bytes, position: int) -> int:
    return raw.count(b"\n", 0, position) + 1


def _mostly_utf8(raw: bytes) -> bool:
    """More well-formed UTF-8 characters than bytes that break UTF-8: a UTF-8 file with a
    bad byte, not a Windows-1252 file (whose å, ä, ö almost never pair up as UTF-8)."""
    valid = len(UTF8_MULTIBYTE.findall(raw))
    return valid > 0 and valid >= raw.decode("utf-8", errors="replace").count("\ufffd")


def decode_text(raw: bytes, name: str) -> tuple[str, str]:
    """The text of a file and the encoding it was read in, or a Swedish ReadError.

    UTF-8 when it decodes as UTF-8; Windows-1252 when it is not UTF-8 at all (a Swedish
    Excel CSV). A file that is UTF-8 except for a few bytes is refused with the line of the
    first bad byte: decoding it all as Windows-1252 would turn every å, ä and ö into two
    wrong letters without a word. Binary files, NUL bytes and control characters are refused.
    """
    for signature, kind in MAGIC:
        if raw.startswith(signature):
            raise ReadError(f"'{name}' är {kind}, inte en tabell i textformat.")
    encoding = detect_encoding(raw)
    if encoding == "utf-8" or (encoding == "cp1252" and _mostly_utf8(raw)):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ReadError(
                f"'{name}' är sparad som UTF-8 men rad {_line_of(raw, error.start)} innehåller "
                f"en byte (0x{raw[error.start]:02X}) som inte är giltig UTF-8. Spara filen som "
                "UTF-8 igen (till exempel i Excel: CSV UTF-8).") from None
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise ReadError(f"'{name}' kunde inte avkodas som text (varken UTF-8 eller "
                        f"Windows-1252: byte 0x{raw[error.start]:02X} på rad "
                        f"{_line_of(raw, error.start)}). Är det en binär fil?") from None
    _check_controls(text, name)
    return text, encoding


def _check_controls(text: str, name: str, row: int | None = None) -> None:
    found = CONTROL.search(text)
    if found is None:
        return
    line = row if row is not None else text.count("\n", 0, found.start()) + 1
    if found.group() == "\x00":
        raise ReadError(f"'{name}' innehåller ett NUL-tecken (byte 0x00) på rad {line}. En "
                        "tabell i textformat har inga sådana: är det en binär fil, eller "
                        "sparad som UTF-16 utan BOM?")
    raise ReadError(f"'{name}' innehåller ett styrtecken (0x{ord(found.group()):02X}) på rad "
                    f"{line}. Är det en binär fil?")


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text[:64 * 1024].splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        header = text.split("\n", 1)[0]
        counts = {d: header.count(d) for d in (";", ",", "\t")}
        return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _check_header(names: list[str], name: str = "", limits: ReadLimits = DEFAULT_LIMITS
                  ) -> list[str]:
    """Stripped column names; a repeated, overlong or surplus header is refused by name.

    pandas would rename a repeated column to 'a.1'; a person should hear about it instead.
    """
    cleaned = [str(n).strip() for n in names]
    while cleaned and cleaned[-1] == "":
        cleaned.pop()  # Excel's trailing delimiters
    if len(cleaned) > limits.max_columns:
        raise ReadError(f"'{name}' har {_number(len(cleaned))} kolumner; högst "
                        f"{_number(limits.max_columns)} tillåts.")
    seen: set[str] = set()
    for position, column in enumerate(cleaned, start=1):
        if len(column) > limits.max_header_chars:
            raise ReadError(f"Kolumnnamn nummer {position} i '{name}' är "
                            f"{_number(len(column))} tecken långt; högst "
                            f"{limits.max_header_chars} tillåts. Är första raden en rubrikrad?")
        if column in seen:
            raise ReadError(f"Kolumnnamnet '{column}' förekommer mer än en gång.")
        seen.add(column)
    return cleaned


def _check_cell(value: str, row: int, column: str, name: str, limits: ReadLimits) -> None:
    if len(value) > limits.max_cell_chars:
        raise ReadError(f"Rad {row}, kolumn '{_short(column)}' i '{name}' har "
                        f"{_number(len(value))} tecken; en cell får ha högst "
                        f"{_number(limits.max_cell_chars)}.")


def _check_rows(count: int, name: str, limits: ReadLimits) -> None:
    if count > limits.max_rows:
        raise ReadError(f"'{name}' har fler än {_number(limits.max_rows)} rader; dela upp "
                        "filen.")


def _table_rows(rows: Iterable[tuple[int, list[str]]], header: list[str], name: str,
                limits: ReadLimits, first_row: int = 2) -> Iterator[dict[str, str]]:
    """Rows as records, each checked: no surplus fields, no overlong cell, not too many."""
    width = len(header)
    count = 0
    for line, values in rows:
        if not values or (len(values) == 1 and values[0] == "" and width > 1):
            continue  # a blank line
        count += 1
        _check_rows(count, name, limits)
        label = count + first_row - 1
        if len(values) > width:
            surplus = surplus_fields_error(values, width, label, line, name)
            if surplus is not None:
                raise surplus
            values = values[:width]
        for column, value in zip(header, values, strict=False):
            _check_cell(value, label, column, name, limits)
        record = dict(zip(header, values, strict=False))
        for column in header[len(values):]:
            record[column] = ""
        yield record


def _csv_rows(handle: Iterable[str], delimiter: str, name: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, fields): strict, so an unclosed quote is an error."""
    reader = csv.reader(handle, delimiter=delimiter, strict=True)
    start = 1
    record = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            label = record + 1
            where = f"Rad {label}" + (f" (rad {start} i filen)" if start != label else "")
            if "end of data" in str(error) or "new-line character" in str(error):
                raise ReadError(f"{where} i '{name}' har ett citattecken (\") som aldrig "
                                "stängs: resten av filen skulle ha lästs som en enda cell. "
                                "Rätta citattecknet; ingenting lästes in.") from None
            raise ReadError(f"{where} i '{name}' kunde inte tolkas: ett citattecken (\") står "
                            "fel i en cell. Citattecken inne i en cell skrivs dubbelt (\"\")."
                            ) from None
        except UnicodeDecodeError:
            raise ReadError(f"'{name}' innehåller efter rad {start} en byte som inte kan "
                            "avkodas i filens teckenkodning. Spara filen som UTF-8 igen."
                            ) from None
        if values:
            record += 1
        yield start, values
        start = reader.line_num + 1


def _frame(header: list[str], records: Iterable[dict[str, str]]) -> pd.DataFrame:
    rows = [[r[c] for c in header] for r in records]
    return pd.DataFrame(rows, columns=header, dtype=object) if rows else \
        pd.DataFrame({c: pd.Series([], dtype=object) for c in header})


def _drop_unnamed_empty(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    if "" not in frame.columns:
        return frame
    if (frame[""].astype(str).str.strip() != "").any():
        raise ReadError(f"En kolumn i '{name}' har värden men inget namn i rubrikraden.")
    return frame.drop(columns=[""])


def check_xlsx(raw: bytes, name: str, limits: ReadLimits = DEFAULT_LIMITS) -> None:
    """Refuse a zip bomb before openpyxl inflates it: the archive's declared sizes, summed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise ReadError(f"'{name}' kunde inte läsas som Excel-fil (.xlsx): filen är inte "
                        "en giltig xlsx (zip) fil.") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > limits.max_xlsx_entries:
            raise ReadError(f"'{name}' innehåller {_number(len(entries))} delar; en Excel-fil "
                            f"får ha högst {_number(limits.max_xlsx_entries)}.")
        total = sum(entry.file_size for entry in entries)
        if total > limits.max_xlsx_uncompressed_bytes:
            mib = limits.max_xlsx_uncompressed_bytes // (1024 * 1024)
            raise ReadError(f"'{name}' packas upp till {_number(total // (1024 * 1024))} MB; "
                            f"högst {mib} MB tillåts. Spara den som CSV eller dela upp den.")


def _read_xlsx(raw: bytes, name: str, limits: ReadLimits
               ) -> tuple[list[str], Iterator[dict[str, str]]]:
    import openpyxl

    check_xlsx(raw, name, limits)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        sheet = workbook.active
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise ReadError(f"'{name}' kunde inte läsas som Excel-fil (.xlsx): "
                        f"{type(error).__name__}.") from None
    if sheet is None:
        raise ReadError(f"'{name}' har inget kalkylblad.")
    try:
        values = sheet.iter_rows(values_only=True)
        first = next(values, None)
    except Exception as error:  # a broken sheet inside a valid zip
        workbook.close()
        raise ReadError(f"'{name}' kunde inte läsas som Excel-fil (.xlsx): "
                        f"{type(error).__name__}.") from None
    if first is None:
        workbook.close()
        raise ReadError(f"Filen '{name}' är tom.")
    header_cells = [("" if v is None else str(v)) for v in first[:limits.max_columns + 1]]
    header = _check_header(header_cells, name, limits)
    width = len(header)

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, cells in enumerate(values, start=2):
                row = ["" if v is None else str(v) for v in cells[:width + 1]]
                if len(cells) > width and any(v is not None and str(v).strip()
                                              for v in cells[width:]):
                    row.append("x")  # a value beyond the header: refused by _table_rows
                for value in row:
                    if CONTROL.search(value):
                        _check_controls(value, name, number)
                yield number, row
        except ReadError:
            raise
        except Exception as error:
            raise ReadError(f"'{name}' kunde inte läsas som Excel-fil (.xlsx): "
                            f"{type(error).__name__}.") from None
        finally:
            workbook.close()

    return header, _table_rows(rows(), header, name, limits)


ROWS_PER_REPORT = 10_000


def _counted(records: Iterable[dict[str, str]], on_rows: Callable[[int], None] | None
             ) -> Iterator[dict[str, str]]:
    """The records, telling ``on_rows`` how many were read every ``ROWS_PER_REPORT``."""
    count = 0
    for count, record in enumerate(records, start=1):
        if on_rows is not None and count % ROWS_PER_REPORT == 0:
            on_rows(count)
        yield record
    if on_rows is not None:
        on_rows(count)


def read_table(source: str | Path, *, content: bytes | None = None,
               limits: ReadLimits = DEFAULT_LIMITS,
               on_rows: Callable[[int], None] | None = None) -> TableFile:
    """Read a table file into strings (types are the schema's job).

    ``content`` lets the web app pass uploaded bytes with the original file name; nothing is
    written to disk. Any problem raises :class:`ReadError` with a Swedish message.
    ``on_rows`` hears how many rows were read so far (a job's progress).
    """
    name = Path(source).name
    fmt = SUFFIX_FORMATS.get(Path(name).suffix.lower())
    if fmt is None:
        allowed = ", ".join(sorted(set(SUFFIX_FORMATS)))
        raise ReadError(f"Filtypen för '{name}' känns inte igen. Tillåtna filändelser: {allowed}.")
    try:
        if content is None and Path(source).stat().st_size > limits.max_bytes:
            raise ReadError(f"'{name}' är större än {limits.max_bytes // (1024 * 1024)} MB.")
        raw = content if content is not None else Path(source).read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise ReadError(f"Filen '{source}' finns inte.") from None
    if len(raw) > limits.max_bytes:
        raise ReadError(f"'{name}' är större än {limits.max_bytes // (1024 * 1024)} MB.")
    if not raw.strip():
        raise ReadError(f"Filen '{name}' är tom.")

    if fmt == "xlsx":
        header, records = _read_xlsx(raw, name, limits)
        frame = _drop_unnamed_empty(_frame(header, _counted(records, on_rows)), name)
        return TableFile(frame, fmt, "xlsx", None, 2)

    text, encoding = decode_text(raw, name)
    if fmt == "json":
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as error:
            raise ReadError(f"'{name}' är inte giltig JSON (rad {error.lineno}).") from None
        except RecursionError:
            raise ReadError(f"'{name}' är för djupt nästlad JSON; en tabell är en lista med "
                            "objekt.") from None
        frame = _records_frame(parsed, "JSON-filen", name, limits)
        if on_rows is not None:
            on_rows(len(frame))
        return TableFile(frame, fmt, encoding, None, 1)
    if fmt == "jsonl":
        lines = [(number, line) for number, line in enumerate(text.splitlines(), start=1)
                 if line.strip()]
        _check_rows(len(lines), name, limits)
        rows = [parse_jsonl_line(line, number, name, limits=limits) for number, line in lines]
        frame = _records_frame(rows, "Varje rad", name, limits)
        if on_rows is not None:
            on_rows(len(frame))
        return TableFile(frame, fmt, encoding, None, 1)

    delimiter = "\t" if fmt == "tsv" else _sniff_delimiter(text)
    handle = io.StringIO(text, newline="")
    lines_read = _csv_rows(handle, delimiter, name)
    first = next(lines_read, None)
    if first is None:
        raise ReadError(f"Filen '{name}' är tom.")
    header = _check_header(first[1], name, limits)
    frame = _frame(header, _counted(_table_rows(lines_read, header, name, limits), on_rows))
    return TableFile(_drop_unnamed_empty(frame, name), fmt, encoding, delimiter, 2)


def _records_frame(records: object, what: str, name: str, limits: ReadLimits) -> pd.DataFrame:
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ReadError(f"{what} måste vara en lista med objekt ({{\"kolumn\": värde}}).")
    _check_rows(len(records), name, limits)
    columns: dict[str, None] = {}
    for number, record in enumerate(records, start=1):
        _check_json_values(record, f"Objekt {number} i '{name}'", limits)
        for key in record:
            columns.setdefault(str(key), None)
    header = _check_header(list(columns), name, limits)
    if len(header) != len(columns):
        raise ReadError(f"Ett fält i '{name}' har ett tomt namn.")
    rows = []
    for number, record in enumerate(records, start=1):
        row = {str(k): "" if v is None else str(v) for k, v in record.items()}
        for column, value in row.items():
            _check_cell(value, number, column, name, limits)
            if CONTROL.search(value):
                _check_controls(value, name, number)
        rows.append(row)
    frame = pd.DataFrame.from_records(rows, columns=header)
    return frame.astype(object).where(frame.notna(), "").astype(str)


def iter_rows(source: str | Path, *, chunk_size: int = 1000,
              limits: ReadLimits = DEFAULT_LIMITS) -> Iterator[list[dict[str, str]]]:
    """Rows of a large file in chunks, as strings, never the whole file in memory.

    The same checks as :func:`read_table`, row by row: an unclosed quote, a row with more
    fields than the header or an overlong cell stops the file with the row named — never a
    row silently merged into another. Only the row limit is not applied (files here are
    streamed).
    """
    path = Path(source)
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        allowed = ", ".join(sorted(set(SUFFIX_FORMATS)))
        raise ReadError(f"Filtypen för '{path.name}' känns inte igen. Tillåtna filändelser: "
                        f"{allowed}.")
    if not path.is_file():
        raise ReadError(f"Filen '{source}' finns inte.")
    streaming = ReadLimits(**{**limits.__dict__, "max_rows": 10**12,
                              "max_bytes": 10**15})
    if fmt in {"xlsx", "json"}:
        table = read_table(path, limits=streaming)
        records = table.frame.to_dict(orient="records")
        for i in range(0, len(records), chunk_size):
            yield [{str(k): str(v) for k, v in r.items()} for r in records[i:i + chunk_size]]
        return
    with path.open("rb") as raw:
        head = raw.read(64 * 1024)
    if not head.strip():
        raise ReadError(f"Filen '{path.name}' är tom.")
    encoding = detect_encoding(head)
    if encoding != "utf-16":  # the sample ends at a line break, never inside a character
        cut = head.rfind(b"\n") + 1 if len(head) == 64 * 1024 and b"\n" in head else len(head)
        decode_text(head[:cut], path.name)
    if fmt == "jsonl":
        chunk: list[dict[str, str]] = []
        with path.open(encoding=encoding, errors="strict") as handle:
            try:
                for number, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    _check_controls(line, path.name, number)
                    record = parse_jsonl_line(line, number, path.name, limits=streaming)
                    row = {str(k): "" if v is None else str(v) for k, v in record.items()}
                    for column, value in row.items():
                        _check_cell(value, number, column, path.name, streaming)
                    chunk.append(row)
                    if len(chunk) >= chunk_size:
                        yield chunk
                        chunk = []
            except UnicodeDecodeError:
                raise ReadError(f"'{path.name}' innehåller en byte som inte kan avkodas i "
                                "filens teckenkodning. Spara filen som UTF-8 igen.") from None
        if chunk:
            yield chunk
        return
    with path.open(encoding=encoding, newline="", errors="strict") as handle:
        sample = handle.read(64 * 1024)
        delimiter = "\t" if fmt == "tsv" else _sniff_delimiter(sample)
        handle.seek(0)
        lines_read = _csv_rows(_checked_lines(handle, path.name), delimiter, path.name)
        first = next(lines_read, None)
        if first is None:
            raise ReadError(f"Filen '{path.name}' är tom.")
        header = _check_header(first[1], path.name, streaming)
        chunk = []
        for record in _table_rows(lines_read, header, path.name, streaming):
            chunk.append(record)
            if len(chunk) >= chunk_size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def strict_csv_rows(lines: Iterable[str], delimiter: str, name: str
                    ) -> Iterator[tuple[int, list[str]]]:
    """The shared strict CSV reader over text lines, for callers that stream a file
    themselves (``privacy redact``): (line where the record starts, fields). A NUL or
    control character, an unclosed or stray quote, an undecodable byte: a ``ReadError``
    in Swedish naming the row, never a silently merged or truncated record."""
    return _csv_rows(_checked_lines(lines, name), delimiter, name)


def surplus_fields_error(values: list[str], width: int, label: int, line: int, name: str
                         ) -> ReadError | None:
    """The error for a row with more non-empty fields than the header has columns."""
    if len(values) <= width or not any(v.strip() for v in values[width:]):
        return None
    where = f"rad {label}" + (f" (rad {line} i filen)" if line != label else "")
    return ReadError(f"'{name}': {where} har {len(values)} fält men rubrikraden "
                     f"har {width}. Kontrollera avgränsare och citattecken.")


def _checked_lines(handle: Iterable[str], name: str) -> Iterator[str]:
    """The lines of a text handle, each checked for NUL and control characters as read."""
    for number, line in enumerate(handle, start=1):
        if CONTROL.search(line):
            _check_controls(line, name, number)
        yield line
