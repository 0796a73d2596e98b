"""The trained detector: conventions, assessments, evidence, and retraining from labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from kraftsamling.autolarm import (
    Category,
    Detector,
    Level,
    load_seed,
    score_texts,
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
    assert 0 < detector.urgent_threshold_ <= 0.5
    assert detector.training_size_ > 1000
    assert hasattr(detector, "classifier_") and hasattr(detector, "combiner_")


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
    labels.write_text("text;level;categories\nhej;akut;\nhej;none;ufo\n", encoding="utf-8")
    from kraftsamling.tabular import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        train_from_file(labels, load_settings(data_dir=tmp_path / "data"))
    assert {(p.row, p.column) for p in caught.value.problems} == {(2, "level"),
                                                                  (3, "categories")}
