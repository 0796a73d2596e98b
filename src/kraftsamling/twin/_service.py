"""The twin's workflow on a school's waves: read, predict next term, simulate what-ifs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kraftsamling._metrics import calibration_error
from kraftsamling.twin._gof import evaluate_twin
from kraftsamling.twin._model import ClassState, TermParameters
from kraftsamling.twin._network import class_features, class_state, pupil_features
from kraftsamling.twin._predict import VictimisationModel, transition_table, transitions
from kraftsamling.twin._simulate import (
    Intervention,
    compare_interventions,
    fit_parameters,
)
from kraftsamling.twin._survey import Wave, read_wave

__all__ = ["DEFAULT_INTERVENTIONS", "QUICK_FIT", "ClassTwin", "build_twins", "calibration_error",
           "class_twin", "evaluate_prediction", "predict_next", "read_waves", "score_alarms"]

# the web page's fit: fewer iterations than ``twin evaluate`` (a quick look, not a report)
QUICK_FIT = {"iterations": 5, "runs_per_iteration": 40, "subphases": 2, "averaging": 20}
DEFAULT_INTERVENTIONS = (Intervention("regroup"), Intervention("defenders"),
                         Intervention("adults", amount=0.3), Intervention("buddies"))

Note = Callable[[str], None]


def read_waves(paths: Sequence[Path], *, key: bytes | None = None,
               redact: Callable[[str], str] | None = None,
               keep_originals: bool = False) -> list[Wave]:
    """Waves in the order given (1, 2, 3 …); the first bad file stops everything."""
    if not paths:
        raise ValueError("Ange minst en mätning (en fil per termin).")
    return [read_wave(Path(p), number=i + 1, key=key, redact=redact,
                      keep_originals=keep_originals) for i, p in enumerate(paths)]


def score_alarms(waves: Sequence[Wave], detector: Any) -> int:
    """Mark pupils whose free text autolarm flags (concern or urgent); returns how many."""
    flagged = 0
    for wave in waves:
        texts = wave.pupils["free_text"].fillna("").astype(str).tolist()
        rows = [i for i, t in enumerate(texts) if t.strip()]
        if not rows:
            continue
        assessments = detector.assess([texts[i] for i in rows])
        alarm = np.zeros(len(texts), dtype=bool)
        for i, assessment in zip(rows, assessments, strict=True):
            alarm[i] = assessment.level.value != "none"
        wave.pupils["alarm"] = alarm
        flagged += int(alarm.sum())
    return flagged


def evaluate_prediction(waves: Sequence[Wave]) -> dict[str, float]:
    """Train on every transition but the last, test on the last (e.g. 1→2, then 2→3)."""
    from sklearn.metrics import brier_score_loss, roc_auc_score

    if len(waves) < 3:
        raise ValueError("Utvärdering kräver minst tre mätningar (träna 1→2, testa 2→3).")
    train = transitions(waves[:-1])
    test = transition_table(waves[-2], waves[-1])
    model = VictimisationModel().fit(train, train["victimised_next"])
    y = test["victimised_next"].to_numpy(int)
    p = model.predict_proba(test)[:, 1]
    if len(set(y)) < 2:
        raise ValueError("Sista mätningen har inga (eller bara) utsatta elever; AUC saknas.")
    return {"auc": float(roc_auc_score(y, p)),
            "carry_forward_auc": float(roc_auc_score(y, test["victimised"])),
            "brier": float(brier_score_loss(y, p)),
            "calibration_error": calibration_error(y, p, bins=5),  # few pupils: five bins
            "n_train": float(len(train)), "n_test": float(len(y)),
            "prevalence": float(y.mean())}


def predict_next(waves: Sequence[Wave]) -> pd.DataFrame:
    """Each pupil's risk of being victimised next term, from a model of all transitions."""
    table = transitions(waves)
    model = VictimisationModel().fit(table, table["victimised_next"])
    latest = pupil_features(waves[-1])
    risk = model.predict_proba(latest)[:, 1]
    reasons = model.reasons(latest)
    answer = pd.DataFrame({"pupil_id": latest["pupil_id"], "class": latest["class"],
                           "risk": np.round(risk, 4),
                           "victimised_now": latest["victimised"].astype(bool),
                           "reasons": [" ".join(r) for r in reasons]})
    return answer.sort_values(["class", "risk"], ascending=[True, False]).reset_index(
        drop=True)


