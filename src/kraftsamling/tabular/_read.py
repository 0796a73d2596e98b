"""Reading the files people actually have: Swedish Excel CSV, TSV, XLSX, JSON and JSONL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

__all__ = [
    "FileFormat",
    "ReadError",
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


def parse_jsonl_line(line: str, number: int, name: str) -> dict[str, Any]:
    """One JSON object from line ``number`` of the file ``name``, or a Swedish ReadError."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        raise ReadError(f"Rad {number} i '{name}' är inte giltig JSON.") from None
    if not isinstance(record, dict):
        raise ReadError(f"Rad {number} i '{name}' är inte ett JSON-objekt.")
    return record


def detect_encoding(raw: bytes) -> str:
    """UTF-8 (with or without BOM) when the bytes decode as it, otherwise cp1252.

    cp1252 is what Swedish Windows Excel writes for "CSV (semikolonavgränsad)".
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1"
    return "cp1252"


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        header = text.split("\n", 1)[0]
        counts = {d: header.count(d) for d in (";", ",", "\t")}
        return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _check_header(names: list[str]) -> None:
    """pandas renames a repeated column to 'a.1'; a person should hear about it instead."""
    seen: set[str] = set()
    for name in (str(n).strip() for n in names):
        if name in seen:
            raise ReadError(f"Kolumnnamnet '{name}' förekommer mer än en gång.")
        seen.add(name)


def _clean_headers(frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [str(c).strip() for c in frame.columns]
    _check_header(list(frame.columns))
    return frame


def _records_frame(records: object, what: str) -> pd.DataFrame:
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ReadError(f"{what} måste vara en lista med objekt ({{\"kolumn\": värde}}).")
    frame = pd.DataFrame.from_records(records)
    return frame.astype(object).where(frame.notna(), "").astype(str)


def read_table(source: str | Path, *, content: bytes | None = None) -> TableFile:
    """Read a table file into strings (types are the schema's job).

    ``content`` lets the web app pass uploaded bytes with the original file name.
    """
    name = Path(source).name
    fmt = SUFFIX_FORMATS.get(Path(name).suffix.lower())
    if fmt is None:
        allowed = ", ".join(sorted(set(SUFFIX_FORMATS)))
        raise ReadError(f"Filtypen för '{name}' känns inte igen. Tillåtna filändelser: {allowed}.")
    try:
        raw = content if content is not None else Path(source).read_bytes()
    except FileNotFoundError:
        raise ReadError(f"Filen '{source}' finns inte.") from None
    if not raw.strip():
        raise ReadError(f"Filen '{name}' är tom.")

    if fmt == "xlsx":
        try:
            frame = pd.read_excel(io.BytesIO(raw), dtype=str, engine="openpyxl",
                                  keep_default_na=False, header=None)
        except Exception as error:  # openpyxl raises many kinds for a broken file
            raise ReadError(f"'{name}' kunde inte läsas som Excel-fil (.xlsx): {error}") from None
        if frame.empty:
            raise ReadError(f"Filen '{name}' är tom.")
        header = [str(v) for v in frame.iloc[0]]
        _check_header(header)
        frame = frame.iloc[1:].reset_index(drop=True)
        frame.columns = header
        return TableFile(_clean_headers(frame.fillna("")), fmt, "xlsx", None, 2)

    encoding = detect_encoding(raw)
    text = raw.decode(encoding)
    if fmt == "json":
        try:
            records = json.loads(text)
        except json.JSONDecodeError as error:
            raise ReadError(f"'{name}' är inte giltig JSON (rad {error.lineno}).") from None
        return TableFile(_clean_headers(_records_frame(records, "JSON-filen")), fmt, encoding,
                         None, 1)
    if fmt == "jsonl":
        rows = [parse_jsonl_line(line, number, name)
                for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
        return TableFile(_clean_headers(_records_frame(rows, "Varje rad")), fmt, encoding, None, 1)

    delimiter = "\t" if fmt == "tsv" else _sniff_delimiter(text)
    _check_header(next(csv.reader(io.StringIO(text), delimiter=delimiter), []))
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                            skip_blank_lines=True)
    except pd.errors.ParserError as error:
        raise ReadError(f"'{name}' kunde inte tolkas som en tabell: {error}") from None
    return TableFile(_clean_headers(frame), fmt, encoding, delimiter, 2)


def iter_rows(source: str | Path, *, chunk_size: int = 1000
              ) -> Iterator[list[dict[str, str]]]:
    """Rows of a large file in chunks, as strings, never the whole file in memory."""
    path = Path(source)
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        allowed = ", ".join(sorted(set(SUFFIX_FORMATS)))
        raise ReadError(f"Filtypen för '{path.name}' känns inte igen. Tillåtna filändelser: "
                        f"{allowed}.")
    if not path.is_file():
        raise ReadError(f"Filen '{source}' finns inte.")
    if fmt == "xlsx":
        yield from _iter_xlsx(path, chunk_size)
        return
    with path.open("rb") as raw:
        encoding = detect_encoding(raw.read(64 * 1024))
    if fmt in {"json", "jsonl"}:
        if fmt == "json":
            table = read_table(path)
            records = table.frame.to_dict(orient="records")
            for i in range(0, len(records), chunk_size):
                yield [{str(k): str(v) for k, v in r.items()} for r in records[i:i + chunk_size]]
            return
        chunk: list[dict[str, str]] = []
        with path.open(encoding=encoding) as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                record = parse_jsonl_line(line, number, path.name)
                chunk.append({str(k): "" if v is None else str(v) for k, v in record.items()})
                if len(chunk) >= chunk_size:
                    yield chunk
                    chunk = []
        if chunk:
            yield chunk
        return
    with path.open(encoding=encoding, newline="") as handle:
        head = handle.read(64 * 1024)
        delimiter = "\t" if fmt == "tsv" else _sniff_delimiter(head)
        handle.seek(0)
        reader = csv.DictReader(handle, delimiter=delimiter)
        if reader.fieldnames is None:
            raise ReadError(f"Filen '{path.name}' är tom.")
        _check_header(list(reader.fieldnames))
        reader.fieldnames = [name.strip() for name in reader.fieldnames]
        chunk = []
        for row in reader:
            chunk.append({k: (v or "") for k, v in row.items() if k is not None})
            if len(chunk) >= chunk_size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def _iter_xlsx(path: Path, chunk_size: int) -> Iterator[list[dict[str, str]]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise ReadError(f"'{path.name}' kunde inte läsas som Excel-fil (.xlsx): {error}") from None
    sheet = workbook.active
    if sheet is None:
        raise ReadError(f"'{path.name}' har inget kalkylblad.")
    rows = sheet.iter_rows(values_only=True)
    header = [str(v).strip() if v is not None else "" for v in next(rows, ())]
    if not header:
        raise ReadError(f"Filen '{path.name}' är tom.")
    _check_header(header)
    chunk: list[dict[str, str]] = []
    for values in rows:
        chunk.append({h: "" if v is None else str(v) for h, v in zip(header, values, strict=False)})
        if len(chunk) >= chunk_size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
    workbook.close()
