"""Survey waves: one file per term, one row per pupil, nominations as pupil ids.

Columns: ``pupil_id, class, gender, friends, mean_to_me, defends_me``, optional
``wellbeing`` (or several ``wellbeing_*`` items, 1–5, averaged), ``free_text`` and
``friends_unknown`` (pupils whose friendship with this pupil the wave does not know — a
missing answer, which is not the same as "not a friend").
Nominations are ids separated by spaces, commas or ``|``. A file with nominations of unknown
pupils, self-nominations or duplicate ids is refused whole, with every problem named by row
and pupil — a network with a wrong tie would mislead, and nothing half-read is kept.

Ids are replaced by keyed hashes (the same key gives the same pseudonym in every wave, so
waves link up) and free text is pseudonymised before anything else sees it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from kraftsamling.tabular import header_key, read_table
from kraftsamling.twin._schemas import pupil_alias

__all__ = ["COLUMN_NAMES", "NOMINATIONS", "REQUIRED_COLUMNS", "Wave", "WaveError",
           "column_help", "read_wave", "wave_from_frame"]

REQUIRED_COLUMNS = ("pupil_id", "class", "gender", "friends", "mean_to_me", "defends_me")
NOMINATIONS = {"friends": "vänner", "mean_to_me": "elaka mot mig",
               "defends_me": "försvarar mig"}
UNKNOWN = "friends_unknown"
_SPLIT = re.compile(r"[\s,;|]+")
MAX_PROBLEMS_SHOWN = 20
# Every column a wave may have with the Swedish name a school writes first, then the other
# names accepted (case, accents and separators do not count: "Elev-ID" = "elev_id").
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "pupil_id": ("elev", "elev_id", "elevid", "id"),
    "class": ("klass",),
    "gender": ("kön", "kon"),
    "friends": ("vänner", "vanner", "kompisar"),
    "mean_to_me": ("elaka mot mig", "elak mot mig"),
    "defends_me": ("försvarar mig",),
    "wellbeing": ("mående", "trivsel"),
    "free_text": ("fritext", "kommentar"),
    "friends_unknown": ("vänner okänt",),
}
OPTIONAL_COLUMNS = ("wellbeing", "free_text")


def _canonical(header: str) -> str:
    """A header as the column the reader knows: "Elaka mot mig" → "mean_to_me"."""
    key = header_key(header)
    for name, others in COLUMN_NAMES.items():
        if key == name or key in {header_key(o) for o in others}:
            return name
    if key.startswith(("wellbeing_", "maende_")):  # one wellbeing column per question
        return "wellbeing_" + key.split("_", 1)[1]
    return header.strip()


def column_help() -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """The columns a wave must and may have, from the names above: (required, optional),
    each as every header read for it (one spelling per header key), the Swedish name a
    school writes first and the English name last."""
    def names(column: str) -> tuple[str, ...]:
        seen: dict[str, str] = {}
        for name in (*COLUMN_NAMES[column], column):
            seen.setdefault(header_key(name), name)
        ordered = [n for n in seen.values() if n != column]
        return (*ordered, column)

    return ([names(c) for c in REQUIRED_COLUMNS], [names(c) for c in OPTIONAL_COLUMNS])


class WaveError(ValueError):
    """A wave that cannot be used; ``problems`` lists each one (row, pupil, what)."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        shown = "\n".join(f"- {p}" for p in self.problems[:MAX_PROBLEMS_SHOWN])
        more = len(self.problems) - MAX_PROBLEMS_SHOWN
        extra = f"\n… och {more} till." if more > 0 else ""
        super().__init__(f"{source}: {len(self.problems)} fel, inget sparades.\n{shown}{extra}")


@dataclass
class Wave:
    """One term's survey: pupils and three kinds of nominations, ids pseudonymised.

    ``friends`` are (chooser, friend); ``mean`` are (mean pupil, victim) — the victim named
    them; ``defends`` are (defender, defended).
    """

    number: int
    pupils: pd.DataFrame  # pupil_id, class, gender, wellbeing, free_text, alarm
    friends: list[tuple[str, str]] = field(default_factory=list)
    mean: list[tuple[str, str]] = field(default_factory=list)
    defends: list[tuple[str, str]] = field(default_factory=list)
    source: str = ""
    # friendship dyads (chooser, pupil) the wave does not know: missing, not "no friend"
    unknown: list[tuple[str, str]] = field(default_factory=list)
    originals: dict[str, str] = field(default_factory=dict)  # only when asked; never stored

    @property
    def classes(self) -> list[str]:
        return sorted(self.pupils["class"].astype(str).unique())

    def victimised(self) -> pd.Series:
        """Pupils who named at least one pupil as mean to them (the usual survey measure)."""
        named = {victim for _, victim in self.mean}
        return self.pupils["pupil_id"].isin(named)


def _ids(cell: object) -> list[str]:
    return [part for part in _SPLIT.split(str(cell or "").strip()) if part]


