"""Case analytics against known truth: synthetic data, effects, overlap, allocation, fairness."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import pytest

from kraftsamling.cases import (
    EA_INTERVENTIONS,
    EffectEstimator,
    FeatureRegister,
    ForbiddenFeatureError,
    GaussianProcessEffect,
    OverlapError,
    RiskModel,
    allocate,
    bagged_best_weights,
    calibration_error,
    cramers_v,
    design_matrix,
    expected_true_effects,
    fairness_audit,
    household_months,
    near_best_weights,
    r_score,
    smoothest_within_se,
    synthetic_economic_assistance,
    synthetic_social_services,
)

COVARIATES = ["age", "education", "main_reason", "prior_months", "household_type", "amount"]


@pytest.fixture(scope="module")
def households() -> pd.DataFrame:
    cases = synthetic_economic_assistance(6000, seed=21)
    return cases.data.merge(cases.truth, on="household_id")


def test_synthetic_economic_assistance_matches_published_shares(households: pd.DataFrame
                                                                ) -> None:
    assert 0.35 <= households["long_term"].mean() <= 0.45  # ~40 % long-term
    assert 0.45 <= (households["main_reason"] == "arbetslöshet").mean() <= 0.55
    single_mothers = (households["household_type"] == "ensamstående kvinna med barn").mean()
    assert single_mothers > 0.15  # over-represented against ~6 % of all households
    again = synthetic_economic_assistance(50, seed=21).data
    assert again.equals(synthetic_economic_assistance(50, seed=21).data)
    # The truth says who is helped by what, and it differs by subgroup.
    outside = households["birth_region"] == "utanför Europa"
    assert households.loc[outside, "effect_sprakpraktik"].mean() < \
        households.loc[~outside, "effect_sprakpraktik"].mean() - 0.03


def test_household_month_panel_has_one_row_per_month() -> None:
    cases = synthetic_economic_assistance(200, seed=3)
    panel = household_months(cases)
    assert len(panel) == cases.data["months_to_exit"].sum()
    per_household = panel.groupby("household_id")["month"].max()
    assert (per_household.to_numpy() == cases.data.set_index("household_id")
            .loc[per_household.index, "months_to_exit"].to_numpy()).all()
    assert panel["exit_next"].sum() == cases.data["exited"].sum()


def test_expected_true_effects_average_the_unobserved_noise_away() -> None:
    """E[effect | X] agrees with the drawn truth on average, and varies only with X."""
    cases = synthetic_economic_assistance(4000, seed=9)
    expected = expected_true_effects(cases.data)
    for name in EA_INTERVENTIONS:
        truth = cases.truth[f"effect_{name}"]
        assert expected[f"effect_{name}"].mean() == pytest.approx(truth.mean(), abs=0.004)
        assert expected[f"effect_{name}"].std() < truth.std()  # the noise is averaged out
    twins = pd.concat([cases.data.head(1)] * 2, ignore_index=True)
    assert expected_true_effects(twins).iloc[0].equals(expected_true_effects(twins).iloc[1])


def test_expected_true_effects_on_months_agree_with_the_drawn_spells() -> None:
    """The continuous outcome's truth: the change in expected months on assistance (capped at
    24), averaged over the unobserved noise; it agrees with each household's own hazards."""
    cases = synthetic_economic_assistance(4000, seed=9)
    months = expected_true_effects(cases.data, outcome="months_to_exit")

    def expected_months(p_long_term: pd.Series) -> np.ndarray:
        hazard = 1 - p_long_term.to_numpy() ** (1 / 9)  # p_long_term = (1 - h) ** 9
        return np.asarray((1 - (1 - hazard) ** 24) / hazard)

    none = expected_months(cases.truth["p_long_term_ingen"])
    for name in EA_INTERVENTIONS:
        own = expected_months(cases.truth[f"p_long_term_{name}"]) - none
        assert months[f"effect_{name}"].mean() == pytest.approx(own.mean(), abs=0.06)
        assert months[f"effect_{name}"].std() < own.std()
    # Helping people leave sooner shortens the spell: the signs are those of long_term's.
    share = expected_true_effects(cases.data)
    assert (np.sign(months["effect_jobbtorg"]) == np.sign(share["effect_jobbtorg"])).mean() > 0.99
    # The drawn spells of those given nothing have the mean their hazards say.
    given_none = cases.data["intervention"].to_numpy() == "ingen"
    assert cases.data["months_to_exit"][given_none].mean() == pytest.approx(
        none[given_none].mean(), rel=0.05)
    with pytest.raises(ValueError, match="outcome"):
        expected_true_effects(cases.data, outcome=cast(Any, "exited"))



