"""Demo data for the class twin: a synthetic school's three waves, imported as staff would."""

from __future__ import annotations

import tempfile
from pathlib import Path

from kraftsamling.privacy import Pseudonymization
from kraftsamling.settings import Settings, pseudonym_key
from kraftsamling.store import Database
from kraftsamling.twin._service import build_twins, read_waves, score_alarms
from kraftsamling.twin._store import save_twins
from kraftsamling.twin._synth import synthetic_school, write_waves

__all__ = ["build_twin_demo"]


def build_twin_demo(database: Database, settings: Settings, seed: int) -> str:
    from kraftsamling.autolarm import load_detector

    school = synthetic_school(n_classes=2, class_size=24, n_waves=3, seed=seed + 31)
    privacy = Pseudonymization.for_settings(settings)
    with tempfile.TemporaryDirectory() as folder:
        paths = write_waves(school, Path(folder))
        waves = read_waves(paths, key=pseudonym_key(settings), redact=privacy.text)
    score_alarms(waves, load_detector(settings))
    twins, risk, evaluation = build_twins(waves, runs=200, seed=seed)
    with database.session() as session:
        save_twins(session, waves, twins, risk, filenames=[p.name for p in paths],
                   imported_by="demo", evaluation=evaluation)
    first = school.waves[-1]["pupil_id"].iloc[0]
    return (f"Klasstvilling: {len(twins)} syntetiska klasser med tre mätningar (/twin); "
            f"sök t.ex. elev {first}.")
