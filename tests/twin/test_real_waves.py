"""RSiena matrices and edge lists in, goodness of fit and prediction out — on small classes
the tests write themselves (the real Glasgow and Dutch classes are for the benchmark)."""

from __future__ import annotations

import json
from itertools import product
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from kraftsamling.twin import (
    TRIAD_TYPES,
    ClassroomModel,
    TermParameters,
    WaveError,
    auxiliary_statistics,
    class_state,
    class_transitions,
    evaluate_twin,
    fit_term,
    mahalanobis_p,
    read_behaviour,
    read_edge_list,
    read_matrix_waves,
    read_siena_matrix,
    read_wave,
    simulate_friendship,
    synthetic_school,
    term_statistics,
    triad_census,
    wave_from_frame,
    waves_from_matrices,
    write_survey_waves,
)
from tests.conftest import run_cli

QUICK = {"iterations": 3, "runs_per_iteration": 20, "subphases": 1, "averaging": 10,
         "phase3_runs": 20}


def _write(path: Path, matrix: np.ndarray) -> Path:
    path.write_text("\n".join(" ".join(str(int(v)) for v in row) for row in matrix) + "\n",
                    encoding="utf-8")
    return path


def _class_matrices(n: int = 12, waves: int = 3, seed: int = 4) -> list[np.ndarray]:
    """Waves of one class drawn from the term model itself (friendship only)."""
    school = synthetic_school(n_classes=1, class_size=n, n_waves=waves, seed=seed)
    frames = [wave_from_frame(w, number=i + 1) for i, w in enumerate(school.waves)]
    name = frames[0].classes[0]
    return [class_state(w, name).friends.astype(int) for w in frames]


def test_matrix_codes_become_ties_missing_and_absent_pupils(tmp_path: Path) -> None:
    first = np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0]])
    second = np.array([[0, 1, 9, 10], [1, 0, 0, 10], [9, 9, 0, 10], [10, 10, 10, 10]])
    _write(tmp_path / "net-1.dat", first)
    _write(tmp_path / "net-2.dat", second)
    waves = read_matrix_waves(tmp_path, "net-", class_name="7A")
    assert [len(w.pupils) for w in waves] == [4, 3]  # E4 is not in the class at wave 2
    assert set(waves[1].friends) == {("E1", "E2"), ("E2", "E1")}
    assert set(waves[1].unknown) == {("E1", "E3"), ("E3", "E1"), ("E3", "E2")}
    # written as survey CSVs and read back: a missing tie stays missing, not "no friend"
    paths = write_survey_waves(waves, tmp_path / "out")
    again = read_wave(paths[1], number=2)
    assert set(again.unknown) == set(waves[1].unknown)
    assert set(again.friends) == set(waves[1].friends)
    transition = class_transitions([waves[0], again], "7A")[0] if len(again.pupils) >= 4 \
        else None
    assert transition is None  # three pupils in both waves: too few to model


def test_missing_ties_are_not_counted_as_no_tie() -> None:
    matrices = _class_matrices(n=10, waves=2)
    second = matrices[1].copy()
    second[0, :] = 9  # pupil 1 did not answer at wave 2
    second[0, 0] = 0
    waves = waves_from_matrices([matrices[0], second])
    transition = class_transitions(waves, "klass")[0]
    assert not transition.known[0, 1:].any() and transition.known[1:, :].sum() > 0
    # the unknown row keeps its wave-1 ties at the end: it pulls no statistic either way
    assert (transition.end[0] == transition.start.friends[0]).all()


@pytest.mark.parametrize("matrix, message", [
    ([[0, 1], [7, 0]], "okänd kod '7'"),
    ([[0, 1, 0], [1, 0]], "kvadratisk"),
    ([[0, 10], [1, 0]], "kod 10"),
])
def test_bad_matrices_are_refused_in_swedish(tmp_path: Path, matrix: list[list[int]],
                                             message: str) -> None:
    path = tmp_path / "net-1.dat"
    path.write_text("\n".join(" ".join(map(str, r)) for r in matrix), encoding="utf-8")
    with pytest.raises(WaveError, match=message):
        waves_from_matrices([read_siena_matrix(path)])


