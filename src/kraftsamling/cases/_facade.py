"""Cases' public API for every door (the CLI, the web app, the demo): one method each."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from kraftsamling.cases._allocate import Allocation
from kraftsamling.cases._card import render_model_card
from kraftsamling.cases._effect_table import TableEffect, effect_from_table
from kraftsamling.cases._fairness import FeatureRegister
from kraftsamling.cases._service import (
    CaseModels,
    allocation_plan,
    case_model_path,
    predict_cases,
    read_case_table,
    train_case_models,
)
from kraftsamling.cases._store import assess_cases, save_assessment
from kraftsamling.privacy import Pseudonymization
from kraftsamling.services import ModuleService

__all__ = ["CaseService"]

DEFAULT_KIND = "economic-assistance"


class CaseService(ModuleService):
    """Import (assess and store), train, assess (predict, allocate, effects), report."""

    def read(self, source: Path, *, content: bytes | None = None,
             kind: str | None = None) -> pd.DataFrame:
        """A case file; with ``kind``, its headers read as that kind's schema declares."""
        return read_case_table(source, content=content, kind=kind)

    def model_path(self, kind: str | None = None, model: Path | None = None) -> Path:
        return model or case_model_path(self.settings.data_dir, kind or DEFAULT_KIND)

    def models(self, kind: str | None = None, model: Path | None = None) -> CaseModels:
        return CaseModels.load(self.model_path(kind, model))

    def train(self, source: Path, *, kind: str = DEFAULT_KIND, model: Path | None = None,
              register: Path | None = None) -> tuple[CaseModels, Path]:
        """Train the risk, effect and audit models on a file and save them."""
        frame = self.read(source, kind=kind)
        rules = FeatureRegister.from_toml(register or self.settings.cases_register)
        models = train_case_models(frame, kind=kind, register=rules, progress=self.note)
        return models, models.save(self.model_path(kind, model))

    def effect(self, source: Path, **options: Any) -> TableEffect:
        """An intervention's average effect (and per row) from a file; options as
        :func:`kraftsamling.cases.effect_from_table`."""
        return effect_from_table(self.read(source), **options)

    def predict(self, source: Path, *, kind: str = DEFAULT_KIND,
                model: Path | None = None) -> pd.DataFrame:
        return predict_cases(self.models(kind, model), self.read(source, kind=kind))

    def allocate(self, source: Path, capacity: Mapping[str, int], *, kind: str = DEFAULT_KIND,
                 model: Path | None = None, cost: Mapping[str, float] | None = None,
                 budget: float | None = None, fair_by: str | None = None,
                 min_ratio: float = 0.8) -> tuple[pd.DataFrame, dict[str, Allocation]]:
        return allocation_plan(self.models(kind, model), self.read(source, kind=kind), capacity,
                               cost=dict(cost or {}), budget=budget, fair_by=fair_by,
                               min_ratio=min_ratio if fair_by else None)

    def card(self, *, kind: str = DEFAULT_KIND, model: Path | None = None) -> str:
        return render_model_card(self.models(kind, model))

    def assess_and_store(self, frame: pd.DataFrame, models: CaseModels,
                         capacity: Mapping[str, int], *, filename: str, actor: str,
                         fair_by: str | None = None, client: str = "") -> int:
        """Assess a batch (ids hashed as ``CASE_ID`` declares) and store it with its
        ``cases.import`` audit event; returns the batch id."""
        privacy = Pseudonymization.for_settings(self.settings)
        assessment = assess_cases(models, frame, capacity, key=privacy.key, fair_by=fair_by)
        with self.database.session() as session:
            batch = save_assessment(session, assessment, filename=filename, imported_by=actor,
                                    demo_model=models.synthetic, client=client)
            return batch.id
