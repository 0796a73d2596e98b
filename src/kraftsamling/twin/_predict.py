"""Who is likely to be victimised next term, and why — learned from the school's own waves.

A logistic regression on standardised network features: its probabilities are calibrated
by construction on the waves it learns from (the benchmark checks it on a later wave), and
each pupil's reasons are the features' contributions to the log-odds, in plain Swedish.
Training pairs a wave's features with the next wave's victimisation (1→2, 2→3, …); a model
is judged only on a transition later than those it learned from.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from kraftsamling.twin._network import FEATURE_LABELS, pupil_features
from kraftsamling.twin._survey import Wave

__all__ = ["PREDICTORS", "VictimisationModel", "transition_table", "transitions"]

PREDICTORS = ["victimised", "mean_nominations", "defenders", "in_degree", "out_degree",
              "reciprocated", "isolated", "popularity", "group_size", "victimised_friends",
              "homophily", "bullying_others", "wellbeing", "low_wellbeing", "alarm",
              "class_density", "class_victim_share"]


def transition_table(earlier: Wave, later: Wave) -> pd.DataFrame:
    """Features at ``earlier`` with ``victimised_next`` from ``later`` (pupils in both)."""
    features = pupil_features(earlier)
    victims = dict(zip(later.pupils["pupil_id"], later.victimised(), strict=True))
    features = features[features["pupil_id"].isin(victims)].copy()
    features["victimised_next"] = features["pupil_id"].map(victims).astype(int)
    return features.reset_index(drop=True)


def transitions(waves: Sequence[Wave]) -> pd.DataFrame:
    """Every consecutive pair of waves stacked, with the earlier wave's number."""
    if len(waves) < 2:
        raise ValueError("Minst två mätningar behövs för att lära sig vad som händer till "
                         "nästa termin.")
    parts = [transition_table(a, b).assign(wave=a.number) for a, b in pairwise(waves)]
    return pd.concat(parts, ignore_index=True)


class VictimisationModel(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Probability of being victimised next wave, with each pupil's reasons."""

    def __init__(self, *, C: float = 0.5, features: Sequence[str] | None = None) -> None:
        self.C = C
        self.features = features

    def fit(self, X: pd.DataFrame, y: Any) -> VictimisationModel:
        columns = list(self.features or PREDICTORS)
        missing = [c for c in columns if c not in X.columns]
        if missing:
            raise ValueError("Saknade variabler: " + ", ".join(missing))
        target = np.asarray(y, dtype=int)
        if len(set(target)) < 2:
            raise ValueError("Träningsdata behöver både elever som blev utsatta och elever som "
                             "inte blev det.")
        self.columns_ = columns
        self.scaler_ = StandardScaler().fit(X[columns].to_numpy(float))
        self.model_ = LogisticRegression(C=self.C, max_iter=2000).fit(
            self.scaler_.transform(X[columns].to_numpy(float)), target)
        self.classes_ = self.model_.classes_
        self.n_training_ = len(target)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray[Any, Any]:
        return np.asarray(self.model_.predict_proba(
            self.scaler_.transform(X[self.columns_].to_numpy(float))))

    def predict(self, X: pd.DataFrame) -> np.ndarray[Any, Any]:
        return np.asarray((self.predict_proba(X)[:, 1] >= 0.5).astype(int))

    def reasons(self, X: pd.DataFrame, *, top: int = 3, min_risk: float = 0.1
                ) -> list[list[str]]:
        """The features that raise each pupil's risk most, as Swedish sentences.

        Below ``min_risk`` no reasons are given: "0 victimised friends" raising a 3 % risk
        a little explains nothing a teacher needs to act on.
        """
        z = self.scaler_.transform(X[self.columns_].to_numpy(float))
        contributions = z * self.model_.coef_[0][None, :]
        raw = X[self.columns_].to_numpy(float)
        risk = self.predict_proba(X)[:, 1]
        answer = []
        for i in range(len(X)):
            if risk[i] < min_risk:
                answer.append(["Låg risk: inget sticker ut."])
                continue
            sentences: list[str] = []
            said: set[str] = set()
            for j in np.argsort(-contributions[i]):
                feature = self.columns_[j]
                if contributions[i, j] <= 0.05 or len(sentences) == top:
                    break
                if feature in _FLAGS and raw[i, j] < 0.5:
                    continue  # "not isolated" is not a reason for risk
                if _TOPIC.get(feature, feature) in said:
                    continue  # wellbeing and low wellbeing say the same thing
                said.add(_TOPIC.get(feature, feature))
                sentences.append(_sentence(feature, raw[i, j]))
            answer.append(sentences or ["Inget enskilt drag höjer risken märkbart."])
        return answer


_FLAGS = ("victimised", "isolated", "alarm", "low_wellbeing")
_TOPIC = {"low_wellbeing": "wellbeing", "mean_nominations": "victimised",
          "reciprocated": "isolated"}


def _sentence(feature: str, value: float) -> str:
    label = FEATURE_LABELS.get(feature, feature)
    if feature in _FLAGS:
        return label.capitalize() + "."
    if feature in ("popularity", "homophily", "class_density", "class_victim_share"):
        return f"{label.capitalize()}: {100 * value:.0f} %."
    shown = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return f"{label.capitalize()}: {shown}."