@dataclass
class ClassTwin:
    """One class's twin: its state now, the fitted rules and the what-if comparison."""

    class_name: str
    state: ClassState
    parameters: TermParameters
    summary: pd.DataFrame
    risks: pd.DataFrame
    features: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    fit: dict[str, Any] | None = None  # goodness of fit on the last wave (three or more)


def class_twin(waves: Sequence[Wave], class_name: str, interventions: Sequence[Intervention],
               *, runs: int = 500, fit_runs: int = 30, seed: int = 0,
               note: Note | None = None) -> ClassTwin:
    """Fit the class's rates to its waves, then simulate next term with each intervention."""
    say = note or (lambda _: None)
    present = [w for w in waves if class_name in w.classes]
    if not present:
        raise ValueError(f"Klassen {class_name!r} finns inte i mätningarna. Finns: "
                         + ", ".join(sorted({c for w in waves for c in w.classes})))
    states = [class_state(w, class_name) for w in present]
    notes = []
    pairs = []
    for earlier, later in pairwise(states):
        shared = [p for p in earlier.ids if p in set(later.ids)]
        if len(shared) >= 4:
            pairs.append((earlier, later))
    if pairs:
        say(f"{class_name}: anpassar takten till klassens {len(pairs) + 1} mätningar …")
        parameters = fit_parameters(pairs, runs=fit_runs, seed=seed)
    else:
        parameters = TermParameters()
        notes.append("Bara en mätning: standardvärden används, inte klassens egen takt.")
    say(f"{class_name}: simulerar {runs} terminer per insats …")
    summary, risks = compare_interventions(states[-1], interventions, parameters=parameters,
                                           runs=runs, seed=seed)
    return ClassTwin(class_name=class_name, state=states[-1], parameters=parameters,
                     summary=summary, risks=risks,
                     features=class_features(present[-1], class_name), notes=notes)


def build_twins(waves: Sequence[Wave], *, runs: int = 200, seed: int = 0,
                interventions: Sequence[Intervention] = DEFAULT_INTERVENTIONS,
                note: Note | None = None
                ) -> tuple[list[ClassTwin], pd.DataFrame, dict[str, float]]:
    """Everything the web app shows for a school: a twin per class of the latest wave, the
    risk list (when there are two waves or more), the evaluation and each class's goodness
    of fit on its last wave (three or more; a quicker fit than ``twin evaluate``'s)."""
    risk = pd.DataFrame(columns=["pupil_id", "class", "risk", "victimised_now", "reasons"])
    evaluation: dict[str, float] = {}
    if len(waves) >= 2:
        try:
            risk = predict_next(waves)
        except ValueError as error:  # e.g. nobody victimised in the earlier waves
            if note is not None:
                note(str(error))
    if len(waves) >= 3:
        try:
            evaluation = evaluate_prediction(waves)
        except ValueError:
            evaluation = {}
    twins = [class_twin(waves, name, interventions, runs=runs, seed=seed, note=note)
             for name in waves[-1].classes]
    if len(waves) >= 3:
        for twin in twins:
            try:
                twin.fit = evaluate_twin(waves, twin.class_name, runs=runs, seed=seed,
                                         fit_options=QUICK_FIT).summary()
            except ValueError as error:  # e.g. too few pupils in two waves in a row
                twin.notes.append(str(error))
    return twins, risk, evaluation
