"""One pseudonymisation through every door: the installation's recognisers and identifier
hashes apply to the CLI as to the web app (issue 20's privacy defects, with the tests that
failed on the code before it)."""

from __future__ import annotations

import sqlite3
import subprocess
import typing
from pathlib import Path

import pytest

from kraftsamling.chat import synthetic_conversations, write_canonical
from kraftsamling.privacy import (
    RECOGNIZER_TYPES,
    Analyzer,
    Pseudonymization,
    Recognizer,
    Span,
    Token,
    recognizer_options,
)
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
     "Inställningen 'common_zipf' för igenkännaren 'person_name' måste vara ett tal, "
     "inte 'hög'"),
    # one message an option, named as the file names it (not pydantic's union tags)
    ('[[recognizers]]\ntype = "person_name"\nmodel = 5\n',
     r"^Inställningen 'model' för igenkännaren 'person_name' måste vara text, inte 5\.$"),
    ('[[recognizers]]\ntype = "person_name"\nthreshold = 2021-01-01\n',
     "'threshold' för igenkännaren 'person_name' måste vara ett tal, inte 2021-01-01"),
    ('[[recognizers]]\ntype = "person_name"\nthreshold = nan\n',
     "'threshold' för igenkännaren 'person_name' måste vara ett ändligt tal, inte nan"),
    ('[[recognizers]]\ntype = "person_name"\nthreshold = true\n',
     "'threshold' för igenkännaren 'person_name' måste vara ett tal, inte true"),
    ('[[recognizers]]\ntype = "person_name"\nthreshold = "0.7"\n',
     "'threshold' för igenkännaren 'person_name' måste vara ett tal, inte '0.7'"),
    ('[[recognizers]]\ntype = "pattern"\nentity = "DNR"\npattern = "x"\ncontext = "dnr"\n',
     "'context' för igenkännaren 'pattern' måste vara en lista"),
    ('[[recognizers]]\ntype = "pattern"\nentity = "DNR"\npattern = "x"\ncontext = ["dnr", 4]\n',
     "'context.1' för igenkännaren 'pattern' måste vara text, inte 4"),
    ('[[recognizers]]\ntype = "pattern"\nentity = "DNR"\npattern = "x"\nvalidator = "luhn"\n',
     "'validator' för igenkännaren 'pattern' måste vara en funktion"),
    ('[[recognizers]]\ntype = "pattern"\nscore = 2\n',
     "Igenkännaren 'pattern' har fel inställningar: 'entity' och 'pattern' saknas."),
    ('[[recognizers]]\ntype = "email"\nenabled = "nej"\n',
     "'enabled' för igenkännaren 'email' måste vara true eller false, inte 'nej'"),
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


class _PluginRecognizer(Recognizer):
    """A plugin's recogniser whose annotation names a class its module never imports (as
    under ``if TYPE_CHECKING:``): ``typing.get_type_hints`` cannot resolve it."""

    type_name = "test_plugin_words"
    entities = ("ORD",)

    def __init__(self, *, name: str | None = None, level: NotImportedHere = 3,  # type: ignore[name-defined]  # noqa: F821
                 words: list[str] | None = None, score: float = 0.5) -> None:
        super().__init__(name=name)
        self.level = level
        self.words = list(words or ())
        self.score = score

    def analyze(self, text: str, tokens: list[Token]) -> list[Span]:
        return [Span(t.start, t.end, "ORD", self.score, self.name)
                for t in tokens if t.text in self.words]


@pytest.mark.parametrize(("content", "message"), [
    ("levle = 2\n", "okänd inställning 'levle'. Menade du 'level'"),
    ('words = ["a", 2]\n', "Inställningen 'words.1' för igenkännaren 'test_plugin_words' "
                           "måste vara text, inte 2"),
    ("score = true\n", "'score' för igenkännaren 'test_plugin_words' måste vara ett tal"),
])
def test_a_plugin_recogniser_whose_annotations_cannot_be_resolved_gets_a_clear_message(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, message: str) -> None:
    with pytest.raises(NameError):
        typing.get_type_hints(_PluginRecognizer.__init__)
    monkeypatch.setitem(RECOGNIZER_TYPES, _PluginRecognizer.type_name, _PluginRecognizer)
    config = tmp_path / "plugin.toml"
    config.write_text(f'[[recognizers]]\ntype = "test_plugin_words"\n{content}',
                      encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        Analyzer.from_config(config)
    # the option whose type cannot be read is passed on unchecked; the rest still work
    config.write_text('[[recognizers]]\ntype = "test_plugin_words"\nlevel = "hög"\n'
                      'words = ["Kråka"]\nscore = 1\n', encoding="utf-8")
    analyzer = Analyzer.from_config(config)
    assert analyzer.recognizers[0].level == "hög"  # type: ignore[attr-defined]
    assert [(s.start, s.end, s.entity_type) for s in analyzer.analyze("En Kråka flög")] == \
        [(3, 8, "ORD")]


def test_a_switched_off_recogniser_need_not_be_installed(tmp_path: Path) -> None:
    """`enabled = false` skips the table before its type is looked up (a plugin that is not
    installed), and its options are not checked against a type that is not there."""
    config = tmp_path / "av.toml"
    config.write_text('[[recognizers]]\ntype = "email"\n'
                      '[[recognizers]]\ntype = "ej_installerad"\nenabled = false\nniva = 3\n',
                      encoding="utf-8")
    assert Analyzer.from_config(config).entities == ["EMAIL"]


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
