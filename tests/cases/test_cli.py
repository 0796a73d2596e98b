"""The cases commands through the real CLI: synth, effect (--json), train, predict,
allocate, audit, card, and what bad input gets."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.conftest import run_cli


def test_effect_json_covers_the_truth(tmp_path: Path) -> None:
    made = run_cli("cases", "synth", "--n", "4000", "--seed", "5", "-o", "ea.csv", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    result = run_cli("cases", "effect", "ea.csv", "--treatment", "intervention", "--treated",
                  "sprakpraktik", "--outcome", "long_term", "--covariates",
                  "age,education,main_reason,prior_months,birth_region", "--json",
                  "-o", "cate.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"ate", "ci_low", "ci_high", "n", "method", "cate_method"} <= set(summary)
    # The choice and every candidate's held-out score come with the estimate.
    assert {c["name"] for c in summary["candidates"]} == {
        "t-learner", "s-learner", "x-learner", "dr-learner", "causal-forest", "econml-dr"}
    assert "Kandidater" in result.stdout and "R-poäng" in result.stdout
    with (tmp_path / "ea.csv").open(encoding="utf-8") as handle:
        data = list(csv.DictReader(handle))
    with (tmp_path / "ea-truth.csv").open(encoding="utf-8") as handle:
        truth = {r["household_id"]: float(r["effect_sprakpraktik"])
                 for r in csv.DictReader(handle)}
    used = [truth[r["household_id"]] for r in data
            if r["intervention"] in ("ingen", "sprakpraktik")]
    assert summary["n"] == len(used)
    assert summary["ci_low"] <= sum(used) / len(used) <= summary["ci_high"]
    rows = list(csv.DictReader((tmp_path / "cate.csv").open(encoding="utf-8")))
    assert len(rows) == len(used) and {"cate", "cate_low", "cate_high"} <= set(rows[0])


def test_effect_reads_text_categories_and_notes_dropped_columns(tmp_path: Path) -> None:
    import numpy as np

    rng = np.random.default_rng(3)
    n = 800
    group = rng.choice(["A", "B", "C"], n)
    t = rng.integers(0, 2, n)
    y = (rng.random(n) < 0.3 + 0.4 * t * (group == "B")).astype(int)
    lines = ["grupp,ort,tom,z,y"] + [f"{g},Umeå,,{a},{b}" for g, a, b in zip(group, t, y,
                                                                             strict=True)]
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("cases", "effect", "d.csv", "--treatment", "z", "--outcome", "y",
                     "--cate-method", "s-learner", "--json", "-o", "cate.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "'ort' har samma värde" in result.stdout
    assert "'tom' saknar värden" in result.stdout
    rows = list(csv.DictReader((tmp_path / "cate.csv").open(encoding="utf-8")))
    by_group = {g: [float(r["cate"]) for r in rows if r["grupp"] == g] for g in "ABC"}
    assert sum(by_group["B"]) / len(by_group["B"]) > 0.2
    assert abs(sum(by_group["A"]) / len(by_group["A"])) < 0.12
    bad = run_cli("cases", "effect", "d.csv", "--treatment", "z", "--outcome", "y",
                  "--selection", "alla", cwd=tmp_path)
    assert bad.returncode != 0 and "--selection" in bad.stderr + bad.stdout


def test_effect_names_bad_input(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("t,y,x\n0,1,1\n2,0,3\n1,1,2\n", encoding="utf-8")
    wrong_column = run_cli("cases", "effect", "d.csv", "--treatment", "saknas", "--outcome", "y",
                        cwd=tmp_path)
    assert wrong_column.returncode == 1 and "finns inte" in wrong_column.stderr
    not_binary = run_cli("cases", "effect", "d.csv", "--treatment", "t", "--outcome", "y",
                      cwd=tmp_path)
    assert not_binary.returncode == 1 and "--treated" in not_binary.stderr
    (tmp_path / "d.json").write_text("{}", encoding="utf-8")
    wrong_format = run_cli("cases", "effect", "d.json", "--treatment", "t", "--outcome", "y",
                        cwd=tmp_path)
    assert wrong_format.returncode == 1 and "filformat" in wrong_format.stderr
    wrong_method = run_cli("cases", "effect", "d.csv", "--treatment", "t", "--outcome", "y",
                           "--treated", "1", "--control", "0", "--cate-method", "skog",
                           cwd=tmp_path)
    assert wrong_method.returncode == 1 and "--cate-method" in wrong_method.stderr


def test_effect_per_row_on_a_small_continuous_outcome(tmp_path: Path) -> None:
    lines = ["t,y,age"]
    for i in range(240):
        age = 20 + i % 40
        treated = int(i % 3 == 0)
        lines.append(f"{treated},{0.1 * age + treated * (1 + 0.05 * age) + (i % 7) / 10},{age}")
    (tmp_path / "small.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("cases", "effect", "small.csv", "--treatment", "t", "--outcome", "y",
                     "-o", "cate.csv", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "gaussiska processer" in result.stdout
    rows = list(csv.DictReader((tmp_path / "cate.csv").open(encoding="utf-8")))
    effects = {int(r["age"]): float(r["cate"]) for r in rows}
    assert effects[59] - effects[20] == pytest.approx(0.05 * 39, abs=0.5)


@pytest.mark.parametrize("kind", ["economic-assistance", "social-services"])
def test_train_predict_allocate_audit_card(tmp_path: Path, kind: str) -> None:
    assert run_cli("cases", "synth", "--kind", kind, "--n", "600", "-o", "data.csv",
                cwd=tmp_path).returncode == 0
    trained = run_cli("cases", "train", "data.csv", "--kind", kind, cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert (tmp_path / "data" / "models" / f"cases-{kind}.joblib").exists()
    predicted = run_cli("cases", "predict", "data.csv", "--kind", kind, "-o", "risk.csv",
                     cwd=tmp_path)
    assert predicted.returncode == 0, predicted.stderr
    rows = list(csv.DictReader((tmp_path / "risk.csv").open(encoding="utf-8")))
    assert len(rows) == 600 and all(0 <= float(r["risk"]) <= 1 for r in rows)
    assert "risken" in rows[0]["reasons"]
    names = [c.removeprefix("benefit_") for c in rows[0]
             if c.startswith("benefit_") and c not in ("benefit_low", "benefit_high")]
    assert names  # effect models were fitted at 600 rows (not all refused)
    places = ",".join(f"{name}=20" for name in names)
    planned = run_cli("cases", "allocate", "data.csv", "--kind", kind, "--places", places,
                   "--fair-by", "district", "-o", "plan.csv", cwd=tmp_path)
    assert planned.returncode == 0, planned.stderr
    plan = list(csv.DictReader((tmp_path / "plan.csv").open(encoding="utf-8")))
    for name in names:
        assert sum(r["assigned"] == name for r in plan) <= 20
    assert "Nuvarande praxis" in planned.stdout
    bad = run_cli("cases", "allocate", "data.csv", "--kind", kind, "--places", "okänd=3",
               "-o", "plan.csv", cwd=tmp_path)
    assert bad.returncode == 1 and "Okända insatser" in bad.stderr
    audited = run_cli("cases", "audit", "--kind", kind, "-o", "audit.csv", cwd=tmp_path)
    assert audited.returncode == 0 and "urvalsandel" in audited.stdout
    card = run_cli("cases", "card", "--kind", kind, "-o", "card.html", cwd=tmp_path)
    assert card.returncode == 0
    html = (tmp_path / "card.html").read_text(encoding="utf-8")
    assert '<html lang="sv">' in html and "bilaga III" in html and "AUC" in html


def test_predict_without_a_model_says_what_to_do(tmp_path: Path) -> None:
    assert run_cli("cases", "synth", "--n", "50", "-o", "data.csv", cwd=tmp_path).returncode == 0
    result = run_cli("cases", "predict", "data.csv", "-o", "risk.csv", cwd=tmp_path)
    assert result.returncode == 1 and "cases train" in result.stderr