def test_waves_of_different_sizes_or_no_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(WaveError, match="samma elever"):
        waves_from_matrices([np.zeros((3, 3), int), np.zeros((4, 4), int)])
    with pytest.raises(WaveError, match="Inga filer"):
        read_matrix_waves(tmp_path, "net-")


def test_edge_list_with_roster_missing_codes_and_absent_pupils(tmp_path: Path) -> None:
    edges = tmp_path / "edges.csv"
    edges.write_text("from,to,wave,tie\nA,B,1,1\nB,A,1,1\nA,C,2,1\nC,A,2,9\n",
                     encoding="utf-8")
    roster = pd.DataFrame({"pupil_id": ["A", "B", "C", "A", "C"], "wave": [1, 1, 1, 2, 2],
                           "gender": ["flicka"] * 5})
    waves = read_edge_list(edges, pupils=roster)
    assert [sorted(w.pupils["pupil_id"]) for w in waves] == [["A", "B", "C"], ["A", "C"]]
    assert waves[1].friends == [("A", "C")] and waves[1].unknown == [("C", "A")]
    edges.write_text("from,to,wave\nA,B,2\n", encoding="utf-8")  # B left after wave 1
    with pytest.raises(WaveError, match="finns inte i mätning 2"):
        read_edge_list(edges, pupils=roster)
    edges.write_text("from,to,tie\nA,B,5\n", encoding="utf-8")
    with pytest.raises(WaveError, match="okänd kod '5'"):
        read_edge_list(edges)


def test_behaviour_file_by_wave(tmp_path: Path) -> None:
    path = tmp_path / "alkohol.csv"
    path.write_text("pupil_id,alkohol_2,alkohol_3\nE1,1,2\nE2,,3\nE3,0,1\n", encoding="utf-8")
    name, levels = read_behaviour(path)
    assert name == "alkohol" and list(levels.columns) == [2, 3]
    assert np.isnan(levels.loc["E2", 2]) and np.isnan(levels.loc["E3", 2])  # empty, 0
    path.write_text("pupil_id,alkohol\nE1,1\n", encoding="utf-8")
    with pytest.raises(WaveError, match="mätningens nummer"):
        read_behaviour(path)


def test_triad_census_matches_networkx() -> None:
    rng = np.random.default_rng(3)
    matrix = rng.random((9, 9)) < 0.3
    np.fill_diagonal(matrix, False)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(9))
    graph.add_edges_from(zip(*np.nonzero(matrix), strict=True))
    expected = nx.triadic_census(graph)
    counts = triad_census(matrix)
    assert dict(zip(TRIAD_TYPES, counts.tolist(), strict=True)) == expected
    batch = triad_census(np.stack([matrix, matrix.T]))
    assert batch.shape == (2, 16) and (batch[0] == counts).all()


def test_mahalanobis_p_is_high_in_the_middle_and_zero_far_out() -> None:
    rng = np.random.default_rng(0)
    simulated = rng.normal(size=(400, 3))
    assert mahalanobis_p(np.zeros(3), simulated)[1] > 0.9
    assert mahalanobis_p(np.full(3, 6.0), simulated)[1] == 0.0
    # a direction the simulations never move in, where the wave differs, is a misfit
    flat = np.column_stack([simulated[:, :2], np.zeros(400)])
    assert mahalanobis_p(np.array([0.0, 0.0, 1.0]), flat)[1] == 0.0
    assert mahalanobis_p(np.zeros(3), flat)[1] > 0.9


def test_vectorised_terms_follow_the_mesa_model() -> None:
    matrices = _class_matrices(n=12, waves=1)
    state = class_transitions(waves_from_matrices([matrices[0], matrices[0]]),
                              "klass")[0].start
    parameters = TermParameters(friend_rate=10.0, reciprocity=2.0, attractiveness=0.5)
    effects = ["friend_rate", "density", "reciprocity", "attractiveness"]
    mesa_runs = np.array([term_statistics(effects, state, ClassroomModel(
        state, parameters, seed=r).run().friends) for r in range(150)])
    friends, _ = simulate_friendship(state, parameters, runs=150, seed=1)
    batch = term_statistics(effects, state, friends)
    spread = mesa_runs.std(axis=0) / np.sqrt(150)
    assert (np.abs(mesa_runs.mean(axis=0) - batch.mean(axis=0)) < 4 * spread * np.sqrt(2)).all()


