"""Friendship waves as researchers keep them: RSiena adjacency matrices and edge lists.

RSiena's ``.dat`` files hold one whitespace-separated n × n matrix per wave: row *i* names
column *j* as a friend (1) or not (0); 9 is a missing answer and 10 a structural zero (the
pupil was not in the class at that wave). Attribute files have one row per pupil and one
column per wave (or one column for a constant such as gender). An edge list has
``from,to`` and optionally ``wave`` and ``tie`` (1 a tie, 0 no tie, 9 unknown).

Both become the same ``Wave`` objects the survey reader produces, so every model reads them
alike, and ``write_survey_waves`` writes them as the survey CSVs the twin already imports. A
missing tie stays missing (``Wave.unknown``), never "no tie"; a pupil with code 10 is not in
that wave.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kraftsamling.tabular import read_table
from kraftsamling.twin._schemas import pupil_alias
from kraftsamling.twin._survey import UNKNOWN, Wave, WaveError

__all__ = ["MISSING", "STRUCTURAL_ZERO", "default_ids", "read_behaviour",
           "read_behaviour_matrix", "read_edge_list", "read_matrix_waves",
           "read_siena_attribute", "read_siena_matrix", "waves_from_matrices",
           "write_behaviour", "write_survey_waves"]

MISSING = 9
STRUCTURAL_ZERO = 10
_CODES = {0, 1, MISSING, STRUCTURAL_ZERO}
_GIRL_BOY = {1: "flicka", 2: "pojke"}
Matrix = np.ndarray[Any, Any]


def _numbers(path: Path) -> list[list[str]]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig", errors="strict")
    except UnicodeDecodeError:
        text = Path(path).read_text(encoding="cp1252")
    except OSError as error:
        raise WaveError(Path(path).name, [f"Filen kan inte läsas: {error.strerror}."]) from None
    return [line.split() for line in text.splitlines() if line.strip()]


def read_siena_matrix(path: Path) -> Matrix:
    """One wave's n × n matrix of codes 0, 1, 9 and 10, checked."""
    name = Path(path).name
    rows = _numbers(path)
    problems: list[str] = []
    if not rows:
        raise WaveError(name, ["Filen är tom."])
    n = len(rows)
    values = np.zeros((n, n), dtype=int)
    for r, row in enumerate(rows, start=1):
        if len(row) != n:
            problems.append(f"Rad {r}: {len(row)} värden, men matrisen har {n} rader "
                            "(den ska vara kvadratisk).")
            continue
        for c, cell in enumerate(row, start=1):
            if not re.fullmatch(r"\d+", cell) or int(cell) not in _CODES:
                problems.append(f"Rad {r}, kolumn {c}: okänd kod {cell!r} (0 ingen vänskap, "
                                "1 vänskap, 9 saknas, 10 inte i klassen).")
            else:
                values[r - 1, c - 1] = int(cell)
    if problems:
        raise WaveError(name, problems)
    return values


def read_siena_attribute(path: Path) -> Matrix:
    """An attribute file: one row per pupil, one column per wave; floats, NaN never."""
    name = Path(path).name
    rows = _numbers(path)
    if not rows:
        raise WaveError(name, ["Filen är tom."])
    width = len(rows[0])
    problems = [f"Rad {r}: {len(row)} värden, rad 1 har {width}."
                for r, row in enumerate(rows, start=1) if len(row) != width]
    for r, row in enumerate(rows, start=1):
        for c, cell in enumerate(row, start=1):
            if not re.fullmatch(r"-?\d+(\.\d+)?", cell):
                problems.append(f"Rad {r}, kolumn {c}: {cell!r} är inte ett tal.")
    if problems:
        raise WaveError(name, problems)
    return np.array([[float(c) for c in row] for row in rows])