def test_expected_true_effects_without_birth_region_average_over_it() -> None:
    """The register's ceiling cannot tell birth regions apart; it lies between them."""
    cases = synthetic_economic_assistance(200, seed=9)
    person = cases.data[cases.data["education"] == "förgymnasial"].head(1)
    regions = pd.concat([person.assign(birth_region=r)
                         for r in ("Sverige", "utanför Europa")], ignore_index=True)
    known = expected_true_effects(regions)
    hidden = expected_true_effects(regions, birth_region_known=False)
    assert hidden.iloc[0].equals(hidden.iloc[1])
    language = "effect_sprakpraktik"  # helps those born outside Europe with short education
    assert known.loc[1, language] < hidden.loc[0, language] < known.loc[0, language]
    # Short education makes birth outside Europe likelier: weight above its 48 % prior.
    weight = ((hidden.loc[0, language] - known.loc[0, language])
              / (known.loc[1, language] - known.loc[0, language]))
    assert 0.48 < weight < 0.7

def test_social_services_data_has_dated_interventions() -> None:
    cases = synthetic_social_services(500, seed=2)
    given = cases.data[cases.data["intervention"] != "ingen"]
    assert (pd.to_datetime(given["intervention_start"])
            > pd.to_datetime(given["referral_date"])).all()
    assert 0.2 < cases.data["rereferral_12m"].mean() < 0.5
    with pytest.raises(ValueError, match="minst 1"):
        synthetic_social_services(0)


def test_effect_estimate_covers_the_true_average(households: pd.DataFrame) -> None:
    rows = households["intervention"].isin(["ingen", "jobbtorg"])
    part = households[rows]
    model = EffectEstimator(cate=False).fit(design_matrix(part, COVARIATES),
                                            (part["intervention"] == "jobbtorg").astype(int),
                                            part["long_term"])
    low, high = model.ci_
    assert low <= part["effect_jobbtorg"].mean() <= high
    assert high - low < 0.1
    assert model.fit(design_matrix(part, COVARIATES), (part["intervention"] == "jobbtorg"),
                     part["long_term"]) is model


def test_per_person_effects_follow_the_true_subgroups(households: pd.DataFrame) -> None:
    rows = households["intervention"].isin(["ingen", "sprakpraktik"])
    part = households[rows]
    covariates = [*COVARIATES, "birth_region"]
    x = design_matrix(part, covariates)
    model = EffectEstimator(n_trees=200).fit(x, (part["intervention"] == "sprakpraktik"),
                                             part["long_term"])
    estimate = model.estimate(x)
    truth = part["effect_sprakpraktik"].to_numpy()
    assert np.corrcoef(estimate.cate, truth)[0, 1] > 0.5
    assert (estimate.cate_low <= estimate.cate_high).all()


def test_overlap_is_checked_and_refusal_says_why() -> None:
    rng = np.random.default_rng(0)
    x = pd.DataFrame({"age": rng.integers(18, 70, 600).astype(float)})
    treated = (x["age"] < 30).astype(int)  # only the young were ever treated
    outcome = rng.random(600)
    with pytest.raises(OverlapError, match="överlappar inte") as error:
        EffectEstimator(cate=False).fit(x, treated, outcome)
    assert "age" in str(error.value)
    with pytest.raises(OverlapError, match="För få"):
        EffectEstimator(cate=False).fit(x, np.r_[np.ones(5), np.zeros(595)], outcome)


def test_effect_rejects_bad_input() -> None:
    x = pd.DataFrame({"a": np.arange(100.0)})
    with pytest.raises(ValueError, match="0/1"):
        EffectEstimator(cate=False).fit(x, np.arange(100) % 3, np.zeros(100))
    with pytest.raises(ValueError, match="lika många"):
        EffectEstimator(cate=False).fit(x, np.zeros(99), np.zeros(100))
    with pytest.raises(ValueError, match="saknas"):
        EffectEstimator(cate=False).fit(x, np.arange(100) % 2, np.r_[np.nan, np.zeros(99)])


