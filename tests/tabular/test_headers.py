"""What the upload help lists is exactly what the schemas accept: every header the help
names (Swedish or English, any case, with or without accents) is read as its column, and
every value spelling it names is read as the value."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from kraftsamling.autolarm import ANSWERS_SCHEMA, LABELS_SCHEMA
from kraftsamling.cases import CASE_SCHEMAS
from kraftsamling.chat import CHAT_SCHEMA, SURVEY_SCHEMA
from kraftsamling.tabular import PERSONS_SCHEMA, TableFile, TableSchema, ValidationFailed

SCHEMAS = [PERSONS_SCHEMA, CHAT_SCHEMA, SURVEY_SCHEMA, ANSWERS_SCHEMA, LABELS_SCHEMA,
           *CASE_SCHEMAS.values()]


def _bare(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))


def _table(columns: list[str]) -> TableFile:
    return TableFile(pd.DataFrame({c: ["x"] for c in columns}), "csv", "utf-8", ";", 2)


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.name)
def test_every_header_in_the_help_is_read_as_its_column(schema: TableSchema) -> None:
    for spec, shown in zip(schema.columns, schema.help(), strict=True):
        assert shown.names[0] == (spec.title or spec.name)
        for header in shown.names:
            for written in (header, header.upper(), _bare(header).capitalize()):
                matched, problems = schema.match(_table([written]))
                assert problems == [] and list(matched.frame.columns) == [spec.name], written


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.name)
def test_a_header_the_help_does_not_name_is_not_read_as_a_column(schema: TableSchema) -> None:
    matched, problems = schema.match(_table(["inte_en_kolumn"]))
    if schema.extra_columns == "refuse":
        assert problems and "inte_en_kolumn" in str(problems[0])
    else:
        assert schema.column_names[0] not in matched.frame.columns


def test_two_headers_for_one_column_are_refused_by_name() -> None:
    _, problems = CHAT_SCHEMA.match(_table(["samtal", "conversation_id"]))
    assert len(problems) == 1 and "samma kolumn" in problems[0].message


def test_swedish_chat_file_with_swedish_roles_is_read() -> None:
    frame = pd.DataFrame({"Samtal": ["c1", "c1"], "Roll": ["Stödsökande", "VOLONTÄR"],
                          "Tid": ["2026-03-01 14:05", "2026-03-01 14:06"],
                          "Meddelande": ["hej", "hej, vad vill du prata om?"]})
    records = CHAT_SCHEMA.validate(TableFile(frame, "csv", "utf-8", ";", 2))
    assert [r["role"] for r in records] == ["seeker", "volunteer"]
    frame.loc[1, "Roll"] = "rektor"
    with pytest.raises(ValidationFailed) as refused:
        CHAT_SCHEMA.validate(TableFile(frame, "csv", "utf-8", ";", 2))
    assert "'rektor' är inte ett tillåtet värde" in str(refused.value)


def test_every_value_spelling_in_the_help_is_read_as_the_value() -> None:
    for schema in SCHEMAS:
        for spec, shown in zip(schema.columns, schema.help(), strict=True):
            for value, spellings in shown.allowed:
                for written in (value, *spellings):
                    assert spec.value_map()[_key(written)] == value


def _key(text: str) -> str:
    from kraftsamling.tabular import header_key

    return header_key(text)


def test_swedish_labels_file_for_autolarm_is_read(tmp_path: Path) -> None:
    from kraftsamling.autolarm import read_labels

    path = tmp_path / "etiketter.csv"
    path.write_text("Svar;Nivå;Kategorier\njag vill inte leva;Akut;suicide\n"
                    "dom fryser ut mig;oro;bullying\nbra dag;Ingen;\n", encoding="utf-8")
    assert [r["level"] for r in read_labels(path)] == ["urgent", "concern", "none"]
