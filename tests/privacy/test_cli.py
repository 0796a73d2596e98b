"""`kraftsamling privacy ...` as a user runs it: files in, redacted files out."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_cli import run

NOTE = "Fatima Hassan (811218-9876) ringde från 070-123 45 67. Fatima mår bättre."
SECRETS = ("Fatima", "Hassan", "811218-9876", "070-123 45 67")


def test_redact_jsonl_keeps_other_fields(tmp_path: Path) -> None:
    source = tmp_path / "chatt.jsonl"
    rows = [{"id": 1, "text": NOTE, "score": 0.5}, {"id": 2, "text": "Hej Fatima!", "lang": "sv"}]
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                      encoding="utf-8")
    result = run(tmp_path, "privacy", "redact", str(source), "-o", str(tmp_path / "ut.jsonl"))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in (tmp_path / "ut.jsonl").read_text().splitlines()]
    assert out[0] == {"id": 1, "text": "[PERSON_1] ([PERSONNUMMER_1]) ringde från [PHONE_1]. "
                      "[PERSON_1] mår bättre.", "score": 0.5}
    assert out[1]["lang"] == "sv" and out[1]["text"] == "Hej [PERSON_2]!"
    assert "2 rader" in result.stdout and "PERSON 3" in result.stdout
    for secret in SECRETS:
        assert secret not in result.stdout + result.stderr


def test_redact_semicolon_csv_in_cp1252(tmp_path: Path) -> None:
    source = tmp_path / "anteckningar.csv"
    source.write_bytes(f"id;anteckning;stadsdel\r\n7;{NOTE};Skäggetorp\r\n".encode("cp1252"))
    result = run(tmp_path, "privacy", "redact", str(source), "-o", str(tmp_path / "ut.csv"),
                 "--text-field", "anteckning", "--mode", "tag")
    assert result.returncode == 0, result.stderr
    lines = (tmp_path / "ut.csv").read_bytes().decode("cp1252").splitlines()
    assert lines[0] == "id;anteckning;stadsdel"
    assert lines[1].startswith("7;[PERSON] ([PERSONNUMMER]) ringde från [PHONE].")
    assert lines[1].endswith(";Skäggetorp")


def test_redact_txt_line_by_line(tmp_path: Path) -> None:
    source = tmp_path / "sms.txt"
    source.write_text(f"{NOTE}\nhej jag heter ahmed\n", encoding="utf-8")
    result = run(tmp_path, "privacy", "redact", str(source), "-o", str(tmp_path / "ut.txt"),
                 "--mode", "mask")
    assert result.returncode == 0, result.stderr
    out = (tmp_path / "ut.txt").read_text().splitlines()
    assert out[1] == "hej jag heter *****"
    assert not any(secret in out[0] for secret in SECRETS)


def test_redact_bad_input(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id;text\n1;x\n", encoding="utf-8")
    missing = run(tmp_path, "privacy", "redact", str(tmp_path / "a.csv"), "-o",
                  str(tmp_path / "b.csv"), "--text-field", "anteckning")
    assert missing.returncode == 1 and "Kolumnen 'anteckning' finns inte" in missing.stderr
    assert not (tmp_path / "b.csv").exists()
    pdf = run(tmp_path, "privacy", "redact", str(tmp_path / "a.pdf"), "-o", str(tmp_path / "b"))
    assert pdf.returncode == 1 and "tillåtna filtyper" in pdf.stderr
    same = run(tmp_path, "privacy", "redact", str(tmp_path / "a.csv"), "-o",
               str(tmp_path / "a.csv"))
    assert same.returncode == 1 and "samma fil" in same.stderr
    (tmp_path / "c.jsonl").write_text('{"text": "a"}\nnot json\n', encoding="utf-8")
    broken = run(tmp_path, "privacy", "redact", str(tmp_path / "c.jsonl"), "-o",
                 str(tmp_path / "d.jsonl"))
    assert broken.returncode == 1 and "Rad 2" in broken.stderr
    mode = run(tmp_path, "privacy", "redact", str(tmp_path / "a.csv"), "-o",
               str(tmp_path / "e.csv"), "--mode", "blur")
    assert mode.returncode == 1 and "Okänt läge" in mode.stderr


def test_import_then_resolve_from_the_cli(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    source = tmp_path / "personer.csv"
    source.write_text(f"person_id;fodelsear;kon;stadsdel;anteckning\nP1;1981;kvinna;Ryd;{NOTE}\n",
                      encoding="utf-8")
    imported = run(tmp_path, "data", "import", str(source), "--schema", "personer")
    assert imported.returncode == 0, imported.stderr
    resolved = run(tmp_path, "privacy", "resolve", "table:1", "[PERSON_1]")
    assert resolved.returncode == 0 and resolved.stdout.strip() == "Fatima Hassan"
    missing = run(tmp_path, "privacy", "resolve", "table:1", "[PERSON_9]")
    assert missing.returncode == 1 and "finns inte" in missing.stderr
    log = run(tmp_path, "audit", "export", "-o", str(tmp_path / "logg.csv"))
    assert log.returncode == 0
    assert (tmp_path / "logg.csv").read_text(encoding="utf-8-sig").count("resolve_pseudonym") == 2


def test_train_names_on_a_small_corpus(tmp_path: Path) -> None:
    sentences = [
        [("Vi", "0"), ("träffade", "0"), ("Kalle", "PER"), ("Anka", "PER"), ("i", "0"),
         ("Ankeborg", "LOC"), (".", "0")],
        [("Mormor", "0"), ("Anka", "PER"), ("bakar", "0"), ("bullar", "0"), (".", "0")],
    ] * 20
    corpus = tmp_path / "korpus.txt"
    corpus.write_text("\n\n".join("\n".join(f"{w}\t{t}" for w, t in s) for s in sentences),
                      encoding="utf-8")
    model = tmp_path / "namn.crfsuite"
    result = run(tmp_path, "privacy", "train-names", str(corpus), "-o", str(model))
    assert result.returncode == 0, result.stderr
    from kraftsamling.privacy import NameTagger

    tags = NameTagger.load(model).predict(["Vi", "träffade", "Kalle", "Anka", "."])
    assert tags == ["O", "O", "PER", "PER", "O"]
    assert run(tmp_path, "privacy", "train-names", str(tmp_path / "saknas.txt"), "-o",
               str(model)).returncode == 1


def test_redact_csv_refuses_what_the_strict_reader_refuses(tmp_path: Path) -> None:
    """An unclosed quote in row 2 used to merge rows 3-5 into one cell, written out redacted
    without a word (issue 19); surplus fields and a NUL byte are refused the same way."""
    cases = {
        "citat.csv": ('id;text\n1;"Hej Fatima\n2;Jag mår dåligt\n3;Ring mig\n', "aldrig"),
        "falt.csv": ("id;text\n1;Hej\n2;Hej;Fatima;Hassan\n", "rubrikraden har 2"),
        "nul.csv": ("id;text\n1;Hej\x00Fatima\n", "NUL-tecken"),
    }
    for name, (content, message) in cases.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
        target = tmp_path / f"ut-{name}"
        result = run(tmp_path, "privacy", "redact", str(tmp_path / name), "-o", str(target))
        assert result.returncode == 1, name
        assert message in result.stderr, (name, result.stderr)
        assert "Traceback" not in result.stderr
        assert not target.exists(), name