def _smooth_problem(n: int, seed: int, x1_range: tuple[float, float]
                    ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Outcome exponential in one covariate, effect linear in another, confounded by the first."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"need": rng.normal(0, 1, n), "score": rng.uniform(*x1_range, n),
                      "parent": rng.integers(0, 2, n).astype(float)})
    t = (rng.random(n) < 1 / (1 + np.exp(-0.8 * x["need"]))).astype(int)
    tau = 1.0 + 2.0 * x["score"].to_numpy()
    y = np.exp(0.6 * x["need"].to_numpy()) + 0.5 * x["parent"].to_numpy() + t * tau \
        + rng.normal(0, 0.5, n)
    return x, t, y, tau


def test_gaussian_processes_follow_the_effect_past_the_data() -> None:
    x, t, y, _ = _smooth_problem(300, 0, (-1.5, 1.5))
    beyond, _, _, truth = _smooth_problem(200, 1, (1.5, 2.5))
    processes = GaussianProcessEffect().fit(x, t, y)
    assert processes.fit(x, t, y) is processes
    point, low, high = processes.effect(beyond)
    forest = EffectEstimator(cate_method="forest", n_trees=200).fit(x, t, y)
    assert forest.cate_method_ == "causal-forest"
    from_forest = forest.effect(beyond)[0]
    # Trees predict a constant past the largest score they saw; the linear part does not.
    assert np.sqrt(np.mean((point - truth) ** 2)) < 0.5 * np.sqrt(
        np.mean((from_forest - truth) ** 2))
    assert np.mean((low <= truth) & (truth <= high)) > 0.8
    inside, _, _, truth_inside = _smooth_problem(200, 2, (-1.5, 1.5))
    point_inside, low_inside, high_inside = processes.effect(inside)
    assert np.corrcoef(point_inside, truth_inside)[0, 1] > 0.9
    assert np.mean((low_inside <= truth_inside) & (truth_inside <= high_inside)) > 0.8


def test_averaged_processes_are_the_mean_of_separate_and_shared() -> None:
    x, t, y, _ = _smooth_problem(200, 3, (-1.0, 1.0))
    estimates = {structure: GaussianProcessEffect(structure=structure).fit(x, t, y)
                 .effect(x)[0] for structure in ("averaged", "separate", "shared")}
    assert np.allclose(estimates["averaged"],
                       (estimates["separate"] + estimates["shared"]) / 2)
    assert not np.allclose(estimates["separate"], estimates["shared"])