def waves_from_matrices(matrices: Sequence[Matrix], *, class_name: str = "klass",
                        ids: Sequence[str] | None = None,
                        gender: Sequence[str] | None = None, key: bytes | None = None,
                        sources: Sequence[str] | None = None) -> list[Wave]:
    """Waves from code matrices (0/1/9/10), pupils named ``ids`` (E01, E02, … by default).

    A pupil whose row and column are all 10 is not in that wave; a 10 anywhere else, a 9 on
    the row of a pupil who is not there, or matrices of different sizes are refused.
    """
    if not matrices:
        raise WaveError("matriser", ["Ange minst en matris (en fil per mätning)."])
    names = list(sources or [f"mätning {w + 1}" for w in range(len(matrices))])
    n = matrices[0].shape[0]
    sizes = {m.shape[0] for m in matrices}
    if len(sizes) > 1:
        raise WaveError("matriser", [f"{names[w]}: {m.shape[0]} elever, {names[0]}: {n}. "
                                     "Alla mätningar ska ha samma elever i samma ordning."
                                     for w, m in enumerate(matrices) if m.shape[0] != n])
    pupils = list(ids) if ids is not None else default_ids(n)
    if len(pupils) != n:
        raise WaveError("matriser", [f"{len(pupils)} elev-id men {n} rader i matriserna."])
    sexes = list(gender) if gender is not None else [""] * n
    if len(sexes) != n:
        raise WaveError("matriser", [f"Kön för {len(sexes)} elever men {n} i matriserna."])

    alias = partial(pupil_alias, key)

    waves = []
    for w, codes in enumerate(matrices):
        off = ~np.eye(n, dtype=bool)
        absent = np.array([bool(((codes[i] == STRUCTURAL_ZERO) | ~off[i]).all()
                                and ((codes[:, i] == STRUCTURAL_ZERO) | ~off[:, i]).all())
                           for i in range(n)])
        problems = []
        for i, j in zip(*np.nonzero((codes == STRUCTURAL_ZERO) & off), strict=True):
            if not (absent[i] or absent[j]):
                problems.append(f"Rad {i + 1}, kolumn {j + 1}: kod 10 (inte i klassen) men "
                                "båda eleverna är med i mätningen.")
        for i, j in zip(*np.nonzero(np.isin(codes, (0, 1, MISSING)) & off), strict=True):
            if absent[i] or absent[j]:
                problems.append(f"Rad {i + 1}, kolumn {j + 1}: elev {pupils[i if absent[i] else j]}"
                                " är inte med i mätningen men har ett värde.")
        if problems:
            raise WaveError(names[w], problems)
        present = [i for i in range(n) if not absent[i]]
        table = pd.DataFrame({
            "pupil_id": [alias(pupils[i]) for i in present],
            "class": class_name, "gender": [sexes[i] for i in present],
            "wellbeing": np.nan, "free_text": "", "alarm": False})
        friends = [(alias(pupils[i]), alias(pupils[j]))
                   for i, j in zip(*np.nonzero((codes == 1) & off), strict=True)]
        unknown = [(alias(pupils[i]), alias(pupils[j]))
                   for i, j in zip(*np.nonzero((codes == MISSING) & off), strict=True)]
        waves.append(Wave(number=w + 1, pupils=table, friends=friends, unknown=unknown,
                          source=names[w],
                          originals={alias(pupils[i]): pupils[i] for i in present}))
    return waves


def _wave_files(directory: Path, prefix: str) -> list[Path]:
    pattern = re.compile(re.escape(prefix) + r"(\d+)\.dat$")
    found = sorted(((int(m.group(1)), p) for p in Path(directory).iterdir()
                    if (m := pattern.fullmatch(p.name))), key=lambda x: x[0])
    if not found:
        raise WaveError(str(directory), [f"Inga filer {prefix}1.dat, {prefix}2.dat … i "
                                         "mappen."])
    numbers = [k for k, _ in found]
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        raise WaveError(str(directory), ["Mätningarna hoppar: " + ", ".join(
            p.name for _, p in found) + "."])
    return [p for _, p in found]


def read_matrix_waves(directory: Path, prefix: str, *, class_name: str | None = None,
                      gender: str | None = None, key: bytes | None = None) -> list[Wave]:
    """``{prefix}1.dat``, ``{prefix}2.dat`` … in ``directory`` as waves.

    ``gender``: a constant (``flicka``), or ``FILE[:COLUMN]`` of an attribute file coded
    1 girl, 2 boy (column 1 by default).
    """
    paths = _wave_files(Path(directory), prefix)
    matrices = [read_siena_matrix(p) for p in paths]
    n = matrices[0].shape[0] if matrices else 0
    sexes = None
    if gender:
        sexes = _gender(Path(directory), gender, n)
    return waves_from_matrices(matrices, class_name=class_name or Path(directory).name,
                               gender=sexes, key=key, sources=[p.name for p in paths])


def _gender(directory: Path, spec: str, n: int) -> list[str]:
    file, _, column = spec.partition(":")
    path = directory / file
    if not path.exists():
        return [spec] * n
    values = read_siena_attribute(path)
    index = int(column) - 1 if column.isdigit() else 0
    if values.shape[0] != n or not 0 <= index < values.shape[1]:
        raise WaveError(path.name, [f"{values.shape[0]} rader och {values.shape[1]} kolumner; "
                                    f"väntade {n} rader och kolumn {index + 1}."])
    return [_GIRL_BOY.get(int(v), "") for v in values[:, index]]


def default_ids(n: int) -> list[str]:
    """E1 … E9 for up to 9 pupils, E01 … E50 for up to 99: the matrices' row order."""
    width = len(str(n))
    return [f"E{i + 1:0{width}d}" for i in range(n)]


