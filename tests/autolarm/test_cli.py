"""`kraftsamling autolarm ...` on files as schools export them."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import openpyxl
import pytest

from tests.test_cli import run

ANSWERS = [("a1", "min pappa slår mig"), ("a2", "det är bra i skolan"),
           ("a3", "jag blir retad varje dag"), ("a4", "jagvillinteleva")]


def _read(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def _check(rows: list[dict[str, str]]) -> None:
    assert list(rows[0]) == ["id", "level", "score", "categories", "evidence"]
    by_id = {r["id"]: r for r in rows}
    assert by_id["a1"]["level"] == "urgent" and "abuse_home" in by_id["a1"]["categories"]
    assert by_id["a1"]["evidence"] == "slår mig"
    assert by_id["a2"]["level"] == "none"
    assert by_id["a3"]["level"] == "concern"
    assert by_id["a4"]["level"] == "urgent"


def test_score_semicolon_csv(tmp_path: Path) -> None:
    """By default the file is for a Swedish spreadsheet: ';', decimal comma and words."""
    source = tmp_path / "svar.csv"
    source.write_bytes(("id;svar\n" + "".join(f"{i};{t}\n" for i, t in ANSWERS))
                       .encode("cp1252"))
    result = run(tmp_path, "autolarm", "score", str(source), "-o", str(tmp_path / "ut.csv"),
                 "--text-column", "svar")
    assert result.returncode == 0, result.stderr
    assert "4 svar bedömda: 2 akuta, 1 oro" in result.stdout
    raw = (tmp_path / "ut.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    rows = _read(tmp_path / "ut.csv", ";")
    assert list(rows[0]) == ["id", "nivå", "poäng", "kategorier", "belägg"]
    by_id = {r["id"]: r for r in rows}
    assert by_id["a1"]["nivå"] == "Akut"
    assert "Våld eller försummelse i hemmet" in by_id["a1"]["kategorier"]
    assert by_id["a1"]["belägg"] == "slår mig" and by_id["a2"]["nivå"] == "Ingen åtgärd"
    assert all(re.fullmatch(r"[01],\d{4}", r["poäng"]) for r in rows)
    english = run(tmp_path, "autolarm", "score", str(source), "-o", str(tmp_path / "en.csv"),
                  "--text-column", "svar", "--lang", "en")
    assert english.returncode == 0, english.stderr
    rows = _read(tmp_path / "en.csv")
    assert rows[0]["level"] == "Urgent" and re.fullmatch(r"[01]\.\d{4}", rows[0]["score"])
    codes = run(tmp_path, "autolarm", "score", str(source), "-o", str(tmp_path / "koder.csv"),
                "--text-column", "svar", "--codes")
    assert codes.returncode == 0, codes.stderr
    _check(_read(tmp_path / "koder.csv"))
    wrong = run(tmp_path, "autolarm", "score", str(source), "-o", str(tmp_path / "x.csv"),
                "--text-column", "svar", "--lang", "de")
    assert wrong.returncode == 1 and "Okänt språk" in wrong.stderr


@pytest.mark.parametrize("suffix", ["jsonl", "xlsx", "tsv"])
def test_score_other_formats(tmp_path: Path, suffix: str) -> None:
    source = tmp_path / f"svar.{suffix}"
    if suffix == "jsonl":
        source.write_text("".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n"
                                  for i, t in ANSWERS), encoding="utf-8")
    elif suffix == "tsv":
        source.write_text("id\ttext\n" + "".join(f"{i}\t{t}\n" for i, t in ANSWERS),
                          encoding="utf-8")
    else:
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["id", "text"])
        for row in ANSWERS:
            sheet.append(list(row))
        book.save(source)
    result = run(tmp_path, "autolarm", "score", str(source), "-o", str(tmp_path / "ut.csv"),
                 "--codes")
    assert result.returncode == 0, result.stderr
    _check(_read(tmp_path / "ut.csv"))


def test_score_many_rows_in_chunks(tmp_path: Path) -> None:
    source = tmp_path / "svar.csv"
    source.write_text("id,text\n" + "".join(f"{n},{ANSWERS[n % 4][1]}\n" for n in range(1200)),
                      encoding="utf-8")
    result = run(tmp_path, "autolarm", "score", str(source), "-o", str(tmp_path / "ut.csv"),
                 "--codes")
    assert result.returncode == 0, result.stderr
    rows = _read(tmp_path / "ut.csv")
    assert [r["id"] for r in rows] == [str(n) for n in range(1200)]


def test_score_on_a_dask_cluster(tmp_path: Path) -> None:
    from dask.distributed import LocalCluster

    source = tmp_path / "svar.jsonl"
    source.write_text("".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n"
                              for i, t in ANSWERS * 300), encoding="utf-8")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://",
                      host="127.0.0.1", scheduler_port=0, dashboard_address=None) as cluster:
        result = run(tmp_path, "autolarm", "score", str(source), "-o", str(tmp_path / "ut.csv"),
                     "--dask", cluster.scheduler_address, "--codes")
    assert result.returncode == 0, result.stderr
    rows = _read(tmp_path / "ut.csv")
    assert len(rows) == 1200
    _check(rows[:4])


def test_score_bad_input(tmp_path: Path) -> None:
    source = tmp_path / "svar.csv"
    source.write_text("id,svar\n1,hej\n", encoding="utf-8")
    missing = run(tmp_path, "autolarm", "score", str(source), "-o", str(tmp_path / "ut.csv"))
    assert missing.returncode == 1 and "Kolumnen 'text' finns inte" in missing.stderr
    assert not (tmp_path / "ut.csv").exists()
    nofile = run(tmp_path, "autolarm", "score", str(tmp_path / "saknas.csv"), "-o",
                 str(tmp_path / "ut.csv"))
    assert nofile.returncode == 1 and "finns inte" in nofile.stderr
    cluster = run(tmp_path, "autolarm", "score", str(source), "-o", str(tmp_path / "ut.csv"),
                  "--text-column", "svar", "--dask", "tcp://127.0.0.1:9")
    assert cluster.returncode == 1 and "Dask-klustret" in cluster.stderr


def test_explain_and_train(tmp_path: Path) -> None:
    explained = run(tmp_path, "autolarm", "explain", "jag vill inte leva längre")
    assert explained.returncode == 0, explained.stderr
    assert "Akut" in explained.stdout and "Självmordstankar" in explained.stdout
    assert 'Belägg: "vill inte leva"' in explained.stdout
    # issue 18: an ordinary phrase is not read as a danger word ('gång' is not 'gäng')
    ordinary = run(tmp_path, "autolarm", "explain", "vi har idrott en gång i veckan")
    assert ordinary.returncode == 0, ordinary.stderr
    assert "Akut" not in ordinary.stdout and "Belägg" not in ordinary.stdout
    labels = tmp_path / "fel.csv"
    labels.write_text("text;level\nhej;kanske\n", encoding="utf-8")
    refused = run(tmp_path, "autolarm", "train", str(labels))
    assert refused.returncode == 1 and "kolumn 'level'" in refused.stderr