def test_fit_matches_the_observed_statistics() -> None:
    matrices = _class_matrices(n=12, waves=2, seed=6)
    transition = class_transitions(waves_from_matrices(matrices), "klass")[0]
    fit = fit_term([transition], effects=["friend_rate", "density", "reciprocity"],
                   seed=1, iterations=6, runs_per_iteration=40, subphases=2, averaging=20)
    assert fit.parameters.friend_rate is not None and fit.parameters.friend_rate > 0
    assert max(abs(t) for t in fit.t_ratios.values()) < 1.0, fit.t_ratios


def test_a_fit_that_never_converges_keeps_its_closest_attempt() -> None:
    matrices = _class_matrices(n=12, waves=2, seed=6)
    transition = class_transitions(waves_from_matrices(matrices), "klass")[0]
    fit = fit_term([transition], seed=3, iterations=1, runs_per_iteration=10, subphases=1,
                   averaging=2, batch=2, restarts=3, phase3_runs=20)
    attempts = [h["phase3_max_t"] for h in fit.history if "phase3_max_t" in h]
    assert attempts and len(attempts) <= 3
    kept = max(abs(t) for t in fit.t_ratios.values())
    assert kept == pytest.approx(min(attempts))  # not simply the last attempt's
    if min(attempts) >= 0.3:
        assert len(attempts) == 3 and not fit.converged


def test_evaluate_twin_on_three_waves_gives_fit_and_aucs() -> None:
    waves = waves_from_matrices(_class_matrices(n=12, waves=3, seed=8))
    evaluation = evaluate_twin(waves, "klass", runs=40, fit_options=QUICK)
    assert evaluation.fitted_on == (1, 2) and evaluation.tested_on == (2, 3)
    assert {s.name for s in evaluation.statistics} == {
        "indegree", "outdegree", "triad_census", "reciprocity", "transitivity"}
    assert all(0.0 <= s.p <= 1.0 for s in evaluation.statistics)
    assert 0.0 <= evaluation.metrics["tie_auc"] <= 1.0
    summary = evaluation.summary()
    json.dumps(summary, allow_nan=False)  # NaN AUCs are None
    with pytest.raises(ValueError, match="tre mätningar"):
        evaluate_twin(waves[:2], "klass", runs=20)


def test_evaluation_pools_every_earlier_transition_or_only_the_last() -> None:
    waves = waves_from_matrices(_class_matrices(n=12, waves=4, seed=9))
    transitions = class_transitions(waves, "klass")
    ties = [float(t.end.sum()) for t in transitions]
    pooled = evaluate_twin(waves, "klass", runs=20, fit_options=QUICK)
    assert pooled.fitted_on == (1, 3) and pooled.tested_on == (3, 4)
    assert pooled.fit.observed["density"] == ties[0] + ties[1]  # both terms' statistics
    last = evaluate_twin(waves, "klass", runs=20, fit_options=QUICK, pooled=False)
    assert last.fitted_on == (2, 3) and last.fit.observed["density"] == ties[1]


def test_a_term_whose_behaviour_start_nobody_reported_is_not_pooled() -> None:
    waves = waves_from_matrices(_class_matrices(n=12, waves=4, seed=9))
    ids = sorted(waves[0].pupils["pupil_id"])
    levels = pd.DataFrame({1: np.nan, 2: [1 + i % 3 for i in range(12)],
                           3: [1 + (i + 1) % 3 for i in range(12)],
                           4: [1 + (i + 2) % 3 for i in range(12)]}, index=ids)
    evaluation = evaluate_twin(waves, "klass", behaviour=levels, runs=20, fit_options=QUICK)
    assert evaluation.fitted_on == (2, 3)  # 1 → 2 would teach a jump from a guessed level
    assert "behaviour" in evaluation.gof_p
    late = levels.copy()
    late[[2, 3]] = np.nan  # first asked at the last wave
    with pytest.raises(ValueError, match="Beteendet är inte angivet"):
        evaluate_twin(waves, "klass", behaviour=late, runs=20, fit_options=QUICK)


