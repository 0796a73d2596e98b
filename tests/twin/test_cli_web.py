"""The twin through the real CLI and over HTTP: files in, risks and simulations out; bad
waves refused with rows named; school staff only; every class view audited."""

from __future__ import annotations

import csv
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from kraftsamling.privacy import keyed_hash
from kraftsamling.settings import Settings, pseudonym_key
from kraftsamling.store import AuditEvent, Database
from kraftsamling.twin import TwinClass, synthetic_school, write_waves
from tests.conftest import finish_job, login, page_token, run_cli


def _school(tmp_path: Path, n_classes: int = 2) -> list[Path]:
    school = synthetic_school(n_classes=n_classes, class_size=20, n_waves=3, seed=9)
    return write_waves(school, tmp_path)


def test_cli_predicts_and_simulates(tmp_path: Path) -> None:
    paths = [p.name for p in _school(tmp_path)]
    predicted = run_cli("twin", "predict", *paths, "-o", "risk.csv", "--no-autolarm",
                        "--reveal-ids", cwd=tmp_path)
    assert predicted.returncode == 0, predicted.stderr
    rows = list(csv.DictReader((tmp_path / "risk.csv").open(encoding="utf-8")))
    assert len(rows) == 40 and {r["class"] for r in rows} == {"7A", "7B"}
    assert rows[0]["pupil_id"].startswith("E") and 0 <= float(rows[0]["risk"]) <= 1
    assert "AUC" in predicted.stdout
    simulated = run_cli("twin", "simulate", *paths, "--intervention", "adults:0.5",
                        "--intervention", "defenders:3", "--class", "7A", "--runs", "60",
                        "-o", "sim.csv", cwd=tmp_path)
    assert simulated.returncode == 0, simulated.stderr
    rows = list(csv.DictReader((tmp_path / "sim.csv").open(encoding="utf-8")))
    assert len(rows) == 20 and {"risk_none", "risk_adults", "change_adults"} <= set(rows[0])
    assert not rows[0]["pupil_id"].startswith("E")  # pseudonyms unless asked
    assert "vuxna på platser" in simulated.stdout


def test_cli_refuses_bad_waves_and_interventions(tmp_path: Path) -> None:
    paths = _school(tmp_path, n_classes=1)
    text = paths[1].read_text(encoding="utf-8").replace("E0102", "E0101", 1)
    paths[1].write_text(text, encoding="utf-8")
    bad = run_cli("twin", "predict", *[p.name for p in paths], "-o", "risk.csv",
                  "--no-autolarm", cwd=tmp_path)
    assert bad.returncode == 1 and "termin2.csv" in bad.stderr and "inget sparades" in bad.stderr
    assert not (tmp_path / "risk.csv").exists()
    wrong = run_cli("twin", "simulate", paths[0].name, "--intervention", "kramar",
                    "-o", "x.csv", cwd=tmp_path)
    assert wrong.returncode == 1 and "Okänd insats" in wrong.stderr


def test_staff_import_waves_and_see_each_class(client: TestClient, database: Database,
                                               tmp_path: Path, settings: Settings) -> None:
    paths = _school(tmp_path, n_classes=1)
    login(client, "granskare")
    response = client.post("/twin/import", data={"csrf_token": page_token(client, "/twin")},
                           files=[("files", (p.name, p.read_bytes(), "text/csv"))
                                  for p in paths], follow_redirects=False)
    done = finish_job(client, response)
    assert done.status_code == 200 and "Klart: importen är sparad." in done.text, done.text
    overview = client.get("/twin")
    assert "Klass 7A" in overview.text and "AUC" in overview.text
    with database.session() as session:
        row = session.scalars(select(TwinClass)).one()
        assert not any(n["id"].startswith("E0") for n in row.nodes)  # pseudonyms only
    page = client.get(f"/twin/classes/{row.id}", params={"pupil": "E0105"})
    assert page.status_code == 200
    assert 'data-figure="figure-network"' in page.text
    assert 'data-figure="figure-interventions"' in page.text
    assert "(hittad)" in page.text and "<caption>" in page.text
    # the fit panel: fitted on waves 1→2, compared with wave 3, a chart and table per statistic
    assert "Liknar en simulerad termin en verklig?" in page.text
    assert 'data-figure="figure-fit-triad_census"' in page.text
    assert "Triadcensus: hur grupper om tre hänger ihop" in page.text
    assert row.details["fit"]["tested_on"] == [2, 3]
    assert 0 <= row.details["fit"]["gof_p"]["indegree"] <= 1
    with database.session() as session:
        actions = [(e.action, e.object_id) for e in session.scalars(select(AuditEvent))]
    assert ("view_twin_class", str(row.id)) in actions and any(
        a == "twin.import" for a, _ in actions)
    # The pupil search is audited with the pseudonym searched for, not the id typed.
    with database.session() as session:
        views = [e.detail for e in session.scalars(select(AuditEvent).where(
            AuditEvent.action == "view_twin_class"))]
    assert views[-1]["search"] == keyed_hash(pseudonym_key(settings), "E0105", purpose="pupil",
                                             length=12)
    assert "E0105" not in str(views)


def test_bad_waves_upload_lists_problems_and_stores_nothing(client: TestClient,
                                                           database: Database,
                                                           tmp_path: Path) -> None:
    bad = (b"pupil_id;class;gender;friends;mean_to_me;defends_me\n"
           b"E1;7A;flicka;E7;;\nE2;7A;pojke;E2;;\n")
    login(client, "granskare")
    response = client.post("/twin/import", data={"csrf_token": page_token(client, "/twin")},
                           files=[("files", ("ht.csv", bad, "text/csv"))],
                           follow_redirects=False)
    response = finish_job(client, response)
    assert response.status_code == 422 and 'role="alert"' in response.text
    assert "Rad 2 (elev E1)" in response.text and "Rad 3 (elev E2)" in response.text
    with database.session() as session:
        assert session.scalars(select(TwinClass)).first() is None


def test_twin_is_for_school_staff_only(client: TestClient) -> None:
    login(client, "samordnare")
    for path in ("/twin", "/twin/classes/1"):
        assert client.get(path).status_code == 403, path


def test_cli_outputs_neutralise_formulas(tmp_path: Path) -> None:
    """A class named like a formula is written as text (OWASP's CSV-injection rule) in the
    risks and the simulation the CLI writes, as every web export already was (issue 19)."""
    paths = _school(tmp_path, n_classes=1)
    for path in paths:
        path.write_text(path.read_text(encoding="utf-8").replace(";7A;", ";=1+1;"),
                        encoding="utf-8")
    names = [p.name for p in paths]
    predicted = run_cli("twin", "predict", *names, "-o", "risk.csv", "--no-autolarm",
                        cwd=tmp_path)
    assert predicted.returncode == 0, predicted.stderr
    rows = list(csv.DictReader((tmp_path / "risk.csv").open(encoding="utf-8")))
    assert {r["class"] for r in rows} == {"'=1+1"}
    simulated = run_cli("twin", "simulate", *names, "--intervention", "adults:0.5",
                        "--runs", "10", "-o", "sim.csv", cwd=tmp_path)
    assert simulated.returncode == 0, simulated.stderr
    rows = list(csv.DictReader((tmp_path / "sim.csv").open(encoding="utf-8")))
    assert rows and not any(v.startswith("=") for r in rows for v in r.values())
