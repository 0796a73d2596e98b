"""The trained detector: conventions, assessments, evidence, and retraining from labels."""

from __future__ import annotations

import copy
from pathlib import Path

import joblib
import numpy as np
import pytest

from kraftsamling.autolarm import (
    Category,
    Detector,
    Level,
    load_seed,
    score_texts,
    screening_threshold,
    train_from_file,
)
from kraftsamling.privacy import Pseudonymization
from kraftsamling.settings import load_settings


def test_seed_set_is_large_and_split_by_sentence() -> None:
    seed = load_seed()
    assert len(seed) >= 1500
    assert {c for a in seed for c in a.categories} == set(Category)
    test_groups = {a.group for a in seed if a.split == "test"}
    train_groups = {a.group for a in seed if a.split == "train"}
    assert test_groups and not test_groups & train_groups
    for level in Level:  # the held-out split is stratified by level
        share = sum(a.split == "test" for a in seed if a.level is level) / sum(
            a.level is level for a in seed)
        assert 0.15 < share < 0.25
    assert load_seed() == seed  # fixed: the same every time


def test_learned_attributes_and_threshold(detector: Detector) -> None:
    assert 0.2 <= detector.urgent_threshold_ <= 0.5
    assert 0.2 <= detector.concern_threshold_ <= 0.5
    assert detector.training_size_ > 1000
    assert hasattr(detector, "classifier_") and not hasattr(detector, "combiner_")
    # the thresholds come from the classifier's out-of-fold probabilities alone, one author
    # left out at a time
    seed = [a for a in load_seed() if a.split == "train"]
    assert len({a.author for a in seed}) >= 2
    levels = np.array([a.level.value for a in seed])
    assert detector.urgent_threshold_ == screening_threshold(
        detector.oof_proba_[:, 0], levels == "urgent", harmless=levels == "none")
    flagged = detector.oof_proba_[:, 0] >= detector.urgent_threshold_
    assert flagged[levels == "none"].mean() <= 0.02 or detector.urgent_threshold_ == 0.5


def test_screening_threshold() -> None:
    scores = np.array([0.9, 0.8, 0.45, 0.3, 0.1, 0.05])
    truth = np.array([True, True, True, False, False, False])
    # as low as it goes without raising a harmless answer
    assert screening_threshold(scores, truth) == 0.31
    # one harmless answer in three may be raised: down to just above the second
    assert screening_threshold(scores, truth, max_false_alarm=0.34, floor=0.0) == 0.11
    assert screening_threshold(scores, np.zeros(6, dtype=bool)) == 0.5
    assert screening_threshold(np.zeros(6), truth) == 0.2


# Answers the rules set aside or do not cover at all, as a pupil might write them.
MIXED = [
    "haha jag ska ta livet av mig ikväll, tabletterna ligger redo",
    "vi läste om självmord i svenskan och jag tänker på det hela tiden nu",
    "jag har gett bort mina saker och skrivit brev till alla, snart är jag inte kvar",
    "min lillebror slår mig alltid i fifa",
    "ingen vet att jag skär mig",
    "jag vill inte dö, jag vill bara ha mindre läxor",
    "i spelet dödade jag alla",
    "farsan kommer hem full och då sover jag i badrummet med låst dörr",
    "läraren skriker på mig varje dag",
    "vi har idrott en gång i veckan",
]


def test_the_rules_add_and_never_veto(detector: Detector) -> None:
    """Issue 18: no answer the classifier alone calls urgent comes out `none`, and the level
    is never below what the classifier says unless the rules explain the answer's words."""
    from kraftsamling.autolarm import embed

    embeddings = embed(MIXED)
    levels, _ = detector.classifier_.level_and_category_proba(MIXED, embeddings)
    unscreened = copy.copy(detector)
    unscreened.screen = False
    for i, assessment in enumerate(unscreened.assess(MIXED, embeddings)):
        alone = detector.classifier_level(float(levels["urgent"][i]),
                                          float(levels["concern"][i]))
        hits = detector.rules.analyze(MIXED[i])
        rules = max((h.level for h in hits if h.active), key=lambda lv: lv.rank,
                    default=Level.none)
        assert assessment.level.rank >= rules.rank, MIXED[i]
        if alone is Level.urgent:
            assert assessment.level is not Level.none, MIXED[i]
        if assessment.level.rank < alone.rank:  # only where the rules explain the words
            assert assessment.level is Level.concern and set(assessment.suppressed) & {
                "idiom", "hypothetical", "context", "game", "sport", "lyrics", "joke",
                "resolved"}, MIXED[i]