def read_behaviour_matrix(path: Path, waves: Sequence[Wave], *, first_wave: int = 1,
                          missing: Sequence[float] = (0,)) -> pd.DataFrame:
    """An attribute file (pupils in the matrices' row order) as one column per wave number,
    NaN where the code is ``missing`` or the pupil is not in the wave. ``waves`` are those
    ``waves_from_matrices`` made (their ``originals`` give the row order)."""
    values = read_siena_attribute(path)
    name = Path(path).name
    originals: dict[str, str] = {}
    for wave in waves:
        originals.update(wave.originals)
    order = sorted(originals, key=lambda alias: originals[alias])
    if values.shape[0] != len(order):
        raise WaveError(name, [f"{values.shape[0]} rader men {len(order)} elever i "
                               "matriserna."])
    last = first_wave + values.shape[1] - 1
    if first_wave < 1 or last > len(waves):
        raise WaveError(name, [f"{values.shape[1]} kolumner från mätning {first_wave}, men "
                               f"det finns {len(waves)} mätningar (ange första mätningen "
                               "med FIL@N)."])
    frame = pd.DataFrame(np.where(np.isin(values, list(missing)), np.nan, values),
                         index=pd.Index(order, name="pupil_id"),
                         columns=list(range(first_wave, last + 1)))
    for wave in waves:
        if wave.number in frame.columns:
            frame.loc[~frame.index.isin(wave.pupils["pupil_id"]), wave.number] = np.nan
    return frame


def write_behaviour(frame: pd.DataFrame, path: Path, *, name: str,
                    originals: Mapping[str, str] | None = None) -> Path:
    """``pupil_id, NAME_1, NAME_2, …`` (empty where unknown), the file ``--behaviour``
    reads."""
    table = frame.rename(columns=lambda w: f"{name}_{w}").reset_index()
    if originals:
        table["pupil_id"] = table["pupil_id"].map(lambda p: originals.get(p, p))
    table.to_csv(path, index=False, float_format="%g")
    return path


def read_behaviour(path: Path, *, key: bytes | None = None,
                   content: bytes | None = None) -> tuple[str, pd.DataFrame]:
    """A behaviour file: ``pupil_id`` and one column per wave (``alkohol_1``,
    ``alkohol_2`` …, or ``1``, ``2`` …); empty, 0 or text is unknown. Returns the name and
    the levels (index pseudonymised like the waves, columns wave numbers)."""
    table = read_table(Path(path), content=content)
    frame = table.frame.set_axis([str(c).strip() for c in table.frame.columns], axis=1)
    name = Path(path).name
    if "pupil_id" not in frame.columns:
        raise WaveError(name, ["Kolumnen pupil_id saknas. Finns: " + ", ".join(frame.columns)])
    columns = [c for c in frame.columns if c != "pupil_id"]
    numbers = [re.search(r"(\d+)$", c) for c in columns]
    if not columns or not all(numbers):
        raise WaveError(name, ["Varje kolumn utom pupil_id ska sluta med mätningens nummer "
                               "(t.ex. alkohol_1, alkohol_2). Finns: " + ", ".join(columns)])
    stem = re.sub(r"[_\s-]*\d+$", "", columns[0]) or Path(path).stem
    ids = frame["pupil_id"].astype(str).str.strip()
    duplicated = ids[ids.duplicated()].tolist()
    if duplicated:
        raise WaveError(name, [f"Elev-id {p!r} finns flera gånger." for p in duplicated])
    values = frame[columns].apply(lambda c: pd.to_numeric(
        c.astype(str).str.replace(",", "."), errors="coerce"))
    values = values.where(values != 0)
    values.columns = [int(m.group(1)) for m in numbers if m]
    values.index = [pupil_alias(key, p) for p in ids]
    values.index.name = "pupil_id"
    return stem, values


