"""The detector: rules and classifier combined so that the rules may add, never veto.

An answer is urgent when an active urgent rule fires OR the classifier's calibrated urgent
probability reaches its threshold; concern likewise with the concern rules and the
classifier's probability of concern-or-urgent. Modifiers (negation, idiom, teaching, game,
sport, lyrics, joke, a resolved past) set rule hits aside; they never lower what the
classifier says, so no answer the classifier alone calls urgent comes out lower.

The thresholds are tuned on the classifier's out-of-fold probabilities alone: the rules were
written from the seed answers, so on those answers they look better than they are, and a
combiner that learned from them would learn to distrust the classifier whenever the rules
are silent (issue 18). Every flagged answer carries its categories and the evidence spans a
reviewer should look at.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import numpy.typing as npt
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut
from threadpoolctl import threadpool_limits

from kraftsamling.autolarm._model import AutolarmClassifier, FloatArray, embed, quick_level_model
from kraftsamling.autolarm._rules import RuleHit, RuleSet
from kraftsamling.autolarm._taxonomy import Category, Level
from kraftsamling.modelstore import read_model, save_atomically

__all__ = ["Assessment", "Detector", "Evidence", "screening_threshold"]

# The classifier never needs more than this to call an answer urgent: recall comes first;
# nor is it trusted below MIN_THRESHOLD (calibrated probabilities: 0.2 is already unlikely).
MAX_THRESHOLD = 0.5
MIN_THRESHOLD = 0.2
# How much surer than its worst out-of-fold miss the quick screen must be to skip an answer.
SCREEN_MARGIN = 0.02
# ... and never less sure than this: the out-of-fold misses it learns from are few.
SCREEN_FLOOR = 0.9
CONCERN_CATEGORIES = {Category.bullying, Category.wellbeing, Category.eating_disorder,
                      Category.substance}
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


# Reasons a rule hit is set aside that also explain away the classifier's urgent call on the
# same answer (it becomes concern, never none): the danger words are there, but in an idiom,
# a lesson, a game, a song, a joke, a hypothetical or a past that is over. Not negation
# ("ingen vet att jag skär mig") and not an impersonal topic word.
EXPLAINING = frozenset({"idiom", "hypothetical", "context", "game", "sport", "lyrics", "joke",
                        "resolved"})
MODEL_VERSION = 3  # 3: false-alarm thresholds across authors; 2: F2; 1: a stacked combiner


def _active_level(hits: Sequence[RuleHit]) -> Level:
    return max((h.level for h in hits if h.active), key=lambda lv: lv.rank, default=Level.none)


def screening_threshold(scores: npt.NDArray[np.float64], truth: npt.NDArray[np.bool_], *,
                        harmless: npt.NDArray[np.bool_] | None = None,
                        max_false_alarm: float = 0.02, ceiling: float = MAX_THRESHOLD,
                        floor: float = MIN_THRESHOLD) -> float:
    """The lowest threshold (between ``floor`` and ``ceiling``, step 0.01) at which
    ``scores >= threshold`` raises at most ``max_false_alarm`` of the ``harmless`` answers
    (default: those not in ``truth``): as many answers found as the reviewers' queue allows
    without burying the real alerts under false ones (issue 18: at F2's choice a third of
    harmless answers by another author came out urgent)."""
    if not truth.any():
        return ceiling
    negatives = ~truth if harmless is None else harmless
    if not negatives.any():
        return floor
    best = ceiling
    for threshold in np.arange(ceiling, floor - 1e-9, -0.01):
        if float((scores[negatives] >= threshold).mean()) <= max_false_alarm + 1e-12:
            best = round(float(threshold), 2)
        else:
            break
    return best


def _fit_fold(train_texts: list[str], train_levels: npt.NDArray[Any], test_texts: list[str],
              train_embeddings: FloatArray, test_embeddings: FloatArray,
              weights: npt.NDArray[np.float64] | None, params: dict[str, Any]
              ) -> tuple[dict[str, npt.NDArray[np.float64]], npt.NDArray[np.float64]]:
    """One fold: the classifier's level probabilities and the quick screen's P(none) for the
    held-out answers. The screen's own out-of-fold misses set its threshold, also with the
    screen off: ``screen`` may be switched on after fitting (the benchmark does)."""
    # One BLAS thread wherever the fold runs: joblib gives its workers one, and a sum over
    # more than about 10,000 numbers comes out in another order on two (second reading).
    with threadpool_limits(limits=1):
        model = AutolarmClassifier(**params).fit(
            train_texts, train_levels, None,  # thresholds need the level only
            embeddings=train_embeddings, sample_weight=weights)
        level_p, _ = model.level_and_category_proba(test_texts, embeddings=test_embeddings)
        quick = quick_level_model().fit(train_texts, train_levels)
        quick_none = quick.predict_proba(test_texts)[:, list(quick.classes_).index("none")]
    return level_p, np.asarray(quick_none, dtype=float)


class Detector:
    """Rules + classifier, the rules adding to the classifier (scikit-learn conventions:
    ``fit`` returns self).

    Parameters
    ----------
    rules:
        The rule set (default: the built-in Swedish rules).
    max_false_alarm:
        The classifier's urgent threshold is the lowest at which, out of fold, at most this
        share of the harmless answers is called urgent (the issue's target: 2 %); the
        concern threshold likewise for concern-or-urgent, at ``concern_false_alarm``.
    concern_false_alarm:
        The share of harmless answers the concern level may raise, out of fold.
    n_splits:
        Folds (grouped by base answer) for the out-of-fold predictions when the answers
        have one author; with ``authors`` given to :meth:`fit`, one fold per author, so that
        the thresholds are set on predictions for words the model never saw the like of.
    screen:
        Let the quick n-gram screen skip the embeddings for answers no rule touches that it
        is surer are harmless than it ever was, out of fold, about an answer that was not.
        Off by default: on the independent set (issue 18) it changed the level of one
        flagged answer of 526, so it is not lossless.
    classifier_params:
        Passed to :class:`AutolarmClassifier`.
    n_jobs:
        Processes for the out-of-fold fits (joblib; ``1``: one fold after another, each
        classifier with its own ``n_jobs``). The results do not depend on it.
    """

    def __init__(self, *, rules: RuleSet | None = None, max_false_alarm: float = 0.02,
                 concern_false_alarm: float = 0.1, n_splits: int = 5, screen: bool = False,
                 classifier_params: dict[str, Any] | None = None,
                 n_jobs: int | None = -1) -> None:
        self.rules = rules or RuleSet.from_toml()
        self.n_jobs = n_jobs
        self.max_false_alarm = max_false_alarm
        self.concern_false_alarm = concern_false_alarm
        self.n_splits = n_splits
        self.screen = screen
        self.classifier_params = classifier_params or {}

    # -- fitting -----------------------------------------------------------------------------

    @staticmethod
    def _level_columns(levels: dict[str, Any]) -> npt.NDArray[np.float64]:
        return np.column_stack([levels.get(v, np.zeros(len(next(iter(levels.values())))))
                                for v in ("urgent", "concern")])

    def fit(self, X: Sequence[str], y: Sequence[str],
            categories: Sequence[Sequence[str]] | None = None,
            groups: Sequence[str] | None = None, *,
            sample_weight: Sequence[float] | None = None,
            embeddings: FloatArray | None = None,
            authors: Sequence[str] | None = None) -> Detector:
        """Fit on labelled answers. ``sample_weight`` weighs answers in the classifier (an
        organisation's own corrections count more than the seed set); ``embeddings`` may
        be given precomputed, one row per answer; ``authors`` (who wrote each answer) makes
        the out-of-fold predictions leave one author out."""
        texts = list(X)
        levels = np.asarray([Level(v).value for v in y])
        cats = [list(c) for c in (categories or [[]] * len(texts))]
        if len(texts) < 2 * self.n_splits:
            raise ValueError(f"För få svar för att träna ({len(texts)}); minst "
                             f"{2 * self.n_splits} behövs.")
        if not (levels == "urgent").any():
            raise ValueError("Träningsdata saknar svar märkta 'urgent'.")
        if embeddings is None:
            embeddings = embed(texts)
        elif len(embeddings) != len(texts):
            raise ValueError("En inbäddning per svar behövs.")
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        hits = [self.rules.analyze(t) for t in texts]
        group_ids = list(groups) if groups is not None else [
            hashlib.sha256(t.encode()).hexdigest() for t in texts]
        oof = np.zeros((len(texts), 2))
        quick_none = np.zeros(len(texts))
        if authors is not None and len(authors) != len(texts):
            raise ValueError("En författare per svar behövs.")
        if authors is not None and len(set(authors)) >= 2:
            folds = list(LeaveOneGroupOut().split(texts, levels, list(authors)))
        else:
            splits = min(self.n_splits, len(set(group_ids)))
            folds = list(GroupKFold(splits).split(texts, levels, group_ids))
        # One fold per job: the folds' models are independent, and each fold's classifier
        # runs on one core, so both cores stay busy through the sequential n-gram steps
        # too. The same numbers as one fold after another (a test compares).
        parallel = len(folds) > 1 and joblib.effective_n_jobs(self.n_jobs) > 1
        fold_params = {**self.classifier_params, "n_jobs": 1} if parallel \
            else self.classifier_params
        results = joblib.Parallel(n_jobs=self.n_jobs if parallel else 1)(
            joblib.delayed(_fit_fold)(
                [texts[i] for i in train], levels[train], [texts[i] for i in test],
                embeddings[train], embeddings[test],
                None if weights is None else weights[train], fold_params)
            for train, test in folds)
        for (_, test), (level_p, quick_p) in zip(folds, results, strict=True):
            oof[test] = self._level_columns(level_p)
            quick_none[test] = quick_p
        self.oof_proba_ = oof
        self.oof_screen_none_ = quick_none
        # Thresholds from the classifier's out-of-fold probabilities alone: the rules are not
        # honest on the answers they were written from, so they take no part here.
        self.urgent_threshold_ = screening_threshold(
            oof[:, 0], levels == "urgent", harmless=levels == "none",
            max_false_alarm=self.max_false_alarm)
        self.concern_threshold_ = screening_threshold(
            oof.sum(axis=1), levels != "none", max_false_alarm=self.concern_false_alarm)
        # The screen: answers no rule touches, that the quick model is surer are harmless
        # than it ever was (out of fold) about an answer that was not, skip the embeddings.
        untouched = np.asarray([not h for h in hits])
        risky = untouched & (levels != "none")
        worst = float(quick_none[risky].max()) + SCREEN_MARGIN if risky.any() else 0.0
        self.screen_threshold_ = min(1.0, max(SCREEN_FLOOR, worst))
        self.quick_model_ = quick_level_model().fit(texts, levels)
        self.classifier_ = AutolarmClassifier(**self.classifier_params).fit(
            texts, levels, cats, embeddings=embeddings, sample_weight=weights)
        self.training_size_ = len(texts)
        self.model_version_ = MODEL_VERSION
        return self

    # -- scoring -----------------------------------------------------------------------------

    def skipped(self, texts: Sequence[str]) -> npt.NDArray[np.bool_]:
        """Which answers :meth:`assess` would decide without the embedding model."""
        return self._plan(list(texts))[2]

    def _plan(self, texts: list[str]) -> tuple[list[list[RuleHit]], npt.NDArray[np.float64],
                                                npt.NDArray[np.bool_]]:
        hits = [self.rules.analyze(t) for t in texts]
        quick = self.quick_model_.predict_proba(texts)
        quick_levels = {str(c): quick[:, i] for i, c in enumerate(self.quick_model_.classes_)}
        skip = np.zeros(len(texts), dtype=bool)
        for i, h in enumerate(hits):
            if _active_level(h) is Level.urgent:
                skip[i] = True  # the rule decides; the classifier could only agree
            elif self.screen and not h and quick_levels["none"][i] >= self.screen_threshold_:
                skip[i] = True
        return hits, self._level_columns(quick_levels), skip

    def assess(self, texts: Sequence[str], embeddings: FloatArray | None = None
               ) -> list[Assessment]:
        """Assess answers. Two kinds skip the embedding model: answers with an active urgent
        rule (the rule decides; the quick model gives the score), and, with ``screen``,
        answers no rule touches that the quick model clears with more certainty than it ever
        had wrongly."""
        texts = list(texts)
        if not texts:
            return []
        hits, probabilities, skip = self._plan(texts)
        full = [i for i in range(len(texts)) if not skip[i]]
        category_p: dict[str, npt.NDArray[np.float64]] = {}
        if full:
            level_p, full_categories = self.classifier_.level_and_category_proba(
                [texts[i] for i in full], None if embeddings is None else embeddings[full])
            probabilities[full] = self._level_columns(level_p)
            category_p = {name: np.zeros(len(texts)) for name in full_categories}
            for name, values in full_categories.items():
                category_p[name][full] = values
        return [self._assessment(text, hits[i], probabilities[i], category_p, i)
                for i, text in enumerate(texts)]

    def classifier_level(self, urgent: float, concern: float) -> Level:
        """The level the classifier alone gives, at the detector's thresholds."""
        if urgent >= self.urgent_threshold_:
            return Level.urgent
        if urgent + concern >= self.concern_threshold_:
            return Level.concern
        return Level.none

    def _assessment(self, text: str, hits: Sequence[RuleHit], probabilities: FloatArray,
                    category_p: dict[str, npt.NDArray[np.float64]], i: int) -> Assessment:
        urgent, concern = float(probabilities[0]), float(probabilities[1])
        active = [h for h in hits if h.active]
        # The rules add: the level is the higher of the rules' and the classifier's.
        level = max(_active_level(hits), self.classifier_level(urgent, concern),
                    key=lambda lv: lv.rank)
        set_aside = [h for h in hits if not h.active and h.level is Level.urgent]
        if (level is Level.urgent and _active_level(hits) is not Level.urgent and set_aside
                and all(h.suppressed_by in EXPLAINING for h in set_aside)):
            level = Level.concern  # the rules cover this answer and explain its words
        if _active_level(hits) is Level.urgent:
            urgent = max(urgent, self.urgent_threshold_)
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
            serious = {c.value for c in URGENT_CATEGORIES - CONCERN_CATEGORIES}
            fitting = [c for c in category_p if level is Level.urgent or c not in serious]
            if not categories and fitting:
                categories.append(Category(max(fitting, key=lambda c: category_p[c][i])))
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
        """Write atomically (a process loading the model never sees half a file), in the
        model store's format."""
        save_atomically(self, Path(path))

    @classmethod
    def load(cls, path: str | Path) -> Detector:
        try:
            detector = read_model(Path(path))
        except Exception as error:  # a half-written, truncated or foreign file
            raise ValueError(f"'{path}' går inte att läsa som en autolarm-modell "
                             f"({type(error).__name__}).") from error
        if not isinstance(detector, cls):
            raise ValueError(f"'{path}' innehåller ingen autolarm-modell.")
        if getattr(detector, "model_version_", 1) != MODEL_VERSION:
            raise ValueError(f"Autolarm-modellen i '{path}' är tränad med en äldre version av "
                             "Kraftsamling. Träna om den: kraftsamling autolarm train "
                             "(med samma etiketter, eller --from-reviews).")
        return detector