def test_per_person_model_is_chosen_by_held_out_r_loss() -> None:
    x, t, y, tau = _smooth_problem(150, 4, (-1.0, 1.0))
    best = EffectEstimator(n_repeats=1).fit(x, t, y)
    names = [c.name for c in best.candidates_]
    # Every candidate, the Gaussian processes included for a small continuous outcome.
    assert names == ["t-learner", "s-learner", "x-learner", "dr-learner", "causal-forest",
                     "econml-dr", "gaussian-process"]
    # The effect is strongly heterogeneous (1 + 2 · score): the held-out R-loss sees it.
    assert max(c.r_score for c in best.candidates_) > 0.2
    top = max(best.candidates_, key=lambda c: c.r_score)
    # The default for a continuous outcome (session 35): the mean of the candidates whose
    # held-out R-loss is within one standard error of the best one's.
    assert best.cate_model_ is not None and best.cate_model_.selection == "near-best"
    names_in_order = list(best.cate_model_.out_of_fold)
    taus = np.column_stack([best.cate_model_.out_of_fold[n] for n in names_in_order])
    y_res, t_res = best.cate_model_.residuals
    near = near_best_weights(y_res, t_res, taus)
    kept = [c for c in best.candidates_ if c.weight > 0]
    assert top in kept and {c.name for c in kept} == {
        n for n, w in zip(names_in_order, near, strict=True) if w > 0}
    assert all(c.weight == pytest.approx(1 / len(kept)) for c in kept)
    assert np.allclose(best.cate_out_of_fold_, taus @ near)
    assert np.allclose(best.cate_model_.rule_out_of_fold["near-best"], best.cate_out_of_fold_)
    assert np.allclose(best.effect(x)[0], np.mean(
        [best.effect(x, candidate=c.name)[0] for c in kept], axis=0))
    assert np.corrcoef(best.cate_out_of_fold_, tau)[0, 1] > 0.8
    # The other rules are computed on the same out-of-fold effects, beside the choice.
    assert np.allclose(best.cate_model_.rule_out_of_fold["best"],
                       best.cate_model_.out_of_fold[top.name])
    assert np.allclose(best.cate_model_.rule_out_of_fold["bagged-best"],
                       taus @ bagged_best_weights(y_res, t_res, taus))
    # The stack is computed beside the choice: a constant and non-negative weights.
    stack = best.cate_model_.stack
    assert set(stack) == {"constant", *names} and all(stack[n] >= 0 for n in names)
    summary = best.estimate(x).summary()
    assert summary["cate_method"] == best.cate_label_
    assert {c["name"] for c in summary["candidates"]} == set(names)
    binary = (y > np.median(y)).astype(int)
    no_gp = EffectEstimator(n_repeats=1, cate_method="t-learner").fit(x, t, binary)
    assert [c.name for c in no_gp.candidates_] == ["t-learner"]
    assert "gaussian-process" not in EffectEstimator(n_repeats=1, gp_max_rows=100)\
        ._candidate_names(300, False)
    assert "gaussian-process" not in EffectEstimator()._candidate_names(300, True)
    assert EffectEstimator(cate=False).fit(x, t, y).cate_method_ is None
    with pytest.raises(ValueError, match="tränades inte"):
        no_gp.effect(x, candidate="s-learner")
    with pytest.raises(ValueError, match="selection"):
        EffectEstimator(selection=cast(Any, "alla")).fit(x, t, y)


def _residuals(seed: int, n: int, noise: float) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                         np.random.Generator]:
    """Treatment and outcome residuals of rows whose true effects ``tau`` are known."""
    rng = np.random.default_rng(seed)
    t_res = rng.normal(0, 0.5, n)
    tau = 1.0 + rng.normal(0, 1, n)
    return t_res, tau, t_res * tau + rng.normal(0, noise, n), rng


def test_near_best_rule_averages_ties_and_leaves_out_the_clearly_worse() -> None:
    n = 4000
    t_res, tau, y_res, rng = _residuals(12, n, 0.3)
    # Two candidates that hold-out rows cannot tell apart, one clearly worse, one constant.
    noise = rng.normal(0, 0.05, (n, 2))
    taus = np.column_stack([tau + noise[:, 0], tau + noise[:, 1], 0.3 * tau,
                            np.ones(n)])
    weights = near_best_weights(y_res, t_res, taus)
    assert np.allclose(weights, [0.5, 0.5, 0.0, 0.0])
    # Zero standard errors: only the best one (the rule never keeps a worse candidate).
    assert np.allclose(near_best_weights(y_res, t_res, taus, n_se=0.0), [0.0, 0.0, 0.0, 0.0]
                       + np.eye(4)[int(np.argmax([r_score(y_res, t_res, c)
                                                  for c in taus.T]))])
    # With far fewer rows the same gap is noise: the worse candidate is averaged in.
    few = near_best_weights(y_res[:20], t_res[:20], taus[:20], n_se=3.0)
    assert few[2] > 0 and np.isclose(few.sum(), 1.0)
    assert r_score(y_res, t_res, tau) > 0 > r_score(y_res, t_res, 0.3 * tau)
    assert abs(r_score(y_res, t_res, np.full(n, y_res @ t_res / (t_res @ t_res)))) < 1e-12

    # Bagged best score: the two ties share the resamples, the worse ones win none.
    bagged = bagged_best_weights(y_res, t_res, taus)
    assert bagged[2] == bagged[3] == 0.0 and 0.1 < bagged[0] < 0.9
    assert np.isclose(bagged.sum(), 1.0)
    assert np.array_equal(bagged, bagged_best_weights(y_res, t_res, taus))  # seeded
    # On three rows the clearly worse candidate wins resamples too.
    assert bagged_best_weights(y_res[:3], t_res[:3], taus[:3])[2] > 0


