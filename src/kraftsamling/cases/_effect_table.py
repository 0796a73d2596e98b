"""An effect estimate from a table as a person hands it over: columns named, the treatment
coded (0/1, ja/nej, or one value against a control), the options checked in Swedish."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import pandas as pd

from kraftsamling.cases._effect import CATE_METHODS, EffectEstimate, EffectEstimator
from kraftsamling.cases._learners import SELECTIONS

__all__ = ["TableEffect", "effect_from_table"]

BINARY = {"1": 1, "0": 0, "true": 1, "false": 0, "ja": 1, "nej": 0, "1.0": 1, "0.0": 0}


@dataclass
class TableEffect:
    """The estimate and the rows it was estimated on (with ``cate`` columns if per row)."""

    result: EffectEstimate
    rows: pd.DataFrame


def _treatment(frame: pd.DataFrame, treatment: str, treated: str | None, control: str
               ) -> tuple[pd.DataFrame, pd.Series]:
    values = frame[treatment]
    if treated is not None:
        frame = frame[values.astype(str).isin([treated, control])].reset_index(drop=True)
        return frame, (frame[treatment].astype(str) == treated).astype(int)
    lowered = values.astype(str).str.strip().str.lower()
    if not lowered.isin(list(BINARY)).all():
        levels = ", ".join(sorted(values.astype(str).unique())[:8])
        raise ValueError(f"Insatsen {treatment!r} är inte 0/1 (värden: {levels}). "
                         "Ange --treated VÄRDE.")
    return frame, lowered.map(BINARY).astype(int)


def effect_from_table(frame: pd.DataFrame, *, treatment: str, outcome: str,
                      covariates: list[str] | None = None, treated: str | None = None,
                      control: str = "ingen", estimand: str = "ate", per_row: bool = True,
                      cate_method: str = "auto", selection: str = "auto") -> TableEffect:
    """Check, code and estimate; every problem a ``ValueError`` in Swedish."""
    for column in (treatment, outcome):
        if column not in frame.columns:
            raise ValueError(f"Kolumnen {column!r} finns inte. Finns: "
                             + ", ".join(map(str, frame.columns)))
    if estimand not in ("ate", "att"):
        raise ValueError("--estimand måste vara ate eller att.")
    if cate_method not in CATE_METHODS:
        raise ValueError("--cate-method måste vara en av: " + ", ".join(CATE_METHODS) + ".")
    if selection not in SELECTIONS:
        raise ValueError("--selection måste vara en av: " + ", ".join(SELECTIONS) + ".")
    names = covariates or [c for c in frame.columns if c not in (treatment, outcome)]
    unknown = [c for c in names if c not in frame.columns]
    if unknown:
        raise ValueError("Okända kovariater: " + ", ".join(unknown))
    frame, t = _treatment(frame, treatment, treated, control)
    y = frame[outcome]
    if not pd.api.types.is_numeric_dtype(y) or y.isna().any():
        raise ValueError(f"Utfallet {outcome!r} måste vara tal utan tomma rader.")
    x = frame[names]
    estimator = EffectEstimator(estimand=cast(Any, estimand), cate=per_row,
                                cate_method=cast(Any, cate_method),
                                selection=cast(Any, selection)).fit(x, t, y)
    result = estimator.estimate(x)
    rows = frame.copy()
    if per_row:
        rows["cate"], rows["cate_low"], rows["cate_high"] = \
            result.cate, result.cate_low, result.cate_high
    return TableEffect(result, rows)
