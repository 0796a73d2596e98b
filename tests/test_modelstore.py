"""One model lifecycle: the organisation's model, the demo model trained once and cached by
fingerprint, a version check on load; for autolarm, chat, cases and the name tagger."""

from __future__ import annotations

from pathlib import Path

import joblib
import pytest

from kraftsamling.cases import CaseModels, case_models
from kraftsamling.modelstore import ModelStore
from kraftsamling.privacy import NameTagger, PersonNameRecognizer
from kraftsamling.settings import Settings, load_settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")


class Model:
    def __init__(self, version: int = 2) -> None:
        self.version = version


def _check(model: Model, path: Path) -> None:
    if model.version < 2:
        raise ValueError(f"'{path}' tränades med en äldre version.")


def _store(trained: list[int]) -> ModelStore[Model]:
    def train(_: Settings) -> Model:
        trained.append(1)
        return Model()

    return ModelStore(name="test", kind=Model, train_demo=train, check=_check,
                      fingerprint=lambda _: "abc")


def test_the_demo_model_is_trained_once_and_the_organisations_wins(settings: Settings) -> None:
    trained: list[int] = []
    store = _store(trained)
    first, demo = store.load(settings)
    again, _ = store.load(settings)
    assert demo and trained == [1] and again is first  # cached, and read once
    assert store.demo_path(settings).parent == settings.cache_dir
    store.save(Model(), settings)
    own, demo = store.load(settings)
    assert not demo and own is not first


def test_a_broken_demo_cache_is_trained_again(settings: Settings) -> None:
    trained: list[int] = []
    store = _store(trained)
    path = store.demo_path(settings)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"half a file")
    model, demo = store.load(settings)
    assert demo and isinstance(model, Model) and trained == [1]


def test_the_version_check_refuses_an_old_model_in_swedish(settings: Settings) -> None:
    store = _store([])
    old = store.save(Model(version=1), settings)
    with pytest.raises(ValueError, match="äldre version"):
        store.load(settings)
    joblib.dump(["not a model"], old)
    with pytest.raises(ValueError, match="innehåller ingen test-modell"):
        store.load(settings)


def test_a_store_without_a_demo_says_how_to_train(settings: Settings) -> None:
    store: ModelStore[Model] = ModelStore(name="x", kind=Model, missing="Träna först.")
    with pytest.raises(ValueError, match="Träna först"):
        store.load(settings)


def test_cases_models_go_through_the_store(settings: Settings, tmp_path: Path) -> None:
    store = case_models("economic-assistance")
    assert store.organisation_path(settings).name == "cases-economic-assistance.joblib"
    wrong = tmp_path / "fel.joblib"
    joblib.dump({"risk": None}, wrong)
    with pytest.raises(ValueError, match="innehåller ingen"):
        CaseModels.load(wrong)
    with pytest.raises(ValueError, match="Okänd sorts data"):
        case_models("fel")


def test_the_name_tagger_checks_its_model_on_load(tmp_path: Path) -> None:
    not_crf = tmp_path / "fel.crfsuite"
    not_crf.write_bytes(b"inte en modell")
    with pytest.raises(ValueError, match="ingen namnmodell"):
        PersonNameRecognizer(model=not_crf)
    # a CRF trained for other tags (or other features) than this version's
    other = NameTagger(max_iterations=5).fit([["Hej", "Lund"]] * 3, [["O", "LOC"]] * 3)
    path = tmp_path / "annan.crfsuite"
    other.save(path)
    with pytest.raises(ValueError, match=r"äldre version.*train-names"):
        PersonNameRecognizer(model=path)


def test_models_are_written_for_the_fast_reader_and_old_files_still_load(
        settings: Settings, tmp_path: Path) -> None:
    store = _store([])
    path = store.save(Model(version=3), settings)
    assert path.read_bytes().startswith(b"KRAFTSAMLING-MODEL pickle-5\n")
    model, demo = store.load(settings)
    assert not demo and model.version == 3
    older = tmp_path / "äldre.joblib"  # as earlier versions wrote it
    joblib.dump(Model(version=4), older)
    assert store.read(older).version == 4


def test_a_truncated_model_file_is_refused_in_swedish(settings: Settings) -> None:
    store = _store([])
    path = store.save(Model(), settings)
    whole = path.read_bytes()
    for cut in (5, len(whole) // 2):
        path.write_bytes(whole[:-cut])
        with pytest.raises(ValueError, match="går inte att läsa som en test-modell"):
            store.load(settings)
    # joblib's own reader says "EOF: reading array data" (a ValueError, in English)
    import numpy as np

    joblib.dump({"weights": np.ones(100_000)}, path)
    path.write_bytes(path.read_bytes()[:400_000])
    with pytest.raises(ValueError, match="går inte att läsa som en test-modell"):
        store.load(settings)
