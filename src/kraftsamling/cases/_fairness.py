"""Fairness audit by group, with bootstrap intervals, and the register of forbidden features.

The audit uses Fairlearn's MetricFrame for selection rate, true and false positive rates and
calibration (mean predicted minus observed) per group, and resamples people to give each a
95 % interval. Disparities past the thresholds in ``cases/data/fairness.toml`` are flagged.

Forbidden features (citizenship, language, ethnicity — and birth region, which the audit
reads but no model may) are refused by :class:`FeatureRegister`; the remaining features are
tested for association with the forbidden and audit-only ones (Cramér's V), since a model
can rebuild a forbidden feature from its proxies.
"""

from __future__ import annotations

import tomllib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FairnessAudit", "FairnessFinding", "FeatureRegister", "ForbiddenFeatureError",
           "ProxyFlag", "cramers_v", "fairness_audit", "fairness_findings"]


class ForbiddenFeatureError(ValueError):
    """A model was asked to read a feature the register forbids."""


@dataclass
class ProxyFlag:
    feature: str
    protected: str
    cramers_v: float


def cramers_v(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Association between two columns, 0 (none) to 1 (one determines the other).

    Numbers with many values are cut into quintiles first.
    """
    from scipy.stats import chi2_contingency

    def as_categories(values: Sequence[Any]) -> pd.Series:
        series = pd.Series(values)
        if pd.api.types.is_numeric_dtype(series) and series.nunique() > 10:
            return pd.qcut(series, 5, duplicates="drop").astype(str)
        return series.astype(str)

    table = pd.crosstab(as_categories(a), as_categories(b))
    if min(table.shape) < 2:
        return 0.0
    chi2 = float(chi2_contingency(table, correction=False)[0])
    n = float(table.to_numpy().sum())
    return float(np.sqrt(chi2 / (n * (min(table.shape) - 1))))


@dataclass
class FeatureRegister:
    """Which columns no model may read, which only the audit may, and the proxy threshold."""

    forbidden: list[str]
    audit_only: list[str]
    proxy_threshold: float = 0.3
    thresholds: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_toml(cls, path: Path | None = None) -> FeatureRegister:
        if path is None:
            text = resources.files("kraftsamling.cases").joinpath("data/fairness.toml") \
                .read_text(encoding="utf-8")
        else:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except OSError as error:
                raise ValueError(f"Kan inte läsa registret {path}: {error.strerror}") from error
        try:
            config = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise ValueError(f"Registret är inte giltig TOML: {error}") from error
        register = config.get("register", {})
        return cls(forbidden=[str(c).lower() for c in register.get("forbidden", [])],
                   audit_only=[str(c).lower() for c in register.get("audit_only", [])],
                   proxy_threshold=float(register.get("proxy_threshold", 0.3)),
                   thresholds={k: float(v) for k, v in config.get("thresholds", {}).items()})

    def check(self, columns: Sequence[str]) -> None:
        """Raise :class:`ForbiddenFeatureError` if any column may not be a model feature."""
        refused = [c for c in columns if c.lower() in self.forbidden + self.audit_only]
        if refused:
            raise ForbiddenFeatureError(
                "Dessa kolumner får inte användas av en modell (registret över förbjudna "
                "variabler): " + ", ".join(refused) + ". Ta bort dem ur kovariaterna; "
                "granskningen läser dem ändå.")

    def allowed(self, columns: Sequence[str]) -> list[str]:
        return [c for c in columns if c.lower() not in self.forbidden + self.audit_only]

    def proxies(self, frame: pd.DataFrame, features: Sequence[str]) -> list[ProxyFlag]:
        """Features associated with a forbidden or audit-only column present in ``frame``."""
        protected = [c for c in frame.columns if c.lower() in self.forbidden + self.audit_only]
        flags = []
        for feature in features:
            for column in protected:
                value = cramers_v(frame[feature].tolist(), frame[column].tolist())
                if value >= self.proxy_threshold:
                    flags.append(ProxyFlag(feature, column, round(value, 3)))
        return sorted(flags, key=lambda f: -f.cramers_v)


@dataclass
class FairnessAudit:
    """Per attribute a table of metrics by group with intervals, and the flags raised."""

    tables: dict[str, pd.DataFrame]
    flags: list[str]

    def to_frame(self) -> pd.DataFrame:
        parts = [table.assign(attribut=name) for name, table in self.tables.items()]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


@dataclass(frozen=True)
class FairnessFinding:
    """One disparity past a threshold, as data, so that pages can say it in plain words.

    ``metric`` is ``selection_ratio`` (lowest selection rate over the highest), ``tpr`` or
    ``fpr`` (largest difference between groups) or ``calibration`` (the largest gap between
    mean predicted risk and observed outcome in a group). ``low``/``high`` name the groups
    at either end and ``low_value``/``high_value`` their rates (for calibration the worst
    group and its signed gap).
    """

    attribute: str
    metric: str
    value: float
    limit: float
    low: str
    high: str
    low_value: float
    high_value: float

    def text(self) -> str:
        """The flag as the CLI and the audit have always written it (Swedish)."""
        if self.metric == "selection_ratio":
            return (f"{self.attribute}: kvoten mellan lägsta och högsta urvalsandel är "
                    f"{self.value:.2f} (gräns {self.limit:.2f}).")
        if self.metric in ("tpr", "fpr"):
            return (f"{self.attribute}: skillnaden i {self.metric.upper()} mellan grupper är "
                    f"{self.value:.2f} (gräns {self.limit:.2f}).")
        return (f"{self.attribute}: risken är felkalibrerad med upp till {self.value:.2f} i "
                f"någon grupp (gräns {self.limit:.2f}).")


def fairness_findings(tables: dict[str, pd.DataFrame], thresholds: dict[str, float], *,
                      min_group: int = 30) -> list[FairnessFinding]:
    """The disparities past ``thresholds`` in the audit's per-group tables.

    Groups smaller than ``min_group`` are left out when at least two groups are large
    enough: their rates say too little.
    """
    findings: list[FairnessFinding] = []
    for attribute, full in tables.items():
        table = full[full["antal"] >= min_group].reset_index(drop=True) \
            if (full["antal"] >= min_group).sum() >= 2 else full
        if table.empty:
            continue
        groups = table["grupp"].astype(str).to_numpy()
        rates = table["urvalsandel"].to_numpy(float)
        limit = thresholds.get("selection_ratio", 0.8)
        if rates.max() > 0 and rates.min() / rates.max() < limit:
            lo, hi = int(np.argmin(rates)), int(np.argmax(rates))
            findings.append(FairnessFinding(attribute, "selection_ratio",
                                            float(rates.min() / rates.max()), limit,
                                            groups[lo], groups[hi], float(rates[lo]),
                                            float(rates[hi])))
        for metric, key in (("TPR", "tpr_difference"), ("FPR", "fpr_difference")):
            values = table[metric].to_numpy(float)
            limit = thresholds.get(key, 0.1)
            if not np.isfinite(values).any():
                continue
            gap = float(np.nanmax(values) - np.nanmin(values))
            if gap > limit:
                lo, hi = int(np.nanargmin(values)), int(np.nanargmax(values))
                findings.append(FairnessFinding(attribute, metric.lower(), gap, limit,
                                                groups[lo], groups[hi], float(values[lo]),
                                                float(values[hi])))
        gaps = table["kalibrering"].to_numpy(float)
        limit = thresholds.get("calibration_gap", 0.05)
        if np.isfinite(gaps).any():
            worst_at = int(np.nanargmax(np.abs(gaps)))
            worst = float(abs(gaps[worst_at]))
            if worst > limit:
                findings.append(FairnessFinding(attribute, "calibration", worst, limit,
                                                groups[worst_at], groups[worst_at],
                                                float(gaps[worst_at]), float(gaps[worst_at])))
    return findings


def _metrics(y: np.ndarray[Any, Any], score: np.ndarray[Any, Any], selected: np.ndarray[Any, Any],
             groups: np.ndarray[Any, Any]) -> pd.DataFrame:
    from fairlearn.metrics import (
        MetricFrame,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )

    def calibration_gap(y_true: Any, y_pred: Any) -> float:
        return float(np.mean(y_pred) - np.mean(y_true))

    def tpr(y_true: Any, y_pred: Any) -> float:
        return float(true_positive_rate(y_true, y_pred, pos_label=1)) \
            if np.any(np.asarray(y_true) == 1) else float("nan")

    def fpr(y_true: Any, y_pred: Any) -> float:
        return float(false_positive_rate(y_true, y_pred, pos_label=1)) \
            if np.any(np.asarray(y_true) == 0) else float("nan")

    labels = MetricFrame(metrics={"urvalsandel": selection_rate, "TPR": tpr, "FPR": fpr},
                         y_true=y, y_pred=selected, sensitive_features=groups).by_group
    calibration = MetricFrame(metrics={"kalibrering": calibration_gap}, y_true=y, y_pred=score,
                              sensitive_features=groups).by_group
    frame = pd.concat([labels, calibration], axis=1)
    frame["antal"] = pd.Series(groups).value_counts().reindex(frame.index).to_numpy()
    return pd.DataFrame(frame)


def _fast_metrics(y: np.ndarray[Any, Any], score: np.ndarray[Any, Any],
                  selected: np.ndarray[Any, Any], labels: np.ndarray[Any, Any],
                  rows: np.ndarray[Any, Any], index: pd.Index) -> np.ndarray[Any, Any]:
    """The same four metrics on a bootstrap resample, vectorised (MetricFrame per draw is
    too slow for hundreds of draws)."""
    frame = pd.DataFrame({"g": labels[rows], "y": y[rows], "p": score[rows],
                          "s": selected[rows]})
    frame["tp"] = frame["s"] * frame["y"]
    frame["fp"] = frame["s"] * (1 - frame["y"])
    sums = frame.groupby("g")[["y", "p", "s", "tp", "fp"]].sum().reindex(index)
    count = frame.groupby("g").size().reindex(index).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        negatives = count - sums["y"].to_numpy(float)
        return np.column_stack([
            sums["s"].to_numpy(float) / count,
            sums["tp"].to_numpy(float) / sums["y"].to_numpy(float),
            sums["fp"].to_numpy(float) / negatives,
            (sums["p"].to_numpy(float) - sums["y"].to_numpy(float)) / count])


def fairness_audit(y_true: Sequence[int] | np.ndarray[Any, Any],
                   score: Sequence[float] | np.ndarray[Any, Any], groups: pd.DataFrame, *,
                   threshold: float = 0.5, register: FeatureRegister | None = None,
                   n_boot: int = 200, min_group: int = 30, seed: int = 0) -> FairnessAudit:
    """Selection rate, TPR, FPR and calibration per group of each column in ``groups``.

    Groups smaller than ``min_group`` are shown but not flagged: their rates say too little.
    """
    rules = (register or FeatureRegister.from_toml()).thresholds
    y = np.asarray(y_true, dtype=int)
    p = np.asarray(score, dtype=float)
    if len(y) != len(p) or len(y) != len(groups):
        raise ValueError("Utfall, risk och grupper måste ha lika många rader.")
    selected = (p >= threshold).astype(int)
    rng = np.random.default_rng(seed)
    tables: dict[str, pd.DataFrame] = {}
    flags: list[str] = []
    for attribute in groups.columns:
        labels = groups[attribute].astype(str).to_numpy()
        table = _metrics(y, p, selected, labels)
        draws = [_fast_metrics(y, p, selected, labels, rng.integers(0, len(y), len(y)),
                               table.index) for _ in range(n_boot)]
        stacked = np.stack(draws)
        for j, metric in enumerate(["urvalsandel", "TPR", "FPR", "kalibrering"]):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                table[f"{metric}_låg"] = np.nanpercentile(stacked[:, :, j], 2.5, axis=0)
                table[f"{metric}_hög"] = np.nanpercentile(stacked[:, :, j], 97.5, axis=0)
        table = table.reset_index().rename(columns={table.index.name or "index": "grupp"})
        table.columns = ["grupp", *table.columns[1:]]
        tables[str(attribute)] = table
        flags.extend(f.text() for f in fairness_findings({str(attribute): table}, rules,
                                                          min_group=min_group))
    return FairnessAudit(tables, flags)
