"""The detector: rules and classifier combined, tuned so urgent answers are not missed.

An active urgent rule is decisive (the rules are written for precision). Beyond them, a
stacked logistic regression weighs what the rules found (active, or suppressed by negation,
idiom, teaching context or a resolved past) against the classifier's calibrated
probabilities. It is fitted on out-of-fold predictions, and its urgent threshold is the
highest one that still reaches the target recall on them. Every flagged answer carries its
categories and the evidence spans a reviewer should look at.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from kraftsamling.autolarm._model import AutolarmClassifier, FloatArray, embed, quick_level_model
from kraftsamling.autolarm._rules import RuleHit, RuleSet
from kraftsamling.autolarm._taxonomy import Category, Level

__all__ = ["Assessment", "Detector", "Evidence"]

# The model alone never needs more than this to call an answer urgent: recall comes first.
MAX_THRESHOLD = 0.5
# How much surer than its worst out-of-fold miss the quick screen must be to skip an answer.
SCREEN_MARGIN = 0.02
# ... and never less sure than this: the out-of-fold misses it learns from are few.
SCREEN_FLOOR = 0.9
URGENT_CATEGORIES = {Category.suicide, Category.self_harm, Category.abuse_home,
                     Category.sexual_abuse, Category.violence_threat, Category.honour_related,
                     Category.eating_disorder, Category.substance}


@dataclass(frozen=True)
class Evidence:
    start: int
    end: int
    source: str  # rule id, or "classifier"
    category: str


@dataclass(frozen=True)
class Assessment:
    """What autolarm says about one answer."""

    level: Level
    score: float  # combined probability that the answer is urgent
    categories: tuple[Category, ...]
    evidence: tuple[Evidence, ...] = ()
    uncertainty: float = 0.0  # 1 at the urgent threshold, 0 far from it: label these first
    suppressed: tuple[str, ...] = field(default=())  # why rule hits were set aside

    def as_dict(self, text: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = {
            "level": self.level.value,
            "score": round(self.score, 4),
            "categories": [c.value for c in self.categories],
            "evidence": [{"start": e.start, "end": e.end, "source": e.source,
                          "category": e.category} for e in self.evidence],
        }
        if text is not None:
            result["evidence_text"] = [text[e.start:e.end] for e in self.evidence]
        return result


def _rule_features(hits: Sequence[RuleHit]) -> list[float]:
    active = [h for h in hits if h.active]
    suppressed = [h for h in hits if not h.active]
    return [
        float(any(h.level is Level.urgent for h in active)),
        float(any(h.level is Level.concern for h in active)),
        float(any(h.level is Level.urgent for h in suppressed)),
        float(any(h.level is Level.concern for h in suppressed)),
        float(len({h.category for h in active})),
    ]


class Detector:
    """Rules + classifier + combiner (scikit-learn conventions: ``fit`` returns self).

    Parameters
    ----------
    rules:
        The rule set (default: the built-in Swedish rules).
    target_recall:
        Urgent recall the threshold is tuned to reach on out-of-fold predictions.
    n_splits:
        Folds (grouped by base answer) for the out-of-fold predictions.
    classifier_params:
        Passed to :class:`AutolarmClassifier`.
    """

    def __init__(self, *, rules: RuleSet | None = None, target_recall: float = 0.98,
                 n_splits: int = 5, classifier_params: dict[str, Any] | None = None) -> None:
        self.rules = rules or RuleSet.from_toml()
        self.target_recall = target_recall
        self.n_splits = n_splits
        self.classifier_params = classifier_params or {}

    # -- fitting -----------------------------------------------------------------------------

    def _stack(self, hits: Sequence[Sequence[RuleHit]], probabilities: npt.NDArray[np.float64]
               ) -> npt.NDArray[np.float64]:
        rule_part = np.asarray([_rule_features(h) for h in hits], dtype=float)
        return np.hstack([rule_part, probabilities, rule_part[:, :1] * probabilities[:, :1]])

    @staticmethod
    def _level_columns(levels: dict[str, Any]) -> npt.NDArray[np.float64]:
        return np.column_stack([levels.get(v, np.zeros(len(next(iter(levels.values())))))
                                for v in ("urgent", "concern")])

    def fit(self, X: Sequence[str], y: Sequence[str],
            categories: Sequence[Sequence[str]] | None = None,
            groups: Sequence[str] | None = None) -> Detector:
        texts = list(X)
        levels = np.asarray([Level(v).value for v in y])
        cats = [list(c) for c in (categories or [[]] * len(texts))]
        if len(texts) < 2 * self.n_splits:
            raise ValueError(f"För få svar för att träna ({len(texts)}); minst "
                             f"{2 * self.n_splits} behövs.")
        if not (levels == "urgent").any():
            raise ValueError("Träningsdata saknar svar märkta 'urgent'.")
        embeddings = embed(texts)
        hits = [self.rules.analyze(t) for t in texts]
        group_ids = list(groups) if groups is not None else [
            hashlib.sha256(t.encode()).hexdigest() for t in texts]
        splits = min(self.n_splits, len(set(group_ids)))
        oof = np.zeros((len(texts), 2))
        quick_none = np.zeros(len(texts))
        for train, test in GroupKFold(splits).split(texts, levels, group_ids):
            train_texts = [texts[i] for i in train]
            test_texts = [texts[i] for i in test]
            model = AutolarmClassifier(**self.classifier_params).fit(
                train_texts, levels[train], [cats[i] for i in train],
                embeddings=embeddings[train])
            level_p, _ = model.level_and_category_proba(test_texts, embeddings=embeddings[test])
            oof[test] = self._level_columns(level_p)
            quick = quick_level_model().fit(train_texts, levels[train])
            quick_none[test] = quick.predict_proba(test_texts)[:, list(quick.classes_)
                                                               .index("none")]
        stacked = self._stack(hits, oof)
        self.combiner_ = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced")
        self.combiner_.fit(stacked, levels)
        combined = self._combined(stacked)
        rule_urgent = stacked[:, 0] > 0
        self.urgent_threshold_ = self._tune(combined["urgent"], levels == "urgent", rule_urgent)
        # The screen: answers no rule touches, that the quick model is surer are harmless
        # than it ever was (out of fold) about an answer that was not, skip the embeddings.
        untouched = np.asarray([not h for h in hits])
        risky = untouched & (levels != "none")
        worst = float(quick_none[risky].max()) + SCREEN_MARGIN if risky.any() else 0.0
        self.screen_threshold_ = min(1.0, max(SCREEN_FLOOR, worst))
        self.quick_model_ = quick_level_model().fit(texts, levels)
        self.classifier_ = AutolarmClassifier(**self.classifier_params).fit(
            texts, levels, cats, embeddings=embeddings)
        self.training_size_ = len(texts)
        return self

    def _combined(self, stacked: npt.NDArray[np.float64]) -> dict[str, npt.NDArray[np.float64]]:
        proba = self.combiner_.predict_proba(stacked)
        return {str(c): proba[:, i] for i, c in enumerate(self.combiner_.classes_)}

    def _tune(self, urgent_p: npt.NDArray[np.float64], truth: npt.NDArray[np.bool_],
              rule_urgent: npt.NDArray[np.bool_]) -> float:
        """The highest threshold (at most 0.5) at which rules and model together reach the
        target recall on out-of-fold predictions. An active urgent rule is always urgent."""
        for threshold in np.arange(MAX_THRESHOLD, 0.0, -0.01):
            flagged = rule_urgent | (urgent_p >= threshold)
            if float(flagged[truth].mean()) >= self.target_recall:
                return round(float(threshold), 2)
        return 0.01

    # -- scoring -----------------------------------------------------------------------------

    def assess(self, texts: Sequence[str], embeddings: FloatArray | None = None
               ) -> list[Assessment]:
        """Assess answers. Two kinds skip the embedding model: answers with an active urgent
        rule (the rule decides; the quick model gives the score), and answers no rule
        touches that the quick model clears with more certainty than it ever had wrongly."""
        texts = list(texts)
        if not texts:
            return []
        hits = [self.rules.analyze(t) for t in texts]
        quick = self.quick_model_.predict_proba(texts)
        quick_classes = [str(c) for c in self.quick_model_.classes_]
        quick_levels = {c: quick[:, i] for i, c in enumerate(quick_classes)}
        full = [i for i, h in enumerate(hits)
                if not any(x.active and x.level is Level.urgent for x in h)
                and (h or quick_levels["none"][i] < self.screen_threshold_)]
        probabilities = self._level_columns(quick_levels)
        category_p: dict[str, npt.NDArray[np.float64]] = {}
        if full:
            level_p, full_categories = self.classifier_.level_and_category_proba(
                [texts[i] for i in full], None if embeddings is None else embeddings[full])
            probabilities[full] = self._level_columns(level_p)
            category_p = {name: np.zeros(len(texts)) for name in full_categories}
            for name, values in full_categories.items():
                category_p[name][full] = values
        combined = self._combined(self._stack(hits, probabilities))
        return [self._assessment(text, hits[i], combined, category_p, i)
                for i, text in enumerate(texts)]

    def _assessment(self, text: str, hits: Sequence[RuleHit],
                    combined: dict[str, npt.NDArray[np.float64]],
                    category_p: dict[str, npt.NDArray[np.float64]], i: int) -> Assessment:
        urgent = float(combined["urgent"][i])
        concern = float(combined.get("concern", np.zeros(i + 1))[i])
        active = [h for h in hits if h.active]
        rule_urgent = any(h.level is Level.urgent for h in active)
        if rule_urgent:
            urgent = max(urgent, self.urgent_threshold_)
        if rule_urgent or urgent >= self.urgent_threshold_:
            level = Level.urgent
        elif urgent + concern >= 0.5 or any(h.level is not Level.none for h in active):
            level = Level.concern
        else:
            level = Level.none
        categories: list[Category] = []
        if level is not Level.none:
            for hit in active:
                if hit.category not in categories:
                    categories.append(hit.category)
            for name, p in sorted(category_p.items(), key=lambda kv: -kv[1][i]):
                category = Category(name)
                if p[i] >= 0.5 and category not in categories:
                    categories.append(category)
            if level is Level.urgent and not any(c in URGENT_CATEGORIES for c in categories):
                best = max((c for c in category_p if Category(c) in URGENT_CATEGORIES),
                           key=lambda c: category_p[c][i], default=None)
                if best is not None:
                    categories.append(Category(best))
        evidence = tuple(Evidence(h.start, h.end, h.rule_id, h.category.value) for h in active)
        if level is not Level.none and not evidence and text.strip():
            start = len(text) - len(text.lstrip())
            evidence = (Evidence(start, len(text.rstrip()), "classifier",
                                 categories[0].value if categories else ""),)
        distance = abs(urgent - self.urgent_threshold_)
        return Assessment(
            level=level,
            score=urgent,
            categories=tuple(categories),
            evidence=evidence,
            uncertainty=max(0.0, 1.0 - distance / 0.5),
            suppressed=tuple(sorted({h.suppressed_by for h in hits if h.suppressed_by})),
        )

    # -- persistence -------------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write atomically: a process loading the model never sees half a file."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as tmp:
            joblib.dump(self, tmp)
        os.replace(tmp.name, target)

    @classmethod
    def load(cls, path: str | Path) -> Detector:
        detector = joblib.load(path)
        if not isinstance(detector, cls):
            raise ValueError(f"'{path}' innehåller ingen autolarm-modell.")
        return detector