def read_edge_list(path: Path, *, pupils: pd.DataFrame | None = None,
                   class_name: str = "klass", key: bytes | None = None,
                   content: bytes | None = None) -> list[Wave]:
    """``from,to[,wave][,tie]`` as waves (``tie``: 1 tie, 0 no tie, 9 unknown).

    ``pupils`` (``pupil_id`` and optionally ``wave``, ``class``, ``gender``) names who is in
    each wave; an edge naming anyone else is refused. Without it, the pupils of a wave are
    those its edges name (a pupil who names nobody and is named by nobody is then not seen).
    """
    table = read_table(Path(path), content=content)
    frame = table.frame.set_axis([str(c).strip().lower() for c in table.frame.columns], axis=1)
    name = Path(path).name
    missing = [c for c in ("from", "to") if c not in frame.columns]
    if missing:
        raise WaveError(name, ["Kolumner saknas: " + ", ".join(missing) + ". Finns: "
                               + ", ".join(frame.columns)])
    problems: list[str] = []
    waves_of = frame["wave"].astype(str).str.strip() if "wave" in frame.columns else \
        pd.Series("1", index=frame.index)
    ties = frame["tie"].astype(str).str.strip() if "tie" in frame.columns else \
        pd.Series("1", index=frame.index)
    for i, (wave, tie) in enumerate(zip(waves_of, ties, strict=True)):
        row = i + table.first_row
        if not wave.isdigit() or int(wave) < 1:
            problems.append(f"Rad {row}: mätning {wave!r} ska vara 1, 2, 3 …")
        if tie not in ("0", "1", str(MISSING)):
            problems.append(f"Rad {row}: okänd kod {tie!r} i tie (1 vänskap, 0 ingen, "
                            "9 okänd).")
    if problems:
        raise WaveError(name, problems)
    numbers = waves_of.astype(int)
    count = int(numbers.max()) if len(numbers) else 1
    roster: dict[int, dict[str, str]] = {}
    genders: dict[str, str] = {}
    classes: dict[str, str] = {}
    if pupils is not None:
        pupils = pupils.set_axis([str(c).strip().lower() for c in pupils.columns], axis=1)
        if "pupil_id" not in pupils.columns:
            raise WaveError("elevlista", ["Kolumnen pupil_id saknas."])
        for _, person in pupils.iterrows():
            pid = str(person["pupil_id"]).strip()
            genders[pid] = str(person.get("gender", "") or "").strip().lower()
            classes[pid] = str(person.get("class", class_name) or class_name).strip()
            listed = str(person.get("wave", "")).strip()
            for w in ([int(listed)] if listed.isdigit() else range(1, count + 1)):
                roster.setdefault(w, {})[pid] = pid
        count = max(count, *roster) if roster else count
    for i, (a, b, w) in enumerate(zip(frame["from"].astype(str).str.strip(),
                                      frame["to"].astype(str).str.strip(), numbers,
                                      strict=True)):
        row = i + table.first_row
        if a == b:
            problems.append(f"Rad {row}: {a!r} är vän med sig själv.")
        for pupil in (a, b):
            if pupils is not None and pupil not in roster.get(int(w), {}):
                problems.append(f"Rad {row}: elev {pupil!r} finns inte i mätning {w} "
                                "(inte med i elevlistan för den mätningen).")
    if problems:
        raise WaveError(name, problems)

    alias = partial(pupil_alias, key)

    waves = []
    for w in range(1, count + 1):
        part = frame[numbers == w]
        codes = ties[numbers == w]
        present = list(roster.get(w, {})) if pupils is not None else list(dict.fromkeys(
            [*part["from"].astype(str).str.strip(), *part["to"].astype(str).str.strip()]))
        rows = pd.DataFrame({
            "pupil_id": [alias(p) for p in present],
            "class": [classes.get(p, class_name) for p in present],
            "gender": [genders.get(p, "") for p in present],
            "wellbeing": np.nan, "free_text": "", "alarm": False})
        pairs = list(zip(part["from"].astype(str).str.strip(),
                         part["to"].astype(str).str.strip(), codes, strict=True))
        waves.append(Wave(
            number=w, pupils=rows, source=f"{name} (mätning {w})",
            friends=list(dict.fromkeys((alias(a), alias(b)) for a, b, c in pairs
                                       if c == "1")),
            unknown=list(dict.fromkeys((alias(a), alias(b)) for a, b, c in pairs
                                       if c == str(MISSING))),
            originals={alias(p): p for p in present}))
    return waves


def write_survey_waves(waves: Sequence[Wave], folder: Path, *, stem: str = "matning"
                       ) -> list[Path]:
    """One survey CSV per wave (the columns ``read_wave`` reads; ``friends_unknown`` keeps
    missing ties missing). Ids are the waves' originals when they have them."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for wave in waves:
        shown = {p: wave.originals.get(p, p) for p in wave.pupils["pupil_id"]}
        named: dict[str, list[str]] = {p: [] for p in shown}
        unknown: dict[str, list[str]] = {p: [] for p in shown}
        for a, b in wave.friends:
            named[a].append(shown[b])
        for a, b in wave.unknown:
            unknown[a].append(shown[b])
        table = pd.DataFrame({
            "pupil_id": [shown[p] for p in shown],
            "class": wave.pupils["class"].to_numpy(),
            "gender": wave.pupils["gender"].to_numpy(),
            "friends": [" ".join(named[p]) for p in shown],
            "mean_to_me": "", "defends_me": "",
            UNKNOWN: [" ".join(unknown[p]) for p in shown]})
        path = folder / f"{stem}{wave.number}.csv"
        table.to_csv(path, index=False)
        paths.append(path)
    return paths