def test_auxiliary_statistics_of_one_and_many_networks_agree() -> None:
    matrix = _class_matrices(n=10, waves=1)[0].astype(bool)
    one = auxiliary_statistics(matrix, np.array([1.0, 2, 3, 1, 2, 3, 1, 2, 3, 1]), [1, 2, 3])
    many = auxiliary_statistics(np.stack([matrix, matrix]),
                                np.tile(np.array([1.0, 2, 3, 1, 2, 3, 1, 2, 3, 1]), (2, 1)),
                                [1, 2, 3])
    for key, value in one.items():
        assert np.allclose(many[key][1], value), key
    assert one["behaviour"].tolist() == [4, 7]  # at most 1, at most 2
    assert one["indegree"][-1] <= 10


def test_cli_imports_matrices_and_evaluates(tmp_path: Path) -> None:
    data = tmp_path / "klass9"
    data.mkdir()
    for w, matrix in enumerate(_class_matrices(n=12, waves=3, seed=8), start=1):
        _write(data / f"k-net-{w}.dat", matrix)
    levels = np.array([[1 + (i + w) % 3 for w in range(3)] for i in range(12)])
    _write(data / "k-alcohol.dat", levels)
    _write(data / "k-sex.dat", np.array([[1 + i % 2] for i in range(12)]))
    imported = run_cli("twin", "import-matrices", str(data), "--prefix", "k-net-",
                       "--gender", "k-sex.dat", "--attribute", "alkohol=k-alcohol.dat",
                       "-o", "waves", cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "3 mätningar med 12 elever" in imported.stdout
    written = sorted(p.name for p in (tmp_path / "waves").iterdir())
    assert written == ["alkohol.csv", "matning1.csv", "matning2.csv", "matning3.csv"]
    evaluated = run_cli("twin", "evaluate", "waves/matning1.csv", "waves/matning2.csv",
                        "waves/matning3.csv", "--behaviour", "waves/alkohol.csv",
                        "--runs", "30", "--json", "--quick", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    summary = json.loads(evaluated.stdout.strip().splitlines()[-1])
    assert {"tie_auc", "tie_auc_carry_forward", "isolation_auc", "gof_p"} <= set(summary)
    assert {"indegree", "outdegree", "triad_census", "behaviour"} <= set(summary["gof_p"])
    assert "Vänskap nästa mätning" in evaluated.stdout


def test_cli_refuses_bad_matrices_and_attributes(tmp_path: Path) -> None:
    data = tmp_path / "d"
    data.mkdir()
    _write(data / "n1.dat", np.array([[0, 1], [3, 0]]))
    bad = run_cli("twin", "import-matrices", str(data), "--prefix", "n", "-o", "out",
                  cwd=tmp_path)
    assert bad.returncode == 1 and "okänd kod" in bad.stderr and "n1.dat" in bad.stderr
    _write(data / "n1.dat", np.array([[0, 1], [1, 0]]))
    _write(data / "a.dat", np.array([[1, 2], [2, 1], [1, 1]]))
    wrong = run_cli("twin", "import-matrices", str(data), "--prefix", "n", "-o", "out",
                    "--attribute", "alkohol=a.dat", cwd=tmp_path)
    assert wrong.returncode == 1 and "3 rader men 2 elever" in wrong.stderr
    assert not (tmp_path / "out").exists()


def test_every_triad_pattern_has_a_type() -> None:
    for bits in product((0, 1), repeat=6):
        matrix = np.zeros((3, 3), dtype=bool)
        for bit, (a, b) in zip(bits, ((0, 1), (1, 0), (0, 2), (2, 0), (1, 2), (2, 1)),
                               strict=True):
            matrix[a, b] = bool(bit)
        assert triad_census(matrix).sum() == 1
