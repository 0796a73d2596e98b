"""Declared table schemas, validated with pandera, reported in Swedish by row and column."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pandera.pandas as pa

from kraftsamling._config_files import read_toml
from kraftsamling.tabular._read import TableFile

# Public names are listed once, in the package (``kraftsamling.tabular.__all__``).

ColumnType = Literal["str", "int", "float", "date", "bool"]
# How the privacy layer treats a column: keyed hash, generalised, recognisers, or kept.
ColumnKind = Literal["plain", "identifier", "quasi_identifier", "free_text"]
# What happens to a column the schema does not declare: the file is refused (the default),
# the column is treated as free text (recognisers, pseudonyms), or it is dropped unread.
ExtraColumns = Literal["refuse", "free_text", "ignore"]

TRUE_WORDS = {"ja", "j", "sant", "true", "1", "yes", "y", "x"}
FALSE_WORDS = {"nej", "n", "falskt", "false", "0", "no"}
TYPE_WORDS = {
    "int": "ett heltal",
    "float": "ett tal",
    "date": "ett datum (ÅÅÅÅ-MM-DD)",
    "bool": "ja eller nej",
    "str": "text",
}
MAX_PROBLEMS_SHOWN = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as a person would look for it."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"rad {self.row}")
        if self.column is not None:
            where.append(f"kolumn '{self.column}'")
        prefix = ", ".join(where)
        return f"{prefix[:1].upper()}{prefix[1:]}: {self.message}" if prefix else self.message


def _validation_failed(problems: list[Problem], filename: str) -> ValidationFailed:
    return ValidationFailed(problems, filename=filename)


class ValidationFailed(ValueError):
    """The file does not match its schema; nothing of it was stored."""

    def __reduce__(self) -> tuple[Any, ...]:  # back from a worker process whole
        return (_validation_failed, (self.problems, self.filename))

    def __init__(self, problems: Sequence[Problem], *, filename: str = "") -> None:
        self.problems = list(problems)
        self.filename = filename
        shown = "\n".join(f"- {p}" for p in self.problems[:MAX_PROBLEMS_SHOWN])
        more = len(self.problems) - MAX_PROBLEMS_SHOWN
        tail = f"\n… och {more} fel till." if more > 0 else ""
        name = f"'{filename}' " if filename else "Filen "
        super().__init__(
            f"{name}importerades inte ({len(self.problems)} fel, ingenting sparades):\n"
            f"{shown}{tail}"
        )


@dataclass(frozen=True, kw_only=True)
class ColumnSpec:
    name: str
    type: ColumnType = "str"
    required: bool = True
    nullable: bool = False
    kind: ColumnKind = "plain"
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    unique: bool = False
    description: str = ""
    # For quasi-identifiers: year_band, age_band, postcode3, year or none (None: inferred).
    generalise: str | None = None
    # Other names a file may use for the column (English, say); matched like the name.
    aliases: tuple[str, ...] = ()
    # For identifiers: the purpose the keyed hash is taken under, and its length. Storing
    # and searching both hash through this column, so they cannot drift apart.
    purpose: str = "id"
    hash_length: int = 16
    # Other spellings a file may use for an allowed value, as (value, (spellings…)):
    # ("volunteer", ("volontär", "frivillig")). Case and accents never count.
    value_aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()

    # The header a Swedish file writes, shown first in help ("födelseår" for "fodelsear");
    # read like an alias.
    title: str = ""

    def header_names(self) -> tuple[str, ...]:
        """Every header this column is read from, one spelling each: the title first, then
        the name and the aliases."""
        seen: dict[str, str] = {}
        for name in (self.title or self.name, self.name, *self.aliases):
            seen.setdefault(header_key(name), name)
        return tuple(seen.values())

    def value_map(self) -> dict[str, str]:
        """How a cell is read as an allowed value: ``Volontär`` → ``volunteer``."""
        if self.allowed is None:
            return {}
        found = {header_key(v): v for v in self.allowed}
        for value, spellings in self.value_aliases:
            for spelling in spellings:
                found.setdefault(header_key(spelling), value)
        return found


@dataclass(frozen=True)
class ColumnHelp:
    """What a person needs to write one column: the headers read, whether it must be there,
    its type and the values allowed (with the other spellings accepted)."""

    names: tuple[str, ...]
    required: bool
    type: ColumnType
    allowed: tuple[tuple[str, tuple[str, ...]], ...]


def header_key(name: str) -> str:
    """How a header is matched to a column: case, accents and separators do not count.

    ``Anteckning`` = ``anteckning``, ``Födelseår`` = ``fodelsear``, ``Person ID`` =
    ``person_id``. Swedish and English names are matched the same way; a schema lists a
    column's other names in ``aliases``.
    """
    decomposed = unicodedata.normalize("NFKD", name.strip())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[\s\-./]+", "_", bare).strip("_")


@dataclass(frozen=True, kw_only=True)
class TableSchema:
    """What a table must look like.

    A file's headers are matched to the columns by :func:`header_key` (case, accents and
    separators do not count; ``aliases`` are other names). A column the schema does not
    declare is handled as ``extra_columns`` says: ``refuse`` (the default) refuses the file
    and names the column, ``free_text`` pseudonymises it as free text, ``ignore`` drops it —
    never is it stored as it stands.
    """

    name: str
    columns: tuple[ColumnSpec, ...]
    description: str = ""
    extra_columns: ExtraColumns = "refuse"
    _pandera: pa.DataFrameSchema = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_pandera", self._build())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TableSchema:
        columns = []
        for spec in data.get("columns", []):
            spec = dict(spec)
            if "allowed" in spec:
                spec["allowed"] = tuple(str(v) for v in spec["allowed"])
            if "aliases" in spec:
                spec["aliases"] = tuple(str(v) for v in spec["aliases"])
            if "value_aliases" in spec:
                spec["value_aliases"] = tuple(
                    (str(value), tuple(str(o) for o in others))
                    for value, others in dict(spec["value_aliases"]).items())
            columns.append(ColumnSpec(**spec))
        extra = str(data.get("extra_columns", "refuse"))
        if extra not in {"refuse", "free_text", "ignore"}:
            raise ValueError(f"extra_columns måste vara refuse, free_text eller ignore, inte "
                             f"'{extra}'.")
        return cls(name=str(data["name"]), columns=tuple(columns),
                   description=str(data.get("description", "")),
                   extra_columns=extra)  # type: ignore[arg-type]

    @classmethod
    def from_toml(cls, path: str | Path) -> TableSchema:
        return cls.from_dict(read_toml(Path(path), kind="Schemafilen"))

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def help(self) -> list[ColumnHelp]:
        """The columns as a help text lists them, generated from the schema so the help says
        exactly what is accepted."""
        rows = []
        for spec in self.columns:
            spellings = dict(spec.value_aliases)
            allowed = tuple((v, spellings.get(v, ())) for v in spec.allowed or ())
            rows.append(ColumnHelp(spec.header_names(), spec.required, spec.type, allowed))
        return rows

    def _build(self) -> pa.DataFrameSchema:
        columns: dict[str, pa.Column] = {}
        for spec in self.columns:
            checks: list[pa.Check] = []
            if spec.allowed is not None:
                checks.append(pa.Check.isin(list(spec.allowed)))
            if spec.min is not None:
                checks.append(pa.Check.ge(spec.min))
            if spec.max is not None:
                checks.append(pa.Check.le(spec.max))
            if spec.pattern is not None:
                checks.append(pa.Check.str_matches(f"^(?:{spec.pattern})$"))
            dtype: Any = {"str": str, "int": "Int64", "float": float, "date": "datetime64[ns]",
                          "bool": "boolean"}[spec.type]
            columns[spec.name] = pa.Column(
                dtype,
                checks=checks,
                nullable=spec.nullable,
                required=spec.required,
                unique=spec.unique,
                coerce=True,
            )
        return pa.DataFrameSchema(columns, strict=False)

    # -- matching headers -------------------------------------------------------------------

    def match(self, table: TableFile, *, keep_extra: bool = False
              ) -> tuple[TableFile, list[Problem]]:
        """The file with its headers renamed to the schema's names, and what does not match.

        Undeclared columns are problems under ``refuse``, kept under ``free_text`` and
        dropped under ``ignore`` (``keep_extra``: kept as they are, for a reader that only
        wants the headers in the schema's names); two headers that mean the same column are
        a problem.
        """
        keys: dict[str, str] = {}
        for spec in self.columns:
            for alias in spec.header_names():
                keys.setdefault(header_key(alias), spec.name)
        renamed: dict[str, str] = {}
        claimed: dict[str, str] = {}
        problems: list[Problem] = []
        dropped: list[str] = []
        for column in (str(c) for c in table.frame.columns):
            target = keys.get(header_key(column))
            if target is None and keep_extra:
                target = column
            if target is None:
                if self.extra_columns == "refuse":
                    problems.append(Problem(None, column, (
                        f"kolumnen finns inte i schemat '{self.name}' och sparas inte som den "
                        "står. Ta bort kolumnen ur filen, eller lägg till den i schemat "
                        f"(kolumner: {', '.join(self.column_names)}).")))
                elif self.extra_columns == "ignore":
                    dropped.append(column)
                else:
                    target = column
            if target is None:
                continue
            if target in claimed:
                problems.append(Problem(None, column, (
                    f"betyder samma kolumn som '{claimed[target]}' ({target}); behåll en av "
                    "dem.")))
                continue
            claimed[target] = column
            renamed[column] = target
        frame = table.frame.drop(columns=dropped + [c for c in table.frame.columns
                                                    if str(c) not in renamed and
                                                    str(c) not in dropped])
        frame = frame.rename(columns=renamed)
        matched = TableFile(frame, table.format, table.encoding, table.delimiter,
                            table.first_row)
        return matched, problems

    def for_table(self, table: TableFile) -> TableSchema:
        """This schema, plus the file's undeclared columns as nullable free text when
        ``extra_columns`` is ``free_text`` (so the privacy layer pseudonymises them)."""
        if self.extra_columns != "free_text":
            return self
        matched, _ = self.match(table)
        declared = set(self.column_names)
        extra = tuple(ColumnSpec(name=str(c), kind="free_text", nullable=True, required=False)
                      for c in matched.frame.columns if str(c) not in declared)
        if not extra:
            return self
        return TableSchema(name=self.name, columns=self.columns + extra,
                           description=self.description, extra_columns="refuse")

    # -- validation -------------------------------------------------------------------------

    def _prepare(self, table: TableFile) -> pd.DataFrame:
        """Turn Swedish spreadsheet habits into parseable values before type checks."""
        frame = table.frame.copy()
        for column in frame.columns:
            frame[column] = frame[column].map(lambda v: v.strip() if isinstance(v, str) else v)
            frame[column] = frame[column].replace("", None)
        for spec in self.columns:
            if spec.name not in frame.columns:
                continue
            values = frame[spec.name]
            spellings = spec.value_map()
            if spellings:
                frame[spec.name] = values = values.map(
                    lambda v, m=spellings: m.get(header_key(v), v) if isinstance(v, str) else v)
            if spec.type in {"int", "float"}:
                frame[spec.name] = values.map(_swedish_number)
            elif spec.type == "bool":
                frame[spec.name] = values.map(_swedish_bool)
            elif spec.type == "date":
                frame[spec.name] = values.map(_iso_date)
        return frame

    def validate(self, table: TableFile, *, filename: str = "") -> list[dict[str, Any]]:
        """Records ready to store, or :class:`ValidationFailed` naming every problem.

        Records hold the schema's columns only (under ``free_text``, also the file's other
        columns: pass them through :meth:`for_table`'s schema's transform before storing).
        """
        effective = self.for_table(table)
        if effective is not self:
            return effective.validate(table, filename=filename)
        table, problems = self.match(table)
        frame = self._prepare(table)
        try:
            validated = self._pandera.validate(frame, lazy=True)
        except pa.errors.SchemaErrors as errors:
            found = self._problems(errors.failure_cases, table, frame)
            problems = problems + found
            if not problems:  # pandera failed in a way we could not place
                problems = [Problem(None, None, "Filen stämmer inte med schemat.")]
        if problems:
            problems.sort(key=lambda p: (p.row or 0, p.column or ""))
            raise ValidationFailed(problems, filename=filename) from None
        return [self._record(row) for row in validated.to_dict(orient="records")]

    def _problems(
        self, cases: pd.DataFrame, table: TableFile, frame: pd.DataFrame
    ) -> list[Problem]:
        specs = {c.name: c for c in self.columns}
        found: dict[tuple[int | None, str | None], Problem] = {}
        for case in cases.to_dict(orient="records"):
            check = str(case.get("check", ""))
            column = case.get("column")
            column = None if column is None or (isinstance(column, float) and math.isnan(column)) \
                else str(column)
            if check == "column_in_dataframe":
                missing = str(case["failure_case"])
                found[(None, missing)] = Problem(None, missing, "kolumnen saknas i filen.")
                continue
            index = case.get("index")
            if index is None or (isinstance(index, float) and math.isnan(index)):
                continue  # a follow-on error of a failed type conversion
            index = int(index)
            key = (table.row_label(index), column)
            if key in found:
                continue
            spec = specs.get(column or "")
            original = (
                table.frame.iloc[index][column]
                if column is not None and column in table.frame.columns
                else ""
            )
            found[key] = Problem(key[0], column, _describe(check, spec, str(original).strip()))
        return sorted(found.values(), key=lambda p: (p.row or 0, p.column or ""))

    @staticmethod
    def _record(row: Mapping[Any, Any]) -> dict[str, Any]:
        record: dict[str, Any] = {}
        for key, value in row.items():
            if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
                record[str(key)] = None
            elif isinstance(value, pd.Timestamp):
                record[str(key)] = None if pd.isna(value) else value.date().isoformat()
            elif hasattr(value, "item"):
                record[str(key)] = value.item()
            else:
                record[str(key)] = value
        return record


def _swedish_number(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    compact = re.sub(r"[\s\u00a0]", "", value)
    if re.fullmatch(r"-?\d+,\d+", compact):
        compact = compact.replace(",", ".")
    return compact


def _swedish_bool(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    lowered = value.lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    return value


def _iso_date(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return pd.Timestamp(date.fromisoformat(value[:10])) if len(value) >= 10 else value
    except ValueError:
        return value


def _describe(check: str, spec: ColumnSpec | None, value: str) -> str:
    shown = f"'{value}'" if value else "värdet"
    if check == "not_nullable":
        return "värde saknas."
    if check.startswith(("coerce_dtype", "dtype")) and spec is not None:
        return f"{shown} är inte {TYPE_WORDS[spec.type]}."
    if check.startswith("isin") and spec is not None and spec.allowed is not None:
        return f"{shown} är inte ett tillåtet värde (tillåtna: {', '.join(spec.allowed)})."
    if check.startswith("greater_than_or_equal_to") and spec is not None:
        return f"{shown} är mindre än det minsta tillåtna ({_number(spec.min)})."
    if check.startswith("less_than_or_equal_to") and spec is not None:
        return f"{shown} är större än det största tillåtna ({_number(spec.max)})."
    if check.startswith("str_matches"):
        return f"{shown} har fel format."
    if check in {"field_uniqueness", "unique"}:
        return f"{shown} förekommer på flera rader men måste vara unikt."
    return f"{shown} klarar inte kontrollen {check}."


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")