def test_smoothest_rule_prefers_the_steadier_of_candidates_within_one_error() -> None:
    n = 200
    t_res, tau, y_res, rng = _residuals(5, n, 0.5)
    # The truth; the truth shrunk a little towards its mean (steadier, a hair worse); a
    # constant far off (steadiest of all, clearly worse).
    taus = np.column_stack([tau, 0.9 * tau + 0.1 * tau.mean(), np.full(n, 3.0)])
    losses = (y_res[:, None] - t_res[:, None] * taus) ** 2
    assert int(np.argmin(losses.mean(axis=0))) == 0
    assert smoothest_within_se(losses, taus) == 1
    # The order of the columns does not matter.
    order = [2, 1, 0]
    assert smoothest_within_se(losses[:, order], taus[:, order]) == 1
    # With many rows the same shrinkage is a real loss: the best one alone.
    many = 20_000
    t_res = rng.normal(0, 0.5, many)
    tau = 1.0 + rng.normal(0, 1, many)
    y_res = t_res * tau + rng.normal(0, 0.5, many)
    taus = np.column_stack([tau, 0.9 * tau + 0.1 * tau.mean()])
    assert smoothest_within_se((y_res[:, None] - t_res[:, None] * taus) ** 2, taus) == 0


def test_a_binary_outcome_takes_the_smoothest_near_best_and_a_pruned_model_keeps_it(
        ) -> None:
    import pickle

    x, t, y, _ = _smooth_problem(260, 6, (-1.0, 1.0))
    binary = (y > np.median(y)).astype(int)
    full = EffectEstimator(n_repeats=1, n_trees=40).fit(x, t, binary)
    pruned = EffectEstimator(n_repeats=1, n_trees=40, keep_candidates=False).fit(x, t, binary)
    assert full.cate_model_ is not None and pruned.cate_model_ is not None
    # "auto" on a 0/1 outcome is the one-standard-error rule on the held-out R-loss.
    assert full.cate_model_.selection == "smoothest"
    names = list(full.cate_model_.out_of_fold)
    taus = np.column_stack([full.cate_model_.out_of_fold[n] for n in names])
    y_res, t_res = full.cate_model_.residuals
    chosen = names[smoothest_within_se((y_res[:, None] - t_res[:, None] * taus) ** 2, taus)]
    assert full.cate_method_ == chosen
    assert [c.name for c in full.candidates_ if c.weight > 0] == [chosen]
    assert np.allclose(full.cate_out_of_fold_, full.cate_model_.rule_out_of_fold["smoothest"])
    # Pruned (keep_candidates=False): the same choice and effects from a far smaller object;
    # any other candidate says why it cannot answer.
    assert pruned.cate_method_ == chosen
    assert np.allclose(pruned.effect(x)[0], full.effect(x)[0])
    assert len(pickle.dumps(pruned)) < len(pickle.dumps(full)) / 2
    other = next(c.name for c in pruned.candidates_ if c.weight == 0)
    with pytest.raises(ValueError, match="sparades inte"):
        pruned.effect(x, candidate=other)
    assert np.isfinite(full.effect(x, candidate=other)[0]).all()


def test_categories_are_read_as_categories_and_useless_columns_dropped() -> None:
    rng = np.random.default_rng(7)
    n = 1200
    group = rng.choice(["A", "B", "C"], n)
    x = pd.DataFrame({"grupp": group, "ålder": rng.normal(40, 10, n),
                      "kommun": "Umeå", "tom": np.nan})
    t = rng.integers(0, 2, n)
    # Only group B is helped; as codes A=0, B=1, C=2 no single split isolates B.
    y = (rng.random(n) < 0.3 + 0.4 * t * (group == "B")).astype(int)
    model = EffectEstimator(n_repeats=1, cate_method="t-learner").fit(x, t, y)
    assert set(model.columns_) == {"grupp", "ålder"}
    estimate = model.estimate(x)
    assert any("kommun" in note and "samma värde" in note for note in estimate.notes)
    assert any("tom" in note and "saknar värden" in note for note in estimate.notes)
    assert estimate.cate[group == "B"].mean() > 0.25
    assert abs(estimate.cate[group != "B"].mean()) < 0.1
    # New rows may hold a level never seen in training: no error, no effect from the level.
    unseen = pd.DataFrame({"grupp": ["D", "B"], "ålder": [40.0, 40.0]})
    point, low, high = model.effect(unseen)
    assert np.isfinite(point).all() and (low <= high).all()
    with pytest.raises(ValueError, match="varierar"):
        EffectEstimator(cate=False).fit(x[["kommun", "tom"]], t, y)


