"""Demo data for cases: models trained on synthetic economic assistance, one assessed batch
with a capacity plan, and a few recorded decisions so the override panel has something to show."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select

from kraftsamling import __version__
from kraftsamling.cases._service import CaseModels, case_models, train_case_models
from kraftsamling.cases._store import CasePerson, assess_cases, record_decision, save_assessment
from kraftsamling.cases._synth import synthetic_economic_assistance
from kraftsamling.settings import Settings, pseudonym_key
from kraftsamling.store import Database

__all__ = ["build_cases_demo"]

DEMO_TRAINING_ROWS = 2000
DEMO_HOUSEHOLDS = 150
DEMO_PLACES = {"jobbtorg": 15, "sprakpraktik": 10, "subventionerad_anstallning": 8,
               "studier": 8}
DEMO_OVERRIDES = ("Personen har redan fått en plats via Arbetsförmedlingen.",
                  "Hälsoskäl: kan inte delta på heltid just nu.")


def _fingerprint(seed: int) -> str:
    """Changes whenever the synthetic data, the register or the modelling code change."""
    digest = hashlib.sha256(f"{__version__}:{seed}:{DEMO_TRAINING_ROWS}".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")) + sorted(
            (Path(__file__).parent / "data").glob("*.toml")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _train(seed: int) -> CaseModels:
    training = synthetic_economic_assistance(DEMO_TRAINING_ROWS, seed=seed + 21)
    models = train_case_models(training.data, kind="economic-assistance", n_boot=100,
                               seed=seed)
    models.synthetic = True
    return models


def _demo_models(settings: Settings, seed: int) -> CaseModels:
    """Trained once on synthetic data (nothing personal), kept in the shared cache by the
    model store (a broken cache file is trained again), and installed as the demo's."""
    store = case_models("economic-assistance", train_demo=lambda _: _train(seed),
                        fingerprint=lambda _: _fingerprint(seed))
    models = store.demo(settings)
    store.save(models, settings)
    return models


def build_cases_demo(database: Database, settings: Settings, seed: int) -> str:
    models = _demo_models(settings, seed)
    batch_data = synthetic_economic_assistance(DEMO_HOUSEHOLDS, seed=seed + 22).data
    assessment = assess_cases(models, batch_data, DEMO_PLACES, key=pseudonym_key(settings),
                              fair_by="district")
    with database.session() as session:
        batch = save_assessment(session, assessment, filename="demohushall.csv",
                                imported_by="demo", demo_model=True)
        persons = session.scalars(select(CasePerson).where(CasePerson.batch_id == batch.id)
                                  .order_by(CasePerson.risk.desc()).limit(12)).all()
        for i, person in enumerate(persons):
            overridden = i % 4 == 3
            decision = "ingen" if overridden and person.planned != "ingen" else person.planned
            if overridden and decision == person.planned:
                decision = next(o["name"] for o in person.options if o["name"] != person.planned)
            record_decision(session, person, decided_by="handlaggare", decision=decision,
                            reason=DEMO_OVERRIDES[i % 2] if decision != person.planned else "")
    example = batch_data["household_id"].iloc[0]
    return (f"{DEMO_HOUSEHOLDS} syntetiska hushåll bedömda och fördelade på "
            f"{sum(DEMO_PLACES.values())} platser (/cases); sök t.ex. ärendenummer {example}.")
