"""Redacting files row by row: .txt, .jsonl and .csv, every other field kept unchanged.

Streams, so a file larger than memory is fine; ``progress`` gets the bytes read so far.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from kraftsamling.privacy._pseudonymize import Pseudonymizer
from kraftsamling.tabular import (
    ReadError,
    detect_encoding,
    parse_jsonl_line,
    strict_csv_rows,
    surplus_fields_error,
)

__all__ = ["REDACTABLE_SUFFIXES", "RedactionStats", "redact_file"]

REDACTABLE_SUFFIXES = (".txt", ".jsonl", ".csv")
SNIFF_BYTES = 64 * 1024


@dataclass
class RedactionStats:
    """What was done, in counts only: safe to print or log."""

    rows: int = 0
    entities: Counter[str] = field(default_factory=Counter)


def _lines(handle: IO[str], encoding: str, progress: Callable[[int], None] | None
           ) -> Iterator[str]:
    for line in handle:
        if progress is not None:
            progress(len(line.encode(encoding, errors="replace")))
        yield line


def redact_file(
    source: str | Path,
    target: str | Path,
    *,
    pseudonymizer: Pseudonymizer,
    text_fields: Sequence[str] = ("text",),
    progress: Callable[[int], None] | None = None,
) -> RedactionStats:
    source, target = Path(source), Path(target)
    suffix = source.suffix.lower()
    if suffix not in REDACTABLE_SUFFIXES:
        raise ReadError(f"'{source.name}' kan inte avidentifieras: tillåtna filtyper är "
                        f"{', '.join(REDACTABLE_SUFFIXES)}.")
    if not source.is_file():
        raise ReadError(f"Filen '{source}' finns inte.")
    if source.resolve() == target.resolve():
        raise ReadError("Utfilen får inte vara samma fil som infilen.")
    with source.open("rb") as raw:
        encoding = detect_encoding(raw.read(SNIFF_BYTES))
    stats = RedactionStats()

    def redact(text: str) -> str:
        redacted, spans = pseudonymizer.redact_spans(text)
        stats.entities.update(span.entity_type for span in spans)
        return redacted

    out_encoding = "utf-8" if encoding == "utf-8-sig" and suffix != ".csv" else encoding
    with source.open(encoding=encoding, newline="") as handle, \
            target.open("w", encoding=out_encoding, newline="") as out:
        lines = _lines(handle, encoding, progress)
        if suffix == ".txt":
            for line in lines:
                body = line.rstrip("\r\n")
                out.write(redact(body) + line[len(body):])
                stats.rows += 1
        elif suffix == ".jsonl":
            _redact_jsonl(lines, out, redact, text_fields, stats, source.name)
        else:
            _redact_csv(lines, out, redact, text_fields, stats, source.name)
    return stats


def _redact_jsonl(lines: Iterator[str], out: IO[str], redact: Callable[[str], str],
                  text_fields: Sequence[str], stats: RedactionStats, name: str) -> None:
    seen_fields: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            out.write(line)
            continue
        record = parse_jsonl_line(line, number, name)
        for text_field in text_fields:
            value = record.get(text_field)
            if isinstance(value, str):
                record[text_field] = redact(value)
                seen_fields.add(text_field)
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        stats.rows += 1
    missing = [f for f in text_fields if f not in seen_fields]
    if stats.rows and missing:
        raise ReadError(f"Fältet '{missing[0]}' finns inte i '{name}' (ange --text-field).")


def _redact_csv(lines: Iterator[str], out: IO[str], redact: Callable[[str], str],
                text_fields: Sequence[str], stats: RedactionStats, name: str) -> None:
    first = next(lines, "")
    if not first.strip():
        raise ReadError(f"Filen '{name}' är tom.")
    try:
        delimiter = csv.Sniffer().sniff(first, delimiters=";,\t").delimiter
    except csv.Error:
        delimiter = ","

    def all_lines() -> Iterator[str]:
        yield first
        yield from lines

    # the shared strict reader: an unclosed quote is an error, never the rest of the file
    # merged into one cell and written out redacted as if nothing had happened
    rows = strict_csv_rows(all_lines(), delimiter, name)
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n"
                        if first.endswith("\r\n") else "\n")
    _line, header = next(rows)
    clean = [h.lstrip("\ufeff").strip() for h in header]
    missing = [f for f in text_fields if f not in clean]
    if missing:
        raise ReadError(f"Kolumnen '{missing[0]}' finns inte i '{name}'. Kolumner: "
                        f"{', '.join(clean)} (ange --text-field).")
    positions = [clean.index(f) for f in text_fields]
    writer.writerow(header)
    for line, row in rows:
        surplus = surplus_fields_error(row, len(header), stats.rows + 2, line, name)
        if surplus is not None:
            raise surplus
        for position in positions:
            if position < len(row) and row[position]:
                row[position] = redact(row[position])
        writer.writerow(row)
        stats.rows += 1
