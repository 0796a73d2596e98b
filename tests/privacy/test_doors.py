"""One pseudonymisation through every door: the installation's recognisers and identifier
hashes apply to the CLI as to the web app (issue 20's privacy defects, with the tests that
failed on the code before it)."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from kraftsamling.chat import synthetic_conversations, write_canonical
from kraftsamling.privacy import Analyzer, Pseudonymization, recognizer_options
from kraftsamling.settings import load_settings
from tests.test_cli import run

DNR = "dnr SOC 2024-1234"
CONFIG = (
    '[[recognizers]]\ntype = "email"\n'
    '[[recognizers]]\ntype = "pattern"\nentity = "DIARIENUMMER"\n'
    'pattern = "(?i)dnr\\\\.?\\\\s*[A-ZÅÄÖ]{0,4}\\\\s?\\\\d{4}[-/]\\\\d{1,6}"\nscore = 0.9\n'
)


def _config(tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "igenkannare.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return {"KRAFTSAMLING_PRIVACY_CONFIG": str(path)}


def test_the_configured_recogniser_applies_to_autolarm_train(tmp_path: Path) -> None:
    """`autolarm train` used its own tagger (default recognisers): the organisation's case
    number reached the model's character n-grams. Now it is a tag before training."""
    rows = ["text;level;categories"]
    for i in range(6):
        rows.append(f"{DNR} jag vejpar hela tiden {i};concern;substance")
        rows.append(f"mormor bakar bullar {i};none;")
        rows.append(f"jag har ett vapen i skåpet {i};urgent;violence_threat")
    (tmp_path / "etiketter.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = run(tmp_path, "autolarm", "train", "etiketter.csv", "--no-seed",
                 env=_config(tmp_path))
    assert result.returncode == 0, result.stderr
    raw = (tmp_path / "data" / "models" / "autolarm.joblib").read_bytes()
    # char n-grams (2-5, lower case, within words) of "2024-1234" and of "[DIARIENUMMER]"
    assert b"2024-" not in raw and b"-1234" not in raw
    assert b"[diar" in raw  # the tag was learnt instead


def _run_with_pattern(tmp_path: Path, pattern: str, name: str, content: str,
                      *command: str) -> subprocess.CompletedProcess[str]:
    """``command name -o`` its output file, with an installation config of one pattern."""
    config = tmp_path / "igenkannare.toml"
    config.write_text('[[recognizers]]\ntype = "pattern"\nentity = "KOD"\n'
                      f'pattern = "{pattern}"\n', encoding="utf-8")
    (tmp_path / name).write_text(content, encoding="utf-8")
    output = "ut.csv" if name.endswith(".csv") else "ut.txt"
    return run(tmp_path, *command, name, "-o", output,
               env={"KRAFTSAMLING_PRIVACY_CONFIG": str(config)})


def test_the_configured_recogniser_applies_to_autolarm_score(tmp_path: Path) -> None:
    """`autolarm score` pseudonymised with a fixed key and the default recognisers; with
    the installation's own pattern on the answer's words, the rules now see the tag."""
    result = _run_with_pattern(tmp_path, "slår mig", "svar.csv", "id;text\na1;min pappa slår mig\n",
                               "autolarm", "score")
    assert result.returncode == 0, result.stderr
    scored = (tmp_path / "ut.csv").read_text(encoding="utf-8-sig")
    assert "slår mig" not in scored  # the evidence was cut from the tagged text


def test_volunteer_id_is_stored_pseudonymised(tmp_path: Path) -> None:
    """chat/_io declared volunteer_id an identifier but stored it raw."""
    chats = synthetic_conversations(6, seed=3)
    for chat in chats:
        chat.volunteer_id = "anna.volontar@example.org"
    write_canonical(chats, tmp_path / "chattar.csv")
    env = {"KRAFTSAMLING_SECRET_KEY": "test-secret-key-0123456789"}
    assert run(tmp_path, "db", "upgrade", env=env).returncode == 0
    result = run(tmp_path, "chat", "import", "chattar.csv", env=env)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "data" / "kraftsamling.sqlite3") as connection:
        stored = {v for (v,) in connection.execute(
            "SELECT volunteer_id FROM chat_conversations")}
    settings = load_settings(data_dir=tmp_path / "data")
    expected = "V-" + Pseudonymization.for_settings(settings).identifier(
        "anna.volontar@example.org", "volunteer", length=10)
    assert stored == {expected}
    raw = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("kraftsamling.sqlite3*"))
    assert b"anna.volontar" not in raw


@pytest.mark.parametrize(("content", "message"), [
    ('[[recognizers]]\ntype = "person_name"\ntreshold = 0.7\n',
     "okänd inställning 'treshold'. Menade du 'threshold'"),
    ('[[recognizers]]\ntype = "email"\nscore = 0.9\ncontext = ["mejl"]\n',
     "okänd inställning 'context'"),
    ('[[recognizers]]\ntype = "person_name"\ncommon_zipf = "hög"\n',
     "Inställningen 'common_zipf' för igenkännaren 'person_name' ska vara ett tal, inte 'hög'"),
    ('[[recognizers]]\ntype = "person_name"\nthreshold = true\n',
     "'threshold' för igenkännaren 'person_name' ska vara ett tal"),
    ('[[recognizers]]\ntype = "pattern"\nentity = "DNR"\npattern = "SOC (\\\\d+"\n',
     r"mönstret 'SOC \(\\d\+' är felaktigt: en parentes '\(' stängs aldrig \(vid tecken 5\)"),
    ('[[recognizers]]\ntype = "pattern"\nentity = "DNR"\npattern = "*dnr"\n',
     r"'\*', '\+', '\?' eller '\{\}' står utan något att upprepa \(vid tecken 1\)"),
])
def test_misspelt_recogniser_options_are_errors(tmp_path: Path, content: str,
                                                message: str) -> None:
    config = tmp_path / "fel.toml"
    config.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        Analyzer.from_config(config)


def test_a_broken_pattern_in_the_installation_config_is_a_swedish_error(tmp_path: Path) -> None:
    """The CLI answers in Swedish, with the pattern and where it breaks, not a traceback."""
    result = _run_with_pattern(tmp_path, "SOC [0-9", "in.txt", "dnr SOC 2024-1234\n",
                               "privacy", "redact")
    assert result.returncode == 1
    assert "en hakparentes '[' stängs aldrig (vid tecken 5)" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "ut.txt").exists()


def test_every_shipped_option_is_a_known_option() -> None:
    import tomllib

    from kraftsamling.privacy import DEFAULT_CONFIG, RECOGNIZER_TYPES

    for entry in tomllib.loads(DEFAULT_CONFIG.read_text(encoding="utf-8"))["recognizers"]:
        known = {"type", "enabled", *recognizer_options(RECOGNIZER_TYPES[entry["type"]])}
        assert set(entry) <= known, entry


def test_one_door_per_installation(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data", privacy_config=None)
    privacy = Pseudonymization.for_settings(settings)
    assert Pseudonymization.for_settings(settings) is privacy
    assert privacy.text("Ring Anna Berg på 070-123 45 67") == "Ring [PERSON] på [PHONE]"
    assert privacy.identifier(" E01 ", "pupil", length=12) == \
        privacy.identifier("E01", "pupil", length=12)
    assert privacy.identifier("E01", "pupil") != privacy.identifier("E01", "case")
