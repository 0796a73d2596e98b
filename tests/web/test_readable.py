"""No code names, raw English or dot decimals on Swedish pages and in the Swedish CLI help."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kraftsamling.web.framework import (
    KINDS,
    detail_text,
    duration,
    label,
    labels,
    number,
    percent,
    signed,
)
from tests.web._readable import known_codes, problems


def test_checker_catches_what_the_issue_reported() -> None:
    """The checker finds each kind of problem people met, so a clean page means something."""
    assert problems("regel sexual_abuse.any") == ["code name 'sexual_abuse.any'"]
    assert problems("Risk 0.98, Minskad risk +18.9") == ["dot decimal '0.98'",
                                                         "dot decimal '18.9'"]
    assert problems("--help  Show this message and exit.") == [
        "English 'Show this message and exit'"]
    assert problems("insats sprakpraktik") == ["code name 'sprakpraktik'"]
    assert problems("Kraftsamling 0.1.0 på http://127.0.0.1:8000/s/a_b, fil a_b.csv") == []
    assert problems("Sannolikhet 98 %, 0,42 och 4 tim 12 min kvar") == []
    # An article of a law keeps its point; a number beside it does not.
    assert problems("enligt art. 5.1 d och art. 3.39") == []
    assert problems("risk 5.1") == ["dot decimal '5.1'"]


def test_every_stored_code_has_a_swedish_and_an_english_label() -> None:
    for code in known_codes():
        for kind in ("category", "intervention", "column", "audit_action", "audit_object",
                     "audit_detail", "level"):
            if code in KINDS[kind]:
                assert label(code, kind, "sv") != code and label(code, kind, "en") != code
                assert problems(label(code, kind, "sv")) == [], code
    assert labels("suicide;abuse_home", "risk") == (
        "Självmordstankar, Våld eller försummelse i hemmet")
    assert label("sprakpraktik", "intervention", "en") == "Language placement"
    assert detail_text({"answers": 2, "urgent": 1}) == "svar: 2, akuta: 1"


def test_numbers_follow_the_locale() -> None:
    assert number(0.98) == "0,98" and number(0.98, "en") == "0.98"
    assert number(8.506, "sv", 1) == "8,5" and number(12345.6, "sv", 1) == "12\xa0345,6"
    assert percent(0.42) == "42\xa0%" and percent(0.42, "en") == "42%"
    assert signed(18.94) == "+18,9" and signed(-2.0) == "−2,0"
    assert duration(4312) == "71 tim 52 min" and duration(12) == "12 min"
    assert duration(75, "en") == "1 h 15 min"


ENV_KEEP = ("PATH", "HOME", "PYTHONPATH", "LANG", "SYSTEMROOT")


def _help(*command: str) -> str:
    result = subprocess.run([sys.executable, "-m", "kraftsamling", *command, "--help"],
                            capture_output=True, text=True, timeout=120,
                            env={"COLUMNS": "200", "NO_COLOR": "1",
                                 **{k: v for k, v in os.environ.items() if k in ENV_KEEP}})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_cli_help_is_swedish() -> None:
    """The root help and one nested command: Typer's and Click's own words included."""
    root = _help()
    assert "Visa den här hjälpen och avsluta." in root and "Kommandon" in root
    assert problems(root) == []
    score = _help("autolarm", "score")
    assert "Flaggor" in score and "<sökväg>" in score and "[krävs]" in score
    assert problems(score) == []


def _all_commands() -> list[tuple[str, ...]]:
    import typer

    from kraftsamling.cli import app

    found: list[tuple[str, ...]] = []

    def walk(command: object, path: tuple[str, ...]) -> None:
        found.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return found


# What a person types as it is: the choices of --role, the column names a file must have and
# the name of a setting; numbers on the command line are written with a decimal point
# (--min-ratio 0.8).
ROLE_VALUES = {"'unit_manager'", "'reviewer'", "'caseworker'", "'coordinator'", "'analyst'",
               "'conversation_id'", "'mood_before'", "'mood_after'", "'pupil_id'",
               "'retention_days'", "dot decimal"}
# Commands whose help still shows a code name: none (an entry would have to say why).
CLI_KNOWN_GAPS: dict[str, set[str]] = {}


def test_every_command_help_is_swedish(capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command's --help, in process through the same translated command tree."""
    import typer

    from kraftsamling.cli import app
    from kraftsamling.shell import translate_command

    monkeypatch.setenv("COLUMNS", "200")
    command = translate_command(typer.main.get_command(app))
    found = {}
    for path in _all_commands():
        with pytest.raises(SystemExit) as exited:
            command.main([*path, "--help"], prog_name="kraftsamling")
        output = capsys.readouterr().out
        assert exited.value.code == 0 and "Användning" in output, (path, output)
        name = " ".join(path)
        gaps = set().union(*(g for prefix, g in CLI_KNOWN_GAPS.items()
                             if name.startswith(prefix)))
        found[name] = problems(output, allowed=ROLE_VALUES | gaps)
    assert len(found) > 20
    assert {k: v for k, v in found.items() if v} == {}


