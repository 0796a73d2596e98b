"""`autolarm score` never loses answers silently: a broken quote stops the file, by row."""

from __future__ import annotations

from pathlib import Path

from tests.test_cli import run


def test_an_unclosed_quote_in_row_2_is_refused_naming_the_row(tmp_path: Path) -> None:
    source = tmp_path / "svar.csv"
    source.write_text('id,text\na1,"det är bra i skolan\na2,jag blir retad varje dag\n'
                      "a3,jagvillinteleva\na4,min pappa slår mig\na5,inget särskilt\n",
                      encoding="utf-8")
    result = run(tmp_path, "autolarm", "score", str(source), "-o", str(tmp_path / "ut.csv"))
    assert result.returncode == 1, result.stdout
    assert "Rad 2" in result.stderr and "citattecken" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "ut.csv").exists()  # no partial output with 1 of 5 answers
