"""Synthetic schools with known true dynamics, for tests and benchmarks.

Each class runs the same term model the simulator uses (``ClassroomModel``) with known
parameters: a burn-in term sets up friendships and bullying, then each further term gives a
survey wave. Between terms, being victimised raises a pupil's vulnerability and lowers their
wellbeing, as longitudinal studies find. The waves look like what a school exports — one row
per pupil with nominations as ids — so every importer and model is exercised on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kraftsamling.twin._model import ClassroomModel, ClassState, TermParameters

__all__ = ["SyntheticSchool", "synthetic_school", "write_waves"]

GENDERS = ("flicka", "pojke")
VICTIM_TEXTS = (
    "dom är dumma mot mig varje dag och ingen hjälper",
    "jag vill inte gå till skolan längre, de retar mig hela tiden",
    "ingen vill vara med mig på rasterna",
    "de säger att jag ska dö och att alla hatar mig",
)
OTHER_TEXTS = ("det är bra i klassen", "", "", "fotbollen på rasten är kul", "", "")


@dataclass
class SyntheticSchool:
    """Waves as tables (one row per pupil) and the hidden truth per pupil and wave."""

    waves: list[pd.DataFrame]
    truth: pd.DataFrame
    parameters: TermParameters
    states: list[dict[str, ClassState]] = field(default_factory=list)


def _wellbeing(vulnerability: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return np.clip(np.round(3.4 - 0.7 * vulnerability + rng.normal(0, 0.6, len(vulnerability))),
                   1, 5)


def _table(state: ClassState, class_name: str, wave: int,
           rng: np.random.Generator) -> pd.DataFrame:
    def names(matrix: np.ndarray, row: int, column: bool = False) -> str:
        picked = np.flatnonzero(matrix[:, row] if column else matrix[row])
        return " ".join(state.ids[j] for j in picked)

    victims = state.victimised
    rows = []
    for i, pupil in enumerate(state.ids):
        text = (str(rng.choice(VICTIM_TEXTS)) if victims[i] and rng.random() < 0.5
                else str(rng.choice(OTHER_TEXTS)))
        rows.append({"pupil_id": pupil, "class": class_name,
                     "gender": GENDERS[int(state.gender[i])],
                     "friends": names(state.friends, i),
                     "mean_to_me": names(state.bullies, i, column=True),
                     "defends_me": names(state.defends, i, column=True),
                     "wellbeing": int(state.wellbeing[i]), "free_text": text})
    return pd.DataFrame(rows)


def synthetic_school(*, n_classes: int = 4, class_size: int = 25, n_waves: int = 3,
                     parameters: TermParameters | None = None,
                     seed: int = 0) -> SyntheticSchool:
    """``n_classes`` classes observed in ``n_waves`` waves, one term apart."""
    if n_classes < 1 or class_size < 4 or n_waves < 1:
        raise ValueError("Minst en klass med fyra elever och en mätning behövs.")
    rng = np.random.default_rng(seed)
    params = parameters or TermParameters()
    waves: list[list[pd.DataFrame]] = [[] for _ in range(n_waves)]
    truth_rows = []
    states: list[dict[str, ClassState]] = [{} for _ in range(n_waves)]
    for c in range(n_classes):
        class_name = f"{7 + c // 2}{'ABCD'[c % 2]}" if n_classes <= 8 else f"K{c + 1}"
        n = class_size
        ids = [f"E{c + 1:02d}{i + 1:02d}" for i in range(n)]
        vulnerability = rng.normal(0, 1, n)
        state = ClassState(
            ids=ids, gender=rng.integers(0, 2, n), wellbeing=_wellbeing(vulnerability, rng),
            status=rng.normal(0, 1, n), vulnerability=vulnerability,
            empathy=rng.normal(0, 1, n), friends=np.zeros((n, n), bool),
            bullies=np.zeros((n, n), bool), defends=np.zeros((n, n), bool))
        burn_in = params.with_values(steps=3 * params.steps)
        seed_c = int(rng.integers(0, 2**31))
        state = ClassroomModel(state, burn_in, seed=seed_c).run()
        for w in range(n_waves):
            if w > 0:
                state = ClassroomModel(state, params, seed=seed_c + w).run()
            victims = state.victimised
            states[w][class_name] = state.copy()
            waves[w].append(_table(state, class_name, w + 1, rng))
            truth_rows += [{"wave": w + 1, "pupil_id": pid, "class": class_name,
                            "status": state.status[i], "vulnerability": state.vulnerability[i],
                            "empathy": state.empathy[i], "victimised": bool(victims[i])}
                           for i, pid in enumerate(ids)]
            # What a term of victimisation does to a pupil, seen at the next wave.
            state.vulnerability = state.vulnerability + np.where(victims, 0.5, -0.15)
            state.wellbeing = _wellbeing(state.vulnerability, rng)
    return SyntheticSchool(waves=[pd.concat(w, ignore_index=True) for w in waves],
                           truth=pd.DataFrame(truth_rows), parameters=params, states=states)


def write_waves(school: SyntheticSchool, folder: Path, *, stem: str = "termin") -> list[Path]:
    """One CSV per wave, written the way Swedish Excel writes them (';', UTF-8)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for w, table in enumerate(school.waves, start=1):
        path = folder / f"{stem}{w}.csv"
        table.to_csv(path, index=False, sep=";")
        paths.append(path)
    return paths
