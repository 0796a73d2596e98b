"""Synthetic social-services and economic-assistance data with known true effects.

Every estimate the toolkit makes can be checked against truth: the generators write, beside
the data, each person's true probability of the outcome with and without each intervention.
Figures it is calibrated to (sources in ``docs/cases.md``):

- economic assistance (Socialstyrelsen, *Ekonomiskt bistånd årsstatistik*): about 40 % of
  adult recipients are long-term (≥ 10 months in a year); unemployment is the main reason
  (försörjningshinder) for about half; single mothers are over-represented (about a fifth
  of recipient households against some 6 % of all households); recipients born outside
  Europe are a large share;
- social services for children and young people (Socialstyrelsen, *Insatser för barn och
  unga*): most referrals are reports of concern (orosanmälan); about a third of children
  assessed are re-referred within a year.

The intervention effects differ by subgroup on purpose (language placements help most those
born outside Europe with short education, subsidised jobs help the long-term unemployed,
studies help the young), and caseworkers' current practice is confounded: who gets what
depends on the same covariates that drive the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = [
    "EA_INTERVENTIONS",
    "SS_INTERVENTIONS",
    "SyntheticCases",
    "expected_true_effects",
    "household_months",
    "synthetic_economic_assistance",
    "synthetic_social_services",
]

Kind = Literal["social-services", "economic-assistance"]

EA_INTERVENTIONS = ("jobbtorg", "sprakpraktik", "subventionerad_anstallning", "studier")
SS_INTERVENTIONS = ("kontaktperson", "familjebehandling", "oppenvard", "hvb", "familjehem")
DISTRICTS = ("Centrum", "Norr", "Öster", "Söder", "Väster")
BIRTH_REGIONS = ("Sverige", "Norden", "Europa", "utanför Europa")
HOUSEHOLD_TYPES = ("ensamstående utan barn", "ensamstående kvinna med barn",
                   "ensamstående man med barn", "sammanboende utan barn",
                   "sammanboende med barn")
REASONS = ("arbetslöshet", "sjukdom", "otillräcklig inkomst", "sociala skäl",
           "väntar på ersättning")
EDUCATION = ("förgymnasial", "gymnasial", "eftergymnasial")
# How the generator draws birth region, and education given birth region (born outside
# Europe, or not): shared with expected_true_effects, which averages over birth region.
_REGION_P = (0.38, 0.04, 0.10, 0.48)
_EDUCATION_P = {True: (0.45, 0.33, 0.22), False: (0.25, 0.52, 0.23)}


@dataclass
class SyntheticCases:
    """Generated data and, per row, the truth it was drawn from."""

    data: pd.DataFrame
    truth: pd.DataFrame
    kind: Kind
    outcome: str
    interventions: tuple[str, ...]


def _sigmoid(x: Any) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.asarray(1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float))), dtype=float)


def _age_band(age: np.ndarray) -> np.ndarray:
    return np.select([age < 25, age < 35, age < 50, age < 65],
                     ["18–24", "25–34", "35–49", "50–64"], "65+")


def _ea_effects(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """True effect of each intervention on the monthly log-odds of leaving assistance."""
    outside = (frame["birth_region"] == "utanför Europa").to_numpy()
    short_edu = (frame["education"] == "förgymnasial").to_numpy()
    unemployed = (frame["main_reason"] == "arbetslöshet").to_numpy()
    long_before = (frame["prior_months"] >= 6).to_numpy()
    young = (frame["age"] < 25).to_numpy()
    sick = (frame["main_reason"] == "sjukdom").to_numpy()
    return {
        "jobbtorg": 0.15 + 0.45 * unemployed - 0.25 * long_before - 0.3 * sick,
        "sprakpraktik": -0.05 + 0.75 * (outside & short_edu) + 0.3 * outside,
        "subventionerad_anstallning": 0.1 + 0.9 * (long_before & unemployed) - 0.3 * sick,
        "studier": -0.2 + 0.85 * young + 0.2 * short_edu,
    }


EA_UNOBSERVED_SD = 0.35
EA_HORIZON = 9  # long-term: no exit in the first nine months
EA_CAP = 24  # months_to_exit is capped here


def _ea_exit_logit(frame: pd.DataFrame) -> np.ndarray:
    """Monthly log-odds of leaving assistance without intervention, from the covariates."""
    age = frame["age"].to_numpy()
    prior = frame["prior_months"].to_numpy()
    education, reason = frame["education"].to_numpy(), frame["main_reason"].to_numpy()
    household, region = frame["household_type"].to_numpy(), frame["birth_region"].to_numpy()
    return np.asarray(
        -1.75 + 0.03 * (35 - np.abs(age - 35)) / 10 - 0.10 * prior
        + 0.35 * (education == "eftergymnasial") - 0.25 * (education == "förgymnasial")
        - 0.75 * (reason == "sjukdom") + 0.45 * (reason == "väntar på ersättning")
        - 0.35 * (reason == "sociala skäl")
        - 0.35 * (household == "ensamstående kvinna med barn")
        - 0.25 * (region == "utanför Europa") - 0.02 * (age > 55) * (age - 55), dtype=float)


def _months_on_assistance(hazard: np.ndarray) -> np.ndarray:
    """E[min(G, 24)] for G geometric with monthly exit probability ``hazard``: the expected
    ``months_to_exit`` (the generator caps the spell at 24 months)."""
    return np.asarray((1 - (1 - hazard) ** EA_CAP) / hazard, dtype=float)


def expected_true_effects(frame: pd.DataFrame, *, birth_region_known: bool = True,
                          draws: int = 400, seed: int = 0,
                          outcome: Literal["long_term", "months_to_exit"] = "long_term"
                          ) -> pd.DataFrame:
    """Each household's true effect averaged over what no covariate shows: E[effect | X].

    ``outcome`` is the outcome the effect is on: ``"long_term"`` (the default; the change in
    the probability of at least ten months on assistance) or ``"months_to_exit"`` (the
    change in the expected months on assistance, capped at 24 as the generator caps them —
    a continuous outcome with known per-person truth).

    The truth file's effects include each household's unobserved noise; no model of the
    covariates can know it, so this is the best any model could estimate — the ceiling for
    the benchmark's allocation (``economic-assistance`` only). With
    ``birth_region_known=False`` the effect is also averaged over birth region, given
    education, as the generator draws them: the ceiling for a model that obeys the
    register, where birth region is audit-only.
    """
    if not birth_region_known:
        weights, parts = [], []
        for region, prior in zip(BIRTH_REGIONS, _REGION_P, strict=True):
            given = dict(zip(EDUCATION, _EDUCATION_P[region == "utanför Europa"], strict=True))
            weights.append(prior * frame["education"].map(given).to_numpy(float))
            parts.append(expected_true_effects(frame.assign(birth_region=region), draws=draws,
                                               seed=seed, outcome=outcome
                                               ).mul(weights[-1], axis=0))
        return sum(parts[1:], parts[0]).div(sum(weights), axis=0)
    noise = np.random.default_rng(seed).normal(0, EA_UNOBSERVED_SD, draws)[None, :]
    base = _ea_exit_logit(frame)[:, None] + noise
    if outcome == "months_to_exit":
        months = _months_on_assistance(_sigmoid(base))
        return pd.DataFrame({
            f"effect_{name}": (_months_on_assistance(_sigmoid(base + effect[:, None])) - months
                               ).mean(axis=1)
            for name, effect in _ea_effects(frame).items()}, index=frame.index)
    if outcome != "long_term":
        raise ValueError("outcome måste vara long_term eller months_to_exit.")
    stay = (1 - _sigmoid(base)) ** EA_HORIZON
    return pd.DataFrame({
        f"effect_{name}": ((1 - _sigmoid(base + effect[:, None])) ** EA_HORIZON - stay
                           ).mean(axis=1)
        for name, effect in _ea_effects(frame).items()}, index=frame.index)


def synthetic_economic_assistance(n: int, *, seed: int = 0) -> SyntheticCases:
    """``n`` households starting a spell of economic assistance, one row each.

    The outcome ``long_term`` is 1 when the household is on assistance at least 10 of the
    first 12 months. ``intervention`` is what current (confounded) practice gave; truth holds
    ``p_long_term_<intervention>`` for every option including ``ingen`` and the true hazard.
    """
    if n < 1:
        raise ValueError("Antalet hushåll måste vara minst 1.")
    rng = np.random.default_rng(seed)
    region = rng.choice(BIRTH_REGIONS, n, p=list(_REGION_P))
    household = rng.choice(HOUSEHOLD_TYPES, n, p=[0.52, 0.20, 0.03, 0.07, 0.18])
    woman_share = np.where(household == "ensamstående kvinna med barn", 1.0,
                           np.where(household == "ensamstående man med barn", 0.0, 0.45))
    sex = np.where(rng.random(n) < woman_share, "kvinna", "man")
    age = np.clip(rng.gamma(3.0, 6.5, n) + 18, 18, 75).astype(int)
    edu_p = np.where(region[:, None] == "utanför Europa", [_EDUCATION_P[True]],
                     [_EDUCATION_P[False]])
    education = np.array([EDUCATION[i] for i in (rng.random(n)[:, None]
                                                  > edu_p.cumsum(1)).sum(1).clip(0, 2)])
    reason = rng.choice(REASONS, n, p=[0.50, 0.20, 0.13, 0.10, 0.07])
    prior = np.clip(rng.negative_binomial(2, 0.3, n), 0, 12)
    district = rng.choice(DISTRICTS, n, p=[0.15, 0.25, 0.2, 0.25, 0.15])
    children = np.isin(household, ["ensamstående kvinna med barn", "ensamstående man med barn",
                                   "sammanboende med barn"])
    amount = np.round(rng.normal(6500, 900, n) + 3200 * children
                      + 2500 * (household == "sammanboende med barn"), -1)
    frame = pd.DataFrame({
        "household_id": [f"h{seed}-{i:07d}" for i in range(n)],
        "sex": sex, "age": age, "age_band": _age_band(age), "birth_region": region,
        "district": district, "household_type": household, "education": education,
        "main_reason": reason, "prior_months": prior, "amount": amount,
    })
    # Monthly log-odds of leaving assistance without any intervention; the noise is what no
    # covariate shows.
    base = _ea_exit_logit(frame) + rng.normal(0, EA_UNOBSERVED_SD, n)
    effects = _ea_effects(frame)
    truth = pd.DataFrame({"household_id": frame["household_id"]})
    hazard = {"ingen": _sigmoid(base)}
    hazard |= {name: _sigmoid(base + effect) for name, effect in effects.items()}
    for name, h in hazard.items():
        truth[f"p_long_term_{name}"] = (1 - h) ** EA_HORIZON  # no exit in nine months
    # Current practice: caseworkers' habits depend on the same covariates (confounding).
    logits = np.column_stack([
        np.zeros(n),
        -1.0 + 1.2 * (reason == "arbetslöshet") - 0.3 * (reason == "sjukdom"),
        -2.0 + 2.2 * (region == "utanför Europa") + 0.5 * (education == "förgymnasial"),
        -2.2 + 0.15 * prior + 0.4 * (reason == "arbetslöshet"),
        -2.0 + 1.5 * (age < 25) + 0.3 * (education == "förgymnasial"),
    ])
    choice_p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    options = ("ingen", *EA_INTERVENTIONS)
    picked = (rng.random(n)[:, None] > choice_p.cumsum(1)).sum(1).clip(0, len(options) - 1)
    intervention = np.array(options)[picked]
    h_given = np.choose(picked, [hazard[o] for o in options])
    months = rng.geometric(h_given)  # months on assistance until the first exit
    frame["intervention"] = intervention
    frame["months_to_exit"] = np.minimum(months, EA_CAP)
    frame["exited"] = (months <= EA_CAP).astype(int)
    frame["long_term"] = (months >= 10).astype(int)
    truth["hazard_given"] = h_given
    for name in EA_INTERVENTIONS:
        truth[f"effect_{name}"] = truth[f"p_long_term_{name}"] - truth["p_long_term_ingen"]
    return SyntheticCases(frame, truth, "economic-assistance", "long_term", EA_INTERVENTIONS)


def household_months(cases: SyntheticCases, *, seed: int = 0) -> pd.DataFrame:
    """The household-month panel behind :func:`synthetic_economic_assistance`.

    One row per household and month on assistance until exit (or 24 months), with the months
    so far and the amount paid; ``exit_next`` marks the month before self-sufficiency.
    """
    rng = np.random.default_rng(seed)
    frame = cases.data
    months = frame["months_to_exit"].to_numpy()
    rows = np.repeat(np.arange(len(frame)), months)
    within = np.arange(len(rows)) - np.repeat(np.cumsum(months) - months, months)
    panel = frame.iloc[rows].reset_index(drop=True).drop(columns=["months_to_exit"])
    panel.insert(1, "month", within + 1)
    panel["amount"] = np.round(panel["amount"].to_numpy() * rng.normal(1, 0.08, len(rows)), -1)
    last = within + 1 == months[rows]
    panel["exit_next"] = (last & (frame["exited"].to_numpy()[rows] == 1)).astype(int)
    return panel


def synthetic_social_services(n: int, *, seed: int = 0) -> SyntheticCases:
    """``n`` children referred to social services, one row each, with the intervention given
    after assessment and whether the child was re-referred within 12 months."""
    if n < 1:
        raise ValueError("Antalet personer måste vara minst 1.")
    rng = np.random.default_rng(seed)
    age = rng.integers(0, 18, n)
    sex = rng.choice(["flicka", "pojke"], n)
    region = rng.choice(BIRTH_REGIONS, n, p=[0.62, 0.03, 0.08, 0.27])
    district = rng.choice(DISTRICTS, n)
    referral = rng.choice(["orosanmälan", "ansökan"], n, p=[0.85, 0.15])
    reason = rng.choice(["brister i omsorg", "våld i hemmet", "eget beteende",
                         "missbruk hos förälder", "psykisk ohälsa"], n,
                        p=[0.32, 0.2, 0.22, 0.14, 0.12])
    previous = rng.poisson(0.8, n)
    single_parent = rng.random(n) < 0.35
    referral_date = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 365, n),
                                                                 unit="D")
    frame = pd.DataFrame({
        "person_id": [f"p{seed}-{i:07d}" for i in range(n)],
        "sex": sex, "age": age, "age_band": np.select([age < 6, age < 13], ["0–5", "6–12"],
                                                      "13–17"),
        "birth_region": region, "district": district, "referral_type": referral,
        "referral_reason": reason, "previous_referrals": previous,
        "single_parent": single_parent.astype(int), "referral_date": referral_date,
    })
    base = (-0.9 + 0.35 * previous + 0.5 * (reason == "missbruk hos förälder")
            + 0.4 * (reason == "våld i hemmet") + 0.3 * (age >= 13) * (reason == "eget beteende")
            + 0.2 * single_parent - 0.3 * (referral == "ansökan") + rng.normal(0, 0.3, n))
    teen = age >= 13
    effects = {
        "kontaktperson": -0.1 - 0.35 * (single_parent & ~teen),
        "familjebehandling": -0.2 - 0.5 * (reason == "brister i omsorg") - 0.2 * (age < 13),
        "oppenvard": -0.05 - 0.6 * (teen & (reason == "eget beteende")),
        "hvb": 0.1 - 0.4 * (reason == "missbruk hos förälder") * (previous >= 2),
        "familjehem": -0.1 - 0.5 * (reason == "våld i hemmet") * (previous >= 1),
    }
    truth = pd.DataFrame({"person_id": frame["person_id"],
                          "p_rereferral_ingen": _sigmoid(base)})
    for name, effect in effects.items():
        truth[f"p_rereferral_{name}"] = _sigmoid(base + effect)
        truth[f"effect_{name}"] = truth[f"p_rereferral_{name}"] - truth["p_rereferral_ingen"]
    logits = np.column_stack([
        np.zeros(n), -1.2 + 0.4 * single_parent, -0.8 + 0.6 * (reason == "brister i omsorg"),
        -1.2 + 1.0 * teen, -3.5 + 0.6 * previous, -3.0 + 0.8 * (reason == "våld i hemmet")])
    choice_p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    options = ("ingen", *SS_INTERVENTIONS)
    picked = (rng.random(n)[:, None] > choice_p.cumsum(1)).sum(1).clip(0, len(options) - 1)
    frame["intervention"] = np.array(options)[picked]
    start = referral_date + pd.to_timedelta(rng.integers(20, 120, n), unit="D")
    frame["assessment_opened"] = 1
    given = pd.Series(picked > 0)
    frame["intervention_start"] = pd.Series(start).where(given)
    frame["intervention_end"] = pd.Series(
        start + pd.to_timedelta(rng.integers(60, 360, n), unit="D")).where(given)
    p_given = np.choose(picked, [truth["p_rereferral_" + o].to_numpy() for o in options])
    frame["rereferral_12m"] = (rng.random(n) < p_given).astype(int)
    return SyntheticCases(frame, truth, "social-services", "rereferral_12m", SS_INTERVENTIONS)