def test_an_older_model_is_refused_in_swedish(detector: Detector, tmp_path: Path) -> None:
    old = copy.copy(detector)
    del old.model_version_
    joblib.dump(old, tmp_path / "gammal.joblib")
    with pytest.raises(ValueError, match="äldre version"):
        Detector.load(tmp_path / "gammal.joblib")


def test_assessments(detector: Detector) -> None:
    texts = ["min pappa slår mig när han är full", "jag mår bra och trivs",
             "jag vill inte dö, jag vill bara ha mindre läxor", "jag blir retad varje dag"]
    urgent, fine, negated, bullied = detector.assess(texts)
    assert urgent.level is Level.urgent and Category.abuse_home in urgent.categories
    assert texts[0][urgent.evidence[0].start:urgent.evidence[0].end] == "slår mig"
    assert fine.level is Level.none and fine.evidence == ()
    assert negated.level is not Level.urgent and "negation" in negated.suppressed
    assert bullied.level is Level.concern and Category.bullying in bullied.categories
    assert 0 <= fine.score <= urgent.score <= 1


def test_texts_are_pseudonymised_before_scoring(detector: Detector) -> None:
    tagger = Pseudonymization.with_default_recognizers(b"test").tagger()
    (text, assessment), = score_texts(detector, ["Anna Berg sa att hennes pappa slår henne"],
                                      tagger=tagger)
    assert "Anna" not in text and "[PERSON]" in text
    assert assessment.level is Level.urgent


def test_folds_fitted_in_parallel_give_the_same_detector() -> None:
    """The out-of-fold fits run one per process; nothing they set may depend on that."""
    seed = [a for a in load_seed() if a.split == "train"]
    writers = sorted({a.author for a in seed})[:3]
    sample = [a for writer in writers for level in Level
              for a in [b for b in seed if b.author == writer and b.level is level][:20]]
    texts = [a.text for a in sample]
    embeddings = np.random.default_rng(0).normal(size=(len(texts), 16))
    authors = [a.author for a in sample]
    fitted = [Detector(n_jobs=n_jobs).fit(
        texts, [a.level.value for a in sample], [[c.value for c in a.categories] for a in sample],
        embeddings=embeddings, authors=authors) for n_jobs in (1, 2)]
    assert len(set(authors)) >= 2
    np.testing.assert_array_equal(fitted[0].oof_proba_, fitted[1].oof_proba_)
    np.testing.assert_array_equal(fitted[0].oof_screen_none_, fitted[1].oof_screen_none_)
    assert fitted[0].urgent_threshold_ == fitted[1].urgent_threshold_
    assert fitted[0].concern_threshold_ == fitted[1].concern_threshold_
    assert fitted[0].screen_threshold_ == fitted[1].screen_threshold_


def test_train_from_an_organisations_labels(tmp_path: Path) -> None:
    rows = ["text;level;categories"]
    for i in range(12):
        rows.append(f"jag vejpar hela tiden nr {i};concern;substance")
        rows.append(f"mormor bakar bullar nr {i};none;")
        rows.append(f"jag har ett vapen i skåpet nr {i};urgent;violence_threat")
    labels = tmp_path / "etiketter.csv"
    labels.write_text("\n".join(rows) + "\n", encoding="utf-8")
    settings = load_settings(data_dir=tmp_path / "data")
    trained, own = train_from_file(labels, settings, include_seed=False)
    assert own == 36
    assert (tmp_path / "data" / "models" / "autolarm.joblib").is_file()
    assert Detector.load(tmp_path / "data" / "models" / "autolarm.joblib").training_size_ == 36
    assert trained.assess(["jag vejpar hela tiden"])[0].level is Level.concern


def test_bad_labels_are_refused_with_row_and_column(tmp_path: Path) -> None:
    labels = tmp_path / "fel.csv"
    labels.write_text("text;level;categories\nhej;superakut;\nhej;none;ufo\n", encoding="utf-8")
    from kraftsamling.tabular import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        train_from_file(labels, load_settings(data_dir=tmp_path / "data"))
    assert {(p.row, p.column) for p in caught.value.problems} == {(2, "level"),
                                                                  (3, "categories")}