def test_fairness_findings_are_said_in_plain_swedish() -> None:
    """A finding becomes a sentence with both groups' shares, the code names in words and
    the technical term kept for the glossary; the same in English."""
    import pandas as pd

    from kraftsamling.cases import fairness_findings
    from kraftsamling.web import fairness_sentence, proxy_sentence

    table = pd.DataFrame({"grupp": ["18–24", "50–64"], "antal": [40, 50],
                          "urvalsandel": [0.14, 0.06], "TPR": [0.30, 0.10],
                          "FPR": [0.05, 0.06], "kalibrering": [0.01, -0.08]})
    findings = fairness_findings({"age_band": table}, {})
    assert [f.metric for f in findings] == ["selection_ratio", "tpr", "calibration"]
    said = [fairness_sentence(f, "sv", "långvarigt bistånd") for f in findings]
    assert said[0]["text"].startswith("Åldersgrupp: 50–64 pekas ut som hög risk mer sällan "
                                      "än 18–24: 6\xa0% mot 14\xa0%.")
    assert "missas oftare" in said[1]["text"] and "underskattar" in said[2]["text"]
    assert "TPR" in said[1]["term"] and said[1]["meaning"].startswith("Av dem som fick")
    for sentence in [*said, proxy_sentence("household_type", "sex", 0.48)]:
        assert problems(sentence["text"]) == [], sentence
    assert "Hushållstyp hänger ihop med kön (styrka 0,48" in proxy_sentence(
        "household_type", "sex", 0.48)["text"]
    english = fairness_sentence(findings[0], "en")["text"]
    assert english.startswith("Age group: 50–64 are picked out as high risk less often")


def test_twin_says_why_its_two_risks_differ() -> None:
    from kraftsamling.twin.web import why_they_differ

    assert why_they_differ({"risk": 0.03, "simulated_risk": 0.10}, "sv") == ""
    higher = why_they_differ({"risk": 0.03, "simulated_risk": 0.40}, "sv")
    assert "klart högre risk (40\xa0%) än modellen (3\xa0%)" in higher
    assert "klart lägre" in why_they_differ({"risk": 0.81, "simulated_risk": 0.40}, "sv")
    assert why_they_differ({"risk": None, "simulated_risk": 0.4}, "sv") == ""


def test_a_gap_just_past_its_limit_does_not_read_as_equal() -> None:
    from kraftsamling.web.framework import percentage_points

    assert percentage_points(0.0504, "sv", beside=0.05) == "5,04"
    assert percentage_points(0.1534, "sv", beside=0.1) == "15,3"
    assert percentage_points(0.1, "sv") == "10"
    assert percentage_points(0.2, "sv", beside=0.1) == "20"