def test_average_effect_interval_adds_the_variance_over_splits() -> None:
    x, t, y, _ = _smooth_problem(400, 8, (-1.0, 1.0))
    one = EffectEstimator(cate=False, n_repeats=1).fit(x, t, y)
    three = EffectEstimator(cate=False, n_repeats=3).fit(x, t, y)
    assert len(three.split_estimates_) == 3
    assert three.split_estimates_[0] == one.effect_
    assert three.effect_ == float(np.median(three.split_estimates_))
    assert three.se_ >= min(np.sqrt(three.split_variances_))
    assert "3 slumpade delningar" in three.method_


def test_gaussian_processes_reject_bad_input() -> None:
    x, t, y, _ = _smooth_problem(60, 5, (-1.0, 1.0))
    with pytest.raises(ValueError, match="structure"):
        GaussianProcessEffect(structure=cast(Any, "båda")).fit(x, t, y)
    with pytest.raises(ValueError, match="minst två"):
        GaussianProcessEffect().fit(x, np.zeros(60), y)
    with pytest.raises(ValueError, match="0/1"):
        GaussianProcessEffect().fit(x, t - 1, y)
    fitted = GaussianProcessEffect(structure="separate").fit(x, t, y)
    with pytest.raises(ValueError, match="3 kovariater"):
        fitted.effect(x[["need", "score"]])
    with pytest.raises(ValueError, match="lika många"):
        GaussianProcessEffect().fit(x, t[:-1], y)
    with pytest.raises(ValueError, match="cate_method"):
        EffectEstimator(cate_method=cast(Any, "skog")).fit(x, t, y)


def test_allocation_is_exactly_optimal_on_a_small_problem() -> None:
    rng = np.random.default_rng(4)
    benefit = rng.normal(0.05, 0.1, (7, 2))
    capacity = {"a": 2, "b": 1}
    plan = allocate(benefit, ["a", "b"], capacity)
    best = -np.inf
    for choice in itertools.product([-1, 0, 1], repeat=7):
        picked = np.array(choice)
        if (picked == 0).sum() <= 2 and (picked == 1).sum() <= 1:
            best = max(best, sum(benefit[i, k] for i, k in enumerate(picked) if k >= 0))
    assert plan.expected_benefit == pytest.approx(best)
    assert plan.counts()["a"] <= 2 and plan.counts()["b"] <= 1
    # Places only: the linear relaxation's plan, which must be the integer programme's
    # (a budget that never binds forces the integer programme).
    benefit = rng.normal(0.05, 0.1, (400, 3))
    capacity = {"a": 30, "b": 20, "c": 10}
    fast = allocate(benefit, ["a", "b", "c"], capacity)
    exact = allocate(benefit, ["a", "b", "c"], capacity, cost={"a": 0.0}, budget=1.0)
    assert fast.status == exact.status == "optimal"
    assert fast.expected_benefit == pytest.approx(exact.expected_benefit)
    assert fast.counts() == exact.counts() == capacity


def test_allocation_fairness_floor_and_bad_input() -> None:
    benefit = np.array([[0.9], [0.8], [0.7], [0.6], [0.1], [0.05], [0.04], [0.03]])
    groups = ["A"] * 4 + ["B"] * 4
    plain = allocate(benefit, ["x"], {"x": 4})
    assert set(np.flatnonzero(plain.assigned >= 0)) == {0, 1, 2, 3}
    fair = allocate(benefit, ["x"], {"x": 4}, groups=groups, min_ratio=0.8)
    chosen = fair.assigned >= 0
    share_a, share_b = chosen[:4].mean(), chosen[4:].mean()
    assert min(share_a, share_b) / max(share_a, share_b) >= 0.8
    assert fair.expected_benefit < plain.expected_benefit
    with pytest.raises(ValueError, match="Okända insatser"):
        allocate(benefit, ["x"], {"y": 1})
    with pytest.raises(ValueError, match="negativt"):
        allocate(benefit, ["x"], {"x": -1})
    many = np.random.default_rng(0).normal(0.05, 0.05, (2000, 4))
    with pytest.raises(ValueError, match="tidsgränsen"):
        allocate(many, list("abcd"), dict.fromkeys("abcd", 50), groups=["A", "B"] * 1000,
                 min_ratio=0.9, time_limit=1e-6)


