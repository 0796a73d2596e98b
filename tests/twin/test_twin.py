"""The twin's library: synthetic school, wave reader, network features, prediction,
fitted simulation and interventions."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kraftsamling.twin import (
    ClassroomModel,
    Intervention,
    Pupil,
    TermParameters,
    WaveError,
    apply_intervention,
    class_state,
    compare_interventions,
    evaluate_prediction,
    fit_parameters,
    parse_intervention,
    predict_next,
    pupil_features,
    read_wave,
    synthetic_school,
    wave_from_frame,
    write_waves,
)

KEY = b"test-key-0123456789"


def _waves(school: object, key: bytes | None = None) -> list:
    return [wave_from_frame(w, number=i + 1, key=key)
            for i, w in enumerate(school.waves)]  # type: ignore[attr-defined]


def test_synthetic_school_looks_like_a_school() -> None:
    school = synthetic_school(n_classes=6, class_size=25, n_waves=3, seed=2)
    truth = school.truth
    share = truth.groupby("wave")["victimised"].mean()
    assert ((share > 0.05) & (share < 0.4)).all()
    states = list(school.states[1].values())
    out_degree = np.mean([s.friends.sum(axis=1).mean() for s in states])
    reciprocity = np.mean([(s.friends & s.friends.T).sum() / s.friends.sum() for s in states])
    assert 2 <= out_degree <= 6 and 0.35 <= reciprocity <= 0.8
    before = truth[truth.wave == 2]["victimised"].to_numpy()
    after = truth[truth.wave == 3]["victimised"].to_numpy()
    assert after[before].mean() > after[~before].mean() + 0.15  # victimisation persists
    assert set(school.waves[0].columns) >= {"pupil_id", "class", "friends", "mean_to_me"}


def test_wave_reader_names_every_problem_and_keeps_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ht.csv"
    path.write_text(
        "pupil_id;class;gender;friends;mean_to_me;defends_me;wellbeing\n"
        "E1;7A;flicka;E2 E9;;;4\n"
        "E2;7A;pojke;E1;E2;;3\n"
        "E1;7A;flicka;;;;2\n"
        "E3;7A;pojke;E1;;E1;bra\n", encoding="utf-8")
    with pytest.raises(WaveError) as caught:
        read_wave(path, number=1, key=KEY)
    problems = caught.value.problems
    assert len(problems) == 4
    text = str(caught.value)
    assert "4 fel, inget sparades" in text
    assert "Rad 2 (elev E1), kolumn 'friends' (vänner): 'E9' finns inte bland eleverna." in text
    assert "Rad 3 (elev E2), kolumn 'mean_to_me' (elaka mot mig): eleven har nominerat sig " \
           "själv." in text
    assert "Rad 4: elev-id 'E1' finns redan på rad 2." in text
    assert "Rad 5 (elev E3), kolumn 'wellbeing': 'bra'" in text
    missing = tmp_path / "saknas.csv"
    missing.write_text("pupil_id;class\nE1;7A\n", encoding="utf-8")
    with pytest.raises(WaveError, match=r"Kolumner saknas: kön \(gender\), vänner \(friends\)"):
        read_wave(missing, number=1)


def test_ids_are_pseudonymised_the_same_way_in_every_wave() -> None:
    school = synthetic_school(n_classes=1, class_size=8, n_waves=2, seed=1)
    first, second = _waves(school, key=KEY)
    raw = set(school.waves[0]["pupil_id"])
    assert not raw & set(first.pupils["pupil_id"])
    assert set(first.pupils["pupil_id"]) == set(second.pupils["pupil_id"])
    assert all(a in set(first.pupils["pupil_id"]) for a, _ in first.friends)
    redacted = wave_from_frame(pd.DataFrame([
        {"pupil_id": "E1", "class": "7A", "gender": "flicka", "friends": "", "mean_to_me": "",
         "defends_me": "", "free_text": "Anna Svensson tar mina saker"}]),
        number=1, key=KEY, redact=lambda t: t.replace("Anna Svensson", "[PERSON]"))
    assert redacted.pupils["free_text"].iloc[0] == "[PERSON] tar mina saker"


def test_network_features_on_a_hand_drawn_class() -> None:
    frame = pd.DataFrame([
        {"pupil_id": "A", "class": "7A", "gender": "flicka", "friends": "B",
         "mean_to_me": "", "defends_me": "", "wellbeing": "4"},
        {"pupil_id": "B", "class": "7A", "gender": "flicka", "friends": "A",
         "mean_to_me": "", "defends_me": "", "wellbeing": "4"},
        {"pupil_id": "C", "class": "7A", "gender": "pojke", "friends": "",
         "mean_to_me": "B", "defends_me": "A", "wellbeing": "2"},
        {"pupil_id": "D", "class": "7A", "gender": "pojke", "friends": "A",
         "mean_to_me": "", "defends_me": "", "wellbeing": "3"},
    ])
    features = pupil_features(wave_from_frame(frame, number=1)).set_index("pupil_id")
    assert features.at["A", "reciprocated"] == 1 and features.at["A", "in_degree"] == 2
    assert features.at["C", "isolated"] == 1 and features.at["C", "victimised"] == 1
    assert features.at["C", "defenders"] == 1 and features.at["B", "bullying_others"] == 1
    assert features.at["D", "homophily"] == 0 and features.at["A", "homophily"] == 1
    assert features.at["C", "low_wellbeing"] == 1
    assert features.at["A", "class_density"] == pytest.approx(3 / 12)
    assert features.at["A", "group"] == features.at["B", "group"] != features.at["C", "group"]


def test_prediction_beats_carrying_the_last_wave_forward() -> None:
    school = synthetic_school(n_classes=8, class_size=25, n_waves=3, seed=11)
    waves = _waves(school)
    metrics = evaluate_prediction(waves)
    assert metrics["auc"] > metrics["carry_forward_auc"]
    assert metrics["auc"] > 0.7 and metrics["calibration_error"] < 0.12
    risk = predict_next(waves)
    assert len(risk) == 200 and risk["risk"].between(0, 1).all()
    top = risk.sort_values("risk").iloc[-1]["reasons"]
    assert top and top[0].isupper() and top.endswith(".")
    with pytest.raises(ValueError, match="tre mätningar"):
        evaluate_prediction(waves[:2])


def test_the_term_model_is_a_mesa_model_of_pupils() -> None:
    school = synthetic_school(n_classes=1, class_size=10, n_waves=1, seed=3)
    state = next(iter(school.states[0].values()))
    model = ClassroomModel(state, seed=1)
    pupils = list(model.agents)
    assert len(pupils) == 10 and all(isinstance(p, Pupil) for p in pupils)
    model.run()
    first = pupils[0]
    assert set(first.friends) == {model.state.ids[j] for j in
                                  np.flatnonzero(model.state.friends[0])}
    again = ClassroomModel(state, seed=1).run()
    assert (again.friends == model.state.friends).all()  # same seed, same term


def test_fitting_follows_the_class_own_rate() -> None:
    fitted = []
    for base in (-6.0, -7.4):
        truth = TermParameters().with_values(bully_base=base)
        school = synthetic_school(n_classes=3, class_size=25, n_waves=3, parameters=truth,
                                  seed=4)
        waves = _waves(school)
        pairs = []
        for name in waves[0].classes:
            states = [class_state(w, name) for w in waves]
            pairs += list(pairwise(states))
        fitted.append(fit_parameters(pairs, runs=15, iterations=8).bully_base)
    assert fitted[0] > fitted[1] + 0.3


def test_interventions_against_doing_nothing() -> None:
    school = synthetic_school(n_classes=1, class_size=25, n_waves=1, seed=6)
    state = next(iter(school.states[0].values()))
    summary, risks = compare_interventions(
        state, [Intervention("adults", amount=0.6), parse_intervention("defenders:4"),
                parse_intervention("regroup:1")], runs=150, seed=2)
    rows = summary.set_index("intervention")
    assert rows.at["none", "change"] == 0
    assert rows.at["adults", "change_high"] < 0  # less bullying, certainly
    assert rows.at["adults", "expected_victims"] < rows.at["none", "expected_victims"]
    assert rows.at["regroup", "pupils"] == 24 and risks["regroup"].isna().sum() == 1
    isolated_state = state.copy()
    isolated_state.friends[:, 0] = isolated_state.friends[0, :] = False
    buddied, _, boost = apply_intervention(isolated_state, TermParameters(),
                                           Intervention("buddies"))
    assert (buddied.friends[0] & buddied.friends[:, 0]).any() and boost.sum() > 0


@pytest.mark.parametrize(("text", "message"), [
    ("kramar", "Okänd insats 'kramar'"), ("adults:mycket", "adults:ANDEL"),
    ("adults:2", "mellan 0 och 1"), ("none:3", "inga argument")])
def test_bad_interventions_are_named(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_intervention(text)


def test_waves_written_as_csv_read_back(tmp_path: Path) -> None:
    school = synthetic_school(n_classes=2, class_size=6, n_waves=2, seed=8)
    paths = write_waves(school, tmp_path)
    wave = read_wave(paths[1], number=2)
    assert len(wave.pupils) == 12 and wave.classes == ["7A", "7B"]
    assert wave.victimised().sum() == school.truth.query("wave == 2")["victimised"].sum()
    school.waves[0].to_excel(tmp_path / "ht.xlsx", index=False)
    from_excel = read_wave(tmp_path / "ht.xlsx", number=1)
    assert len(from_excel.friends) == len(read_wave(paths[0], number=1).friends) > 0


def test_a_wave_with_swedish_headers_reads_like_the_english_one(tmp_path: Path) -> None:
    """Headers a Swedish school writes (any case, accents or separators) name the same
    columns; the help text lists exactly the names the reader knows."""
    from kraftsamling.twin import REQUIRED_COLUMNS, column_help

    english = tmp_path / "en.csv"
    english.write_text("pupil_id;class;gender;friends;mean_to_me;defends_me;wellbeing\n"
                       "E1;7A;f;E2;;E2;4\nE2;7A;m;E1;E1;;3\n", encoding="utf-8")
    swedish = tmp_path / "sv.csv"
    swedish.write_text("Elev-ID;Klass;KÖN;Vänner;Elaka mot mig;försvarar_mig;Mående\n"
                       "E1;7A;f;E2;;E2;4\nE2;7A;m;E1;E1;;3\n", encoding="utf-8")
    a, b = read_wave(english, number=1, key=KEY), read_wave(swedish, number=1, key=KEY)
    assert (a.friends, a.mean, a.defends) == (b.friends, b.mean, b.defends)
    assert a.pupils["wellbeing"].tolist() == b.pupils["wellbeing"].tolist()
    required, optional = column_help()
    assert required[0][0] == "elev" and required[0][-1] == "pupil_id"
    assert ("mående", "trivsel", "wellbeing") in optional
    assert {names[-1] for names in required} == set(REQUIRED_COLUMNS)
    # Every name the help lists is read as its column, and each header key is listed once.
    from kraftsamling.tabular import header_key
    from kraftsamling.twin import COLUMN_NAMES

    for names in (*required, *optional):
        keys = [header_key(n) for n in names]
        assert len(keys) == len(set(keys))
        assert set(keys) == {header_key(n) for n in (*COLUMN_NAMES[names[-1]], names[-1])}
