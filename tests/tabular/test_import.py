"""Reading Swedish files and refusing bad ones whole, with row and column named."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from kraftsamling.store import Database, ImportedRow, ImportedTable
from kraftsamling.tabular import (
    PERSONS_SCHEMA,
    ColumnSpec,
    ReadError,
    TableSchema,
    ValidationFailed,
    detect_encoding,
    import_table,
    read_table,
)

HEADER = "person_id;fodelsear;kon;stadsdel;inkomst;anteckning"
ROWS = [
    "P1;1984;kvinna;Skäggetorp;12 500,50;Åsa har fått ökat stöd, mår bättre",
    "P2;1990;man;Rosengård;;Möte på Jobbtorg i höst",
]


def _write(path: Path, lines: list[str], encoding: str) -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def _count(database: Database, model: type) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_semicolon_cp1252_keeps_swedish_letters(tmp_path: Path, database: Database) -> None:
    source = _write(tmp_path / "personer.csv", [HEADER, *ROWS], "cp1252")
    assert detect_encoding(source.read_bytes()) == "cp1252"
    with database.session() as session:
        table = import_table(session, source, PERSONS_SCHEMA, actor="test", transform=None)
        rows = [row.data for row in table.rows]
    assert table.encoding == "cp1252"
    assert rows[0]["stadsdel"] == "Skäggetorp"
    assert rows[0]["anteckning"] == "Åsa har fått ökat stöd, mår bättre"
    assert rows[0]["inkomst"] == pytest.approx(12500.50)
    assert rows[1]["stadsdel"] == "Rosengård"
    assert rows[1]["inkomst"] is None
    assert rows[0]["fodelsear"] == 1984


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_utf8_with_and_without_bom(tmp_path: Path, encoding: str) -> None:
    source = _write(tmp_path / "p.csv", [HEADER.replace(";", ","),
                                         "P1,1984,kvinna,Ryd,100,Ärende öppnat"], encoding)
    table = read_table(source)
    assert table.encoding == encoding
    assert table.delimiter == ","
    assert str(table.frame.columns[0]) == "person_id"  # the BOM is not in the header
    assert table.frame.iloc[0]["anteckning"] == "Ärende öppnat"


def test_one_bad_row_rejects_the_whole_file(tmp_path: Path, database: Database) -> None:
    lines = [HEADER, *ROWS, "P3;19x0;kvinna;Berga;;", "P4;1970;man;Ryd;;"]
    source = _write(tmp_path / "personer.csv", lines, "cp1252")
    before = _count(database, ImportedRow), _count(database, ImportedTable)
    with pytest.raises(ValidationFailed) as caught, database.session() as session:
        import_table(session, source, PERSONS_SCHEMA, actor="test", transform=None)
    assert [(p.row, p.column) for p in caught.value.problems] == [(4, "fodelsear")]
    message = str(caught.value)
    assert "Rad 4, kolumn 'fodelsear': '19x0' är inte ett heltal." in message
    assert "ingenting sparades" in message
    assert (_count(database, ImportedRow), _count(database, ImportedTable)) == before


def test_every_problem_is_listed(tmp_path: Path) -> None:
    source = _write(tmp_path / "p.csv", [
        "person_id;fodelsear;kon",
        "P1;1850;kvinna",
        "P1;1990;okänd",
        ";1990;man",
    ], "utf-8")
    with pytest.raises(ValidationFailed) as caught:
        PERSONS_SCHEMA.validate(read_table(source))
    found = {(p.row, p.column): p.message for p in caught.value.problems}
    assert found[(None, "stadsdel")] == "kolumnen saknas i filen."
    assert "mindre än det minsta tillåtna (1900)" in found[(2, "fodelsear")]
    assert "inte ett tillåtet värde" in found[(3, "kon")]
    assert "unikt" in found[(3, "person_id")]
    assert found[(4, "person_id")] == "värde saknas."


def test_tsv_json_jsonl_xlsx(tmp_path: Path) -> None:
    records = [{"person_id": "P1", "fodelsear": 1984, "kon": "kvinna", "stadsdel": "Ryd"}]
    (tmp_path / "p.tsv").write_text("person_id\tfodelsear\tkon\tstadsdel\nP1\t1984\tkvinna\tRyd\n",
                                    encoding="utf-8")
    (tmp_path / "p.json").write_text(json.dumps(records), encoding="utf-8")
    (tmp_path / "p.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n",
                                      encoding="utf-8")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(records[0]))
    sheet.append(list(records[0].values()))
    workbook.save(tmp_path / "p.xlsx")
    for name in ("p.tsv", "p.json", "p.jsonl", "p.xlsx"):
        stored = PERSONS_SCHEMA.validate(read_table(tmp_path / name))
        assert stored == [{"person_id": "P1", "fodelsear": 1984, "kon": "kvinna",
                           "stadsdel": "Ryd"}], name


def test_row_numbers_follow_the_file_format(tmp_path: Path) -> None:
    (tmp_path / "p.jsonl").write_text(
        '{"person_id": "P1", "fodelsear": 1984, "kon": "kvinna", "stadsdel": "Ryd"}\n'
        '{"person_id": "P2", "fodelsear": "sent", "kon": "man", "stadsdel": "Ryd"}\n',
        encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        PERSONS_SCHEMA.validate(read_table(tmp_path / "p.jsonl"))
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "fodelsear")]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("p.pdf", b"%PDF", "Filtypen"),
        ("p.csv", b"   \n", "är tom"),
        ("p.json", b"{not json", "inte giltig JSON"),
        ("p.json", b'{"a": 1}', "lista med objekt"),
        ("p.jsonl", b'{"a": 1}\n[oops\n', "Rad 2"),
        ("p.xlsx", b"not a zip", "Excel-fil"),
        ("p.csv", b"a;a\n1;2\n", "mer än en gång"),
    ],
)
def test_unreadable_files_get_swedish_messages(name: str, content: bytes, expected: str) -> None:
    with pytest.raises(ReadError, match=expected):
        read_table(name, content=content)


def test_missing_file() -> None:
    with pytest.raises(ReadError, match="finns inte"):
        read_table("saknas.csv")


def test_schema_from_toml(tmp_path: Path) -> None:
    (tmp_path / "schema.toml").write_text(
        'name = "besok"\ndescription = "Besök"\n'
        '[[columns]]\nname = "datum"\ntype = "date"\n'
        '[[columns]]\nname = "typ"\nallowed = ["hembesök", "telefon"]\n'
        '[[columns]]\nname = "besokt"\ntype = "bool"\n',
        encoding="utf-8")
    schema = TableSchema.from_toml(tmp_path / "schema.toml")
    assert schema.columns[1] == ColumnSpec(name="typ", allowed=("hembesök", "telefon"))
    (tmp_path / "b.csv").write_text("datum;typ;besokt\n2026-03-01;hembesök;ja\n"
                                    "2026-02-30;telefon;kanske\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        schema.validate(read_table(tmp_path / "b.csv"))
    assert {(p.row, p.column) for p in caught.value.problems} == {(3, "datum"), (3, "besokt")}
    (tmp_path / "ok.csv").write_text("datum;typ;besokt\n2026-03-01;hembesök;ja\n",
                                     encoding="utf-8")
    assert schema.validate(read_table(tmp_path / "ok.csv")) == [
        {"datum": "2026-03-01", "typ": "hembesök", "besokt": True}]
