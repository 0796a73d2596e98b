"""The case files' declared columns by kind, and how a person's or household's id is hashed.

Both kinds hash their id under one purpose (``case``): the case list stores the hash and
the caseworker's search hashes what is typed through the same column, so the two cannot
drift apart. The remaining columns are the model's features; they are never stored
(only the pseudonym, the group values the fairness panel compares and the answers are).

Every column a case file may have is declared with the header a Swedish file writes first
and the other names read (case, accents and separators never count), so ``Hushållstyp``,
``household_type`` and ``HUSHALLSTYP`` are one column, and the upload help is generated from
the same table.
"""

from __future__ import annotations

from collections.abc import Iterable

from kraftsamling.tabular import ColumnHelp, ColumnSpec, ColumnType, TableSchema, header_key

__all__ = ["CASE_ID", "CASE_SCHEMAS", "INTERVENTION_SPELLINGS", "case_column_help",
           "case_id_column", "intervention_code"]

CASE_ID = ColumnSpec(name="person_id", kind="identifier", purpose="case",
                     description="Ärendets id för personen eller hushållet (lagras som hash).")
_ID_COLUMNS = {"economic-assistance": "household_id", "social-services": "person_id"}
_ID_NAMES = {"household_id": ("hushålls-id", ("hushåll", "id")),
             "person_id": ("person-id", ("id",))}
_GROUP_COLUMNS = ("sex", "age_band", "birth_region", "district")
# name: (the Swedish header, other headers read, type); per kind below.
_COLUMNS: dict[str, tuple[str, tuple[str, ...], ColumnType]] = {
    "sex": ("kön", ("gender",), "str"),
    "age": ("ålder", (), "int"),
    "age_band": ("åldersgrupp", ("åldersintervall",), "str"),
    "birth_region": ("födelseregion", ("född i",), "str"),
    "district": ("stadsdel", ("område",), "str"),
    "intervention": ("insats", ("nuvarande insats",), "str"),
    # economic assistance
    "household_type": ("hushållstyp", (), "str"),
    "education": ("utbildning", ("utbildningsnivå",), "str"),
    "main_reason": ("huvudorsak", ("orsak", "orsak till bistånd"), "str"),
    "prior_months": ("tidigare månader", ("tidigare månader med bistånd",), "int"),
    "amount": ("belopp", ("månadsbelopp",), "float"),
    "months_to_exit": ("månader till avslut", (), "int"),
    "exited": ("avslutat", (), "int"),
    "long_term": ("långvarigt bistånd", ("långvarigt",), "int"),
    # social services
    "referral_type": ("aktualiseringstyp", ("anmälningstyp", "typ av aktualisering"), "str"),
    "referral_reason": ("anmälningsorsak", ("orsak",), "str"),
    "previous_referrals": ("tidigare aktualiseringar", ("tidigare anmälningar",), "int"),
    "single_parent": ("ensamstående förälder", (), "int"),
    "referral_date": ("aktualiseringsdatum", ("anmälningsdatum",), "date"),
    "assessment_opened": ("utredning inledd", (), "int"),
    "intervention_start": ("insatsstart", ("insats start",), "date"),
    "intervention_end": ("insatsslut", ("insats slut",), "date"),
    "rereferral_12m": ("ny aktualisering inom 12 månader", ("ny anmälan inom 12 månader",),
                       "int"),
}
_KIND_COLUMNS = {
    "economic-assistance": ("sex", "age", "age_band", "birth_region", "district",
                            "household_type", "education", "main_reason", "prior_months",
                            "amount", "intervention", "months_to_exit", "exited", "long_term"),
    "social-services": ("sex", "age", "age_band", "birth_region", "district", "referral_type",
                        "referral_reason", "previous_referrals", "single_parent",
                        "referral_date", "intervention", "assessment_opened",
                        "intervention_start", "intervention_end", "rereferral_12m"),
}
# The interventions the demo models know, and the other ways a file writes them ("Ingen
# insats" for "ingen"); matched like headers, so "Språkpraktik" is "sprakpraktik".
INTERVENTION_SPELLINGS: dict[str, tuple[str, ...]] = {
    "ingen": ("ingen insats", "inget", "-"),
    "jobbtorg": (), "sprakpraktik": ("språkpraktik",), "studier": (),
    "subventionerad_anstallning": ("subventionerad anställning",),
    "kontaktperson": (), "familjebehandling": (), "oppenvard": ("öppenvård",),
    "hvb": ("hem för vård eller boende",), "familjehem": (),
}
_INTERVENTION_KEYS = {header_key(spelling): code
                      for code, others in INTERVENTION_SPELLINGS.items()
                      for spelling in (code, *others)}


def intervention_code(value: str) -> str:
    """An intervention as the models know it: "Språkpraktik" → "sprakpraktik"; a name they
    do not know comes back as it was written."""
    return _INTERVENTION_KEYS.get(header_key(value), value.strip())


def case_id_column(kind: str) -> ColumnSpec:
    """The id column of a kind of case file (``household_id`` or ``person_id``)."""
    name = _ID_COLUMNS[kind]
    title, aliases = _ID_NAMES[name]
    return ColumnSpec(name=name, title=title, aliases=aliases, kind="identifier",
                      purpose=CASE_ID.purpose, hash_length=CASE_ID.hash_length,
                      description=CASE_ID.description)


def _column(name: str) -> ColumnSpec:
    title, aliases, kind_of = _COLUMNS[name]
    return ColumnSpec(name=name, title=title, aliases=aliases, type=kind_of, required=False,
                      nullable=True,
                      kind="quasi_identifier" if name in _GROUP_COLUMNS else "plain")


CASE_SCHEMAS = {kind: TableSchema(
    name=f"ärenden-{kind}",
    description=f"Ärenden ({kind}): en rad per person eller hushåll, id och modellens "
                "variabler; bara id (som hash) och gruppvärden sparas.",
    columns=(case_id_column(kind), *(_column(name) for name in _KIND_COLUMNS[kind])),
    extra_columns="ignore",
) for kind in _ID_COLUMNS}


def case_column_help(kind: str, features: Iterable[str] | None = None) -> list[ColumnHelp]:
    """The columns an assessment of ``kind`` reads, for the upload help: the id and the
    model's ``features`` when a model is trained (a feature the table does not declare is
    listed by its name), else every declared column."""
    schema = CASE_SCHEMAS[kind]
    declared = {spec.name: shown for spec, shown in zip(schema.columns, schema.help(),
                                                         strict=True)}
    if features is None:
        return list(declared.values())
    id_name = _ID_COLUMNS[kind]
    wanted = [id_name, *(f for f in features if f != id_name)]
    return [declared.get(name) or ColumnHelp((name,), True, "str", ()) for name in wanted]