def wave_from_frame(frame: pd.DataFrame, *, number: int, key: bytes | None = None,
                    redact: Callable[[str], str] | None = None, source: str = "enkät",
                    first_row: int = 2, keep_originals: bool = False) -> Wave:
    """Check a wave's table, then pseudonymise ids (with ``key``) and text (``redact``)."""
    given = [str(c).strip() for c in frame.columns]
    columns = [_canonical(c) for c in given]
    frame = frame.set_axis(columns, axis=1)
    missing = [f"{COLUMN_NAMES[c][0]} ({c})" for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise WaveError(source, ["Kolumner saknas: " + ", ".join(missing) + ". Finns: "
                                 + ", ".join(given)])
    problems: list[str] = []
    ids = frame["pupil_id"].astype(str).str.strip()
    seen: dict[str, int] = {}
    for i, pupil in enumerate(ids):
        row = i + first_row
        if not pupil:
            problems.append(f"Rad {row}: elev-id saknas.")
        elif pupil in seen:
            problems.append(f"Rad {row}: elev-id {pupil!r} finns redan på rad {seen[pupil]}.")
        else:
            seen[pupil] = row
    wellbeing_columns = [c for c in columns if c == "wellbeing" or c.startswith("wellbeing_")]
    checked = {**NOMINATIONS, **({UNKNOWN: "vänskap okänd"} if UNKNOWN in columns else {})}
    for i, pupil in enumerate(ids):
        row = i + first_row
        for column, label in checked.items():
            for named in _ids(frame[column].iloc[i]):
                if named == pupil:
                    problems.append(f"Rad {row} (elev {pupil}), kolumn {column!r} ({label}): "
                                    "eleven har nominerat sig själv.")
                elif named not in seen:
                    problems.append(f"Rad {row} (elev {pupil}), kolumn {column!r} ({label}): "
                                    f"{named!r} finns inte bland eleverna.")
        for column in wellbeing_columns:
            value = str(frame[column].iloc[i]).strip().replace(",", ".")
            if value and not (re.fullmatch(r"\d+(\.\d+)?", value) and 1 <= float(value) <= 5):
                problems.append(f"Rad {row} (elev {pupil}), kolumn {column!r}: {value!r} är "
                                "inte ett tal mellan 1 och 5.")
    if problems:
        raise WaveError(source, problems)

    alias = partial(pupil_alias, key)

    if wellbeing_columns:
        items = frame[wellbeing_columns].apply(
            lambda c: pd.to_numeric(c.astype(str).str.replace(",", "."), errors="coerce"))
        wellbeing = items.mean(axis=1)
    else:
        wellbeing = pd.Series(np.nan, index=frame.index)
    texts = frame["free_text"].astype(str) if "free_text" in columns else \
        pd.Series("", index=frame.index)
    pupils = pd.DataFrame({
        "pupil_id": [alias(p) for p in ids],
        "class": frame["class"].astype(str).str.strip().to_numpy(),
        "gender": frame["gender"].astype(str).str.strip().str.lower().to_numpy(),
        "wellbeing": wellbeing.to_numpy(float),
        "free_text": [redact(t) if redact and t.strip() else t for t in texts],
        "alarm": False,
    })
    edges: dict[str, list[tuple[str, str]]] = {c: [] for c in NOMINATIONS}
    for i, pupil in enumerate(ids):
        for column in NOMINATIONS:
            for named in dict.fromkeys(_ids(frame[column].iloc[i])):  # once per pair
                if column == "friends":
                    edges[column].append((alias(pupil), alias(named)))
                else:  # the pupil answering is the victim or the defended
                    edges[column].append((alias(named), alias(pupil)))
    unknown: list[tuple[str, str]] = []
    if UNKNOWN in columns:
        named_friends = set(edges["friends"])
        for i, pupil in enumerate(ids):
            for named in dict.fromkeys(_ids(frame[UNKNOWN].iloc[i])):
                pair = (alias(pupil), alias(named))
                if pair in named_friends:
                    problems.append(f"Rad {i + first_row} (elev {pupil}): {named!r} står både "
                                    "som vän och som okänd.")
                unknown.append(pair)
        if problems:
            raise WaveError(source, problems)
    return Wave(number=number, pupils=pupils, friends=edges["friends"],
                mean=edges["mean_to_me"], defends=edges["defends_me"], source=source,
                unknown=unknown,
                originals={alias(p): p for p in ids} if keep_originals else {})


def read_wave(path: Path, *, number: int, key: bytes | None = None,
              redact: Callable[[str], str] | None = None,
              content: bytes | None = None, keep_originals: bool = False) -> Wave:
    """Read a CSV, TSV or XLSX wave through the shared reader (encodings, delimiters)."""
    table = read_table(path, content=content)
    return wave_from_frame(table.frame, number=number, key=key, redact=redact,
                           source=Path(path).name, first_row=table.first_row,
                           keep_originals=keep_originals)