def _best_fair_plan(benefit: np.ndarray[Any, Any], capacity: list[int], groups: list[str],
                    min_ratio: float, cost: list[float] | None = None,
                    budget: float | None = None) -> float:
    """Every plan, by brute force: the best that keeps places, budget and floor."""
    labels = np.array(groups)
    best = -np.inf
    for choice in itertools.product(range(-1, benefit.shape[1]), repeat=len(benefit)):
        picked = np.array(choice)
        if any((picked == j).sum() > c for j, c in enumerate(capacity)):
            continue
        if budget is not None and cost is not None \
                and sum(cost[j] for j in picked if j >= 0) > budget + 1e-9:
            continue
        shares = [(picked[labels == g] >= 0).mean() for g in sorted(set(groups))]
        if min(shares) < min_ratio * max(shares) - 1e-9:
            continue
        best = max(best, sum(benefit[i, j] for i, j in enumerate(picked) if j >= 0))
    return float(best)


def test_a_fairness_ratio_outside_zero_to_one_is_refused_in_swedish() -> None:
    """Above 1 the floor holds only when nobody gets a place (one group gave an empty plan
    as "optimal" before; second reading, session 33)."""
    benefit = np.array([[0.3], [0.4]])
    for ratio in (1.2, -0.5):
        with pytest.raises(ValueError, match=r"min_ratio.*mellan 0 och 1"):
            allocate(benefit, ["a"], {}, groups=["g", "g"], min_ratio=ratio)
    assert allocate(benefit, ["a"], {}, groups=["g", "g"], min_ratio=1.0).expected_benefit \
        == pytest.approx(0.7)


def test_fairness_floor_plan_is_exactly_optimal_on_small_problems() -> None:
    rng = np.random.default_rng(7)
    groups = ["A", "A", "A", "B", "B", "B", "C", "C"]
    for _ in range(3):
        benefit = rng.normal(0.05, 0.1, (8, 2)) + np.repeat([0.2, 0.0, -0.05], [3, 3, 2])[:, None]
        plan = allocate(benefit, ["a", "b"], {"a": 3, "b": 2}, groups=groups, min_ratio=0.6)
        assert plan.status == "optimal"
        assert plan.expected_benefit == pytest.approx(
            _best_fair_plan(benefit, [3, 2], groups, 0.6))
        # A budget beside the floor: every choice binary, the same brute-force optimum.
        costed = allocate(benefit, ["a", "b"], {"a": 3, "b": 2}, groups=groups, min_ratio=0.6,
                          cost={"a": 1.0, "b": 2.0}, budget=5.0)
        assert costed.expected_benefit == pytest.approx(
            _best_fair_plan(benefit, [3, 2], groups, 0.6, cost=[1.0, 2.0], budget=5.0))


def test_fairness_floor_solves_thousands_of_people_in_seconds() -> None:
    # 3,000 people, four interventions, five districts: the binary-per-choice programme
    # did not find a plan within 10 s (HiGHS's presolve alone ran out of time; at 10,000
    # people, as in the benchmark, not within 60 s). With one whole number per district
    # it is exact in about a second.
    rng = np.random.default_rng(3)
    district = rng.choice(5, 3000, p=[0.15, 0.25, 0.2, 0.25, 0.15])
    benefit = rng.normal(0.02, 0.05, (3000, 4)) + 0.03 * (district[:, None] == 0)
    groups = [f"d{g}" for g in district]
    capacity = dict.fromkeys("abcd", 75)
    plain = allocate(benefit, list("abcd"), capacity)
    fair = allocate(benefit, list("abcd"), capacity, groups=groups, min_ratio=0.8,
                    time_limit=10.0)
    assert fair.status == "optimal"
    assert fair.counts() == plain.counts() == capacity
    chosen = fair.assigned >= 0
    shares = [chosen[district == g].mean() for g in range(5)]
    assert min(shares) >= 0.8 * max(shares)
    plain_shares = [(plain.assigned >= 0)[district == g].mean() for g in range(5)]
    assert min(plain_shares) < 0.8 * max(plain_shares)  # the floor binds
    assert 0.97 * plain.expected_benefit < fair.expected_benefit < plain.expected_benefit


