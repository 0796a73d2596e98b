"""Headers matched as people write them; undeclared columns never stored as they stand;
limits, encodings and quotes that refuse a file instead of guessing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from kraftsamling.privacy import Pseudonymization
from kraftsamling.settings import Settings
from kraftsamling.store import AuditEvent, Database, ImportedRow, ImportedTable
from kraftsamling.tabular import (
    PERSONS_SCHEMA,
    ColumnSpec,
    ReadError,
    ReadLimits,
    TableSchema,
    ValidationFailed,
    header_key,
    import_table,
    iter_rows,
    read_table,
)

PNR = "19121212-1212"
NAME = "Fatima Svensson"


def _import(database: Database, settings: Settings, content: str,
            schema: TableSchema = PERSONS_SCHEMA) -> ImportedTable:
    with database.session() as session:
        table = import_table(session, "p.csv", schema, actor="test", content=content.encode(),
                             transform=Pseudonymization.for_settings(settings).table())
        session.expunge(table)
        return table


def _rows(database: Database) -> list[dict[str, object]]:
    with database.session() as session:
        return [r.data for r in session.scalars(select(ImportedRow).order_by(ImportedRow.id))]


def test_header_matching_ignores_case_accents_and_separators() -> None:
    assert header_key("Anteckning") == header_key("anteckning") == "anteckning"
    assert header_key("Födelseår") == header_key("fodelsear") == "fodelsear"
    assert header_key(" Person ID ") == header_key("person-id") == "person_id"
    assert header_key("Kön") == "kon"


def test_declared_columns_spelled_otherwise_are_pseudonymised(database: Database,
                                                               settings: Settings) -> None:
    _import(database, settings, "Person_ID;Födelseår;Kön;Stadsdel;Anteckning\n"
                                f"P1;1984;kvinna;Ryd;{NAME} ringde om {PNR}\n")
    [row] = _rows(database)
    assert set(row) == {"person_id", "fodelsear", "kon", "stadsdel", "anteckning"}
    assert str(row["person_id"]).startswith("ID-")
    assert row["fodelsear"] == "1980–1984"
    assert NAME not in str(row["anteckning"]) and PNR not in str(row["anteckning"])


@pytest.mark.parametrize("extra", ["personnummer", "namn", "Kommentar"])
def test_undeclared_columns_are_refused_by_name(database: Database, settings: Settings,
                                                extra: str) -> None:
    content = (f"person_id;fodelsear;kon;stadsdel;{extra}\n"
               f"P1;1984;kvinna;Ryd;{PNR if extra == 'personnummer' else NAME}\n")
    with pytest.raises(ValidationFailed) as caught:
        _import(database, settings, content)
    [problem] = caught.value.problems
    assert problem.column == extra and "finns inte i schemat 'personer'" in problem.message
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(ImportedTable)) == 0


def test_two_headers_for_one_column_are_refused() -> None:
    content = b"person_id;fodelsear;kon;stadsdel;anteckning;Anteckning\nP1;1984;man;Ryd;a;b\n"
    with pytest.raises(ValidationFailed, match="samma kolumn"):
        PERSONS_SCHEMA.validate(read_table("p.csv", content=content))


def test_a_schema_can_treat_undeclared_columns_as_free_text(database: Database,
                                                             settings: Settings) -> None:
    schema = TableSchema(name="besok", extra_columns="free_text",
                         columns=(ColumnSpec(name="id", kind="identifier"),))
    table = _import(database, settings, f"id;Kommentar\nA1;{NAME} har personnummer {PNR}\n",
                    schema)
    [row] = _rows(database)
    assert NAME not in str(row["Kommentar"]) and PNR not in str(row["Kommentar"])
    with database.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "import")).one()
    assert event.object_id == str(table.id)
    assert event.detail["pseudonymised"] == ["Kommentar", "id"]
    assert event.detail["plain"] == []


def test_ignored_columns_are_not_stored() -> None:
    schema = TableSchema(name="x", extra_columns="ignore", columns=(ColumnSpec(name="id"),))
    records = schema.validate(read_table("p.csv", content=f"id;namn\nA1;{NAME}\n".encode()))
    assert records == [{"id": "A1"}]


def test_import_audit_names_what_was_kept_as_it_stands(database: Database,
                                                       settings: Settings) -> None:
    _import(database, settings, "person_id;fodelsear;kon;stadsdel\nP1;1984;kvinna;Ryd\n")
    with database.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "import")).one()
    assert event.detail["pseudonymised"] == ["fodelsear", "person_id", "stadsdel"]
    assert event.detail["plain"] == ["kon"]
    assert event.detail["pseudonymised"] is not True


def test_schema_from_toml_reads_aliases_and_the_extra_column_rule(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text('name = "s"\nextra_columns = "free_text"\n'
                                     '[[columns]]\nname = "fodelsear"\ntype = "int"\n'
                                     'aliases = ["birth_year"]\n', encoding="utf-8")
    schema = TableSchema.from_toml(tmp_path / "s.toml")
    assert schema.extra_columns == "free_text"
    assert schema.validate(read_table("p.csv", content=b"Birth Year\n1984\n")) == [
        {"fodelsear": 1984}]


def test_an_unclosed_quote_is_refused_naming_its_row(tmp_path: Path) -> None:
    source = tmp_path / "svar.csv"
    source.write_text('id,text\n1,hej\n2,"jag mår dåligt\n3,det är bra\n4,jag vill dö\n'
                      "5,inget\n6,slut\n", encoding="utf-8")
    with pytest.raises(ReadError, match=r"Rad 3 .*citattecken"):
        read_table(source)
    with pytest.raises(ReadError, match=r"Rad 3 .*citattecken"):
        list(iter_rows(source))


def test_rows_with_surplus_fields_are_refused_not_dropped(tmp_path: Path) -> None:
    source = tmp_path / "svar.csv"
    source.write_text("id,text\n1,hej\n2,jag mår,dåligt,idag\n", encoding="utf-8")
    with pytest.raises(ReadError, match="rad 3 har 4 fält men rubrikraden har 2"):
        list(iter_rows(source))


def test_limits_refuse_in_swedish() -> None:
    limits = ReadLimits(max_rows=2, max_columns=2, max_cell_chars=5, max_header_chars=4)
    with pytest.raises(ReadError, match="fler än 2 rader"):
        read_table("p.csv", content=b"a\n1\n2\n3\n", limits=limits)
    with pytest.raises(ReadError, match="3 kolumner; högst 2"):
        read_table("p.csv", content=b"a;b;c\n1;2;3\n", limits=limits)
    with pytest.raises(ReadError, match="högst 5"):
        read_table("p.csv", content=b"a\n123456\n", limits=limits)
    with pytest.raises(ReadError, match="högst 4 tillåts"):
        read_table("p.csv", content=b"abcde\n1\n", limits=limits)
    with pytest.raises(ReadError, match="fler än 2 rader"):
        read_table("p.jsonl", content=b'{"a": 1}\n{"a": 2}\n{"a": 3}\n', limits=limits)


def test_encodings_are_never_guessed_silently() -> None:
    cp1252 = "id;namn\n1;Skäggetorp\n".encode("cp1252")
    assert read_table("p.csv", content=cp1252).encoding == "cp1252"
    assert read_table("p.csv", content=cp1252).encoding_name.startswith("Windows-1252")
    mixed = "id;namn\n1;Skäggetorp\n2;Rosengård\n".encode() + b"3;caf\xe9\n"
    with pytest.raises(ReadError, match=r"sparad som UTF-8 men rad 4 .*0xE9"):
        read_table("p.csv", content=mixed)
    with pytest.raises(ReadError, match="NUL-tecken"):
        read_table("p.csv", content=b"id;namn\n1;a\x00b\n")
    with pytest.raises(ReadError, match="styrtecken"):
        read_table("p.csv", content=b"id;namn\n1;a\x01b\n")
