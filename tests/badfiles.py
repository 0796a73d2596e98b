"""A corpus of bad files, made by the test code (never committed binaries).

Each entry is a file a careless user or an attacker might upload: the name it is uploaded
under, its bytes, and a piece of the Swedish message that must refuse it. Used by the
web, CLI and API tests and by ``benchmarks/import_latency_bench.py``.
"""

from __future__ import annotations

import io
import json
import random
import struct
import zipfile
import zlib
from dataclasses import dataclass
from functools import cache

import openpyxl

HEADER = "person_id;fodelsear;kon;stadsdel;anteckning"
GOOD_ROW = "P1;1984;kvinna;Ryd;Mår bättre efter mötet"


@dataclass(frozen=True)
class BadFile:
    key: str
    name: str
    content: bytes
    expect: str  # a piece of the Swedish message that refuses it


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + bytes(random.Random(2).randrange(256) for _ in range(48))
                   for _ in range(16))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _inflate(xlsx: bytes, placeholder: bytes, value: bytes) -> bytes:
    """The workbook with ``placeholder`` replaced by ``value`` in its XML: a cell no
    spreadsheet program would write, as a hand-made file can hold."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info).replace(placeholder, value))
    return out.getvalue()


def zip_bomb(unpacked_mib: int = 320) -> bytes:
    """A valid .xlsx whose one sheet unpacks to ``unpacked_mib`` MiB (about 300 KB packed)."""
    base = zipfile.ZipFile(io.BytesIO(_xlsx([["person_id"], ["P1"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in base.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(info, base.read(info))
        with bomb.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats'
                        b'.org/spreadsheetml/2006/main"><sheetData>')
            block = b" " * (1024 * 1024)
            for _ in range(unpacked_mib):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


@cache
def corpus() -> tuple[BadFile, ...]:
    rng = random.Random(19)
    text = [HEADER, GOOD_ROW]
    csv_lines = "\r\n".join
    files = [
        BadFile("random-bytes", "slump.csv", bytes(rng.randrange(256) for _ in range(4096)),
                "binär fil"),
        BadFile("png-as-csv", "bild.csv", _png(), "PNG-bild"),
        BadFile("xlsx-as-csv", "tabell.csv", _xlsx([["person_id"], ["P1"]]), "zip-arkiv"),
        BadFile("one-bad-utf8-byte", "personer.csv",
                csv_lines([*text, "P2;1990;man;Berga;Åsa sa caf\xe9".encode("latin-1")
                           .decode("latin-1")]).encode("utf-8").replace(b"\xc3\xa9", b"\xe9"),
                "inte är giltig UTF-8"),
        BadFile("nul-byte", "personer.csv",
                csv_lines([*text, "P2;1990;man;Berga;före\x00efter"]).encode("utf-8"),
                "NUL-tecken"),
        BadFile("utf16-without-bom", "personer.csv",
                csv_lines(text).encode("utf-16-le"), "NUL-tecken"),
        BadFile("header-cell-128k", "personer.csv",
                ("a" * (129 * 1024) + ";b\r\n1;2\r\n").encode(), "Kolumnnamn nummer 1"),
        BadFile("cell-too-long", "personer.csv",
                csv_lines([HEADER, "P1;1984;kvinna;Ryd;" + "x" * 100_001]).encode(),
                "en cell får ha högst"),
        BadFile("too-many-columns", "personer.csv",
                (";".join(f"k{i}" for i in range(501)) + "\r\n"
                 + ";".join("1" for _ in range(501))).encode(), "kolumner; högst"),
        BadFile("too-many-rows", "personer.csv",
                ("person_id\n" + "P\n" * 1_000_001).encode(), "fler än"),
        BadFile("unclosed-quote", "personer.csv",
                csv_lines([HEADER, 'P1;1984;kvinna;Ryd;"börjar men slutar aldrig',
                           "P2;1990;man;Berga;x", "P3;1991;man;Berga;y"]).encode(),
                "aldrig"),
        BadFile("surplus-fields", "personer.csv",
                csv_lines([HEADER, "P1;1984;kvinna;Ryd;a;b;c"]).encode(), "fält men"),
        BadFile("undeclared-column", "personer.csv",
                csv_lines([HEADER + ";personnummer",
                           "P1;1984;kvinna;Ryd;hej;19121212-1212"]).encode(),
                "'personnummer'"),
        BadFile("deep-json", "personer.json", b"[" * 200_000 + b"]" * 200_000, "nästlad"),
        BadFile("nested-json-value", "personer.json",
                json.dumps([{"person_id": "P1", "anteckning": {"a": [1, 2]}}]).encode(),
                "nästlad JSON"),
        BadFile("bad-jsonl", "personer.jsonl", b'{"person_id": "P1"}\n{oops\n', "Rad 2"),
        BadFile("empty", "personer.csv", b" \r\n ", "är tom"),
        BadFile("not-a-zip-xlsx", "personer.xlsx", b"PK\x03\x04" + bytes(200), "Excel"),
        BadFile("text-as-xlsx", "personer.xlsx", csv_lines(text).encode(), "Excel"),
        BadFile("xlsx-cell-too-long", "personer.xlsx",  # beyond what Excel itself writes
                _inflate(_xlsx([HEADER.split(";"), ["P1", 1984, "kvinna", "Ryd", "PLATS"]]),
                         b"PLATS", b"x" * 2_000_000), "en cell får ha högst"),
        BadFile("xlsx-zip-bomb", "bomb.xlsx", zip_bomb(), "packas upp"),
        BadFile("unknown-suffix", "personer.pdf", b"%PDF-1.4", "Filtypen"),
    ]
    return tuple(files)