def test_risk_model_is_calibrated_and_explains_in_swedish(households: pd.DataFrame) -> None:
    train, test = households.iloc[:4500], households.iloc[4500:]
    model = RiskModel(n_estimators=150).fit(train[COVARIATES], train["long_term"])
    p = model.predict_proba(test[COVARIATES])[:, 1]
    assert ((p >= 0) & (p <= 1)).all()
    assert calibration_error(test["long_term"], p) < 0.06
    reasons = model.explain(test[COVARIATES].head(3))
    assert all(len(r) == 3 for r in reasons)
    assert all("risken" in f.sentence for r in reasons for f in r)
    with pytest.raises(ValueError, match="saknas"):
        model.predict_proba(test[["age"]])


def test_fairness_audit_flags_disparities() -> None:
    rng = np.random.default_rng(1)
    groups = pd.DataFrame({"district": ["Norr"] * 200 + ["Söder"] * 200})
    y = rng.integers(0, 2, 400)
    score = np.r_[np.full(200, 0.9), np.full(200, 0.1)]
    audit = fairness_audit(y, score, groups, n_boot=30)
    table = audit.tables["district"]
    assert list(table["grupp"]) == ["Norr", "Söder"]
    assert (table["urvalsandel_låg"] <= table["urvalsandel"]).all()
    assert any("urvalsandel" in flag for flag in audit.flags)
    fair = fairness_audit(y, np.full(400, y.mean()), groups, n_boot=30)
    assert not any("urvalsandel" in flag for flag in fair.flags)


def test_register_forbids_features_and_flags_proxies(tmp_path: Path) -> None:
    register = FeatureRegister.from_toml()
    with pytest.raises(ForbiddenFeatureError, match="medborgarskap"):
        register.check(["age", "medborgarskap"])
    assert register.allowed(["age", "birth_region", "Language"]) == ["age"]
    frame = pd.DataFrame({"birth_region": ["Sverige", "utanför Europa"] * 100,
                          "interpreter": ["nej", "ja"] * 100, "age": np.arange(200)})
    flags = register.proxies(frame, ["interpreter", "age"])
    assert [f.feature for f in flags] == ["interpreter"]
    assert cramers_v(frame["birth_region"], frame["interpreter"]) == pytest.approx(1.0)
    (tmp_path / "fel.toml").write_text("[register\nforbidden = 1", encoding="utf-8")
    with pytest.raises(ValueError, match="TOML"):
        FeatureRegister.from_toml(tmp_path / "fel.toml")


def test_a_file_with_swedish_headers_and_interventions_reads_as_the_english_one(
        tmp_path: Path) -> None:
    """Headers as the upload help lists them (Swedish, any case, accents or not) and the
    interventions as a caseworker writes them are read as the models' names."""
    from kraftsamling.cases import CASE_SCHEMAS, read_case_table

    data = synthetic_economic_assistance(30, seed=5).data
    english = tmp_path / "english.csv"
    data.to_csv(english, index=False, sep=";")
    swedish_names = {spec.name: (spec.title or spec.name).upper()
                     for spec in CASE_SCHEMAS["economic-assistance"].columns}
    written = data.rename(columns=swedish_names)
    spoken = {"sprakpraktik": "Språkpraktik", "subventionerad_anstallning":
              "Subventionerad anställning", "ingen": "Ingen insats", "jobbtorg": "JOBBTORG"}
    written["INSATS"] = written["INSATS"].map(lambda v: spoken.get(v, v))
    swedish = tmp_path / "svenska.csv"
    written.to_csv(swedish, index=False, sep=";")
    assert "HUSHÅLLSTYP" in written.columns and "Språkpraktik" in set(written["INSATS"])
    expected = read_case_table(english, kind="economic-assistance")
    got = read_case_table(swedish, kind="economic-assistance")
    pd.testing.assert_frame_equal(got[expected.columns], expected)
    # Without a kind the headers are kept as written (an effect names its own columns).
    assert "HUSHÅLLSTYP" in read_case_table(swedish).columns
