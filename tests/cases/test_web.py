"""Cases over HTTP: the unit manager assesses a file and sees need, plan, fairness and the
card; the caseworker finds a person, reads why, and decides; roles, audit and bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kraftsamling.cases import (
    CaseDecision,
    CaseModels,
    CasePerson,
    case_model_path,
    synthetic_economic_assistance,
    train_case_models,
)
from kraftsamling.privacy import keyed_hash
from kraftsamling.settings import Settings, pseudonym_key
from kraftsamling.store import AuditEvent, Database
from tests.conftest import finish_job, login, page_token

PLACES = "jobbtorg=10, sprakpraktik=8, subventionerad_anstallning=5, studier=5"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Models trained once for the module on synthetic households."""
    data = synthetic_economic_assistance(1500, seed=3).data
    models = train_case_models(data, kind="economic-assistance", n_boot=20, seed=0)
    return models.save(tmp_path_factory.mktemp("models") / "cases.joblib")


@pytest.fixture
def with_models(trained: Path, settings: Settings) -> CaseModels:
    target = case_model_path(settings.data_dir, "economic-assistance")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(trained, target)
    return CaseModels.load(target)


def _case_file(tmp_path: Path, n: int = 120, seed: int = 8) -> tuple[Path, list[str]]:
    data = synthetic_economic_assistance(n, seed=seed).data
    path = tmp_path / "hushall.csv"
    data.to_csv(path, index=False, sep=";")
    return path, data["household_id"].tolist()


def _import(client: TestClient, source: Path, places: str = PLACES, fair_by: str = "district"
            ) -> httpx.Response:
    """The upload followed to its job's end: 200 done, 422 refused."""
    return finish_job(client, client.post("/cases/import", data={
        "csrf_token": page_token(client, "/cases"), "kind": "economic-assistance",
        "places": places, "fair_by": fair_by},
        files={"file": (source.name, source.read_bytes(), "text/csv")}, follow_redirects=False))


def _switch(client: TestClient, username: str) -> None:
    client.post("/logout", data={"csrf_token": page_token(client)})
    client.cookies.clear()
    login(client, username)


def _actions(database: Database) -> list[tuple[str, str]]:
    with database.session() as session:
        return [(e.action, e.object_id) for e in session.scalars(select(AuditEvent))]


def test_unit_manager_assesses_a_file_and_sees_plan_fairness_and_card(
        client: TestClient, database: Database, with_models: CaseModels, tmp_path: Path) -> None:
    source, ids = _case_file(tmp_path)
    login(client, "enhetschef")
    response = _import(client, source)
    assert response.status_code == 200 and "Klart" in response.text, response.text
    page = client.get("/cases")
    assert page.status_code == 200
    text = page.text
    assert "120 personer" in text and "Optimal plan" in text and "Högst risk först" in text
    assert 'data-figure="figure-need"' in text and 'id="fairness"' in text
    assert "Platser per stadsdel" in text
    with database.session() as session:
        persons = session.scalars(select(CasePerson)).all()
        assert len(persons) == 120
        planned = [p.planned for p in persons]
        # Never more places given than there are, and never a raw id stored.
        for name, places in (("jobbtorg", 10), ("sprakpraktik", 8), ("studier", 5)):
            assert planned.count(name) <= places
        assert not {p.pseudonym for p in persons} & set(ids)
    card = client.get("/cases/card")
    assert card.status_code == 200 and "bilaga III" in card.text and "Rättvisa" in card.text
    assert ("cases.import", "1") in _actions(database)


def test_caseworker_finds_a_person_reads_why_and_decides(
        client: TestClient, database: Database, with_models: CaseModels, tmp_path: Path,
        settings: Settings) -> None:
    source, ids = _case_file(tmp_path, n=60)
    login(client, "enhetschef")
    assert _import(client, source, fair_by="").status_code == 200
    _switch(client, "handlaggare")
    listing = client.get("/cases/persons")
    assert listing.status_code == 200 and "Personer, högst risk först (60)" in listing.text
    found = client.get("/cases/persons", params={"q": ids[5]})
    assert "(1)" in found.text
    # The search is audited with the pseudonym searched for, never what was typed.
    with database.session() as session:
        searches = [e.detail for e in session.scalars(select(AuditEvent).where(
            AuditEvent.action == "view_case_list").order_by(AuditEvent.id))]
    assert searches[-1]["search"] == keyed_hash(pseudonym_key(settings), ids[5], purpose="case")
    assert searches[0]["search"] == "" and ids[5] not in str(searches)
    person_id = found.text.split('href="/cases/persons/')[1].split('"')[0]
    page = client.get(f"/cases/persons/{person_id}")
    assert page.status_code == 200
    assert "procentenheter" in page.text and "95 % intervall" in page.text
    assert "granskningsloggen" in page.text
    with database.session() as session:
        person = session.get(CasePerson, int(person_id))
        assert person is not None
        planned = person.planned
        other = next(o["name"] for o in person.options if o["name"] != planned)
    token = page_token(client, f"/cases/persons/{person_id}")
    # Departing from the recommendation without a reason is refused, and nothing is stored.
    refused = client.post(f"/cases/persons/{person_id}/decision",
                          data={"csrf_token": token, "decision": other, "reason": ""})
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    assert "skriv kort varför" in refused.text
    unknown = client.post(f"/cases/persons/{person_id}/decision",
                          data={"csrf_token": token, "decision": "fängelse"})
    assert unknown.status_code == 422 and "Okänt beslut" in unknown.text
    with database.session() as session:
        assert session.scalars(select(CaseDecision)).first() is None
    followed = client.post(f"/cases/persons/{person_id}/decision",
                           data={"csrf_token": token, "decision": planned},
                           follow_redirects=False)
    assert followed.status_code == 303
    overridden = client.post(f"/cases/persons/{person_id}/decision", data={
        "csrf_token": token, "decision": other,
        "reason": "Anna Svensson 19811218-9876 har redan plats hos Arbetsförmedlingen."},
        follow_redirects=False)
    assert overridden.status_code == 303
    with database.session() as session:
        decisions = session.scalars(select(CaseDecision).order_by(CaseDecision.id)).all()
        assert [(d.decision, d.followed) for d in decisions] == [(planned, True), (other, False)]
        assert "Anna" not in decisions[1].reason and "19811218" not in decisions[1].reason
        assert "Arbetsförmedlingen" in decisions[1].reason
    actions = _actions(database)
    assert ("view_case_person", person_id) in actions
    assert sum(a == "case_decision" for a, _ in actions) == 2
    assert any(a == "view_case_list" for a, _ in actions)
    _switch(client, "enhetschef")
    overview = client.get("/cases").text
    # Only the latest decision per person counts: one person, overridden.
    assert "1 beslut registrerade; 100 % avvek från rekommendationen." in overview


def test_case_pages_keep_to_their_roles(client: TestClient, with_models: CaseModels,
                                        tmp_path: Path) -> None:
    source, _ = _case_file(tmp_path, n=40)
    login(client, "enhetschef")
    assert _import(client, source).status_code == 200
    page = client.get("/cases/persons/1")
    assert page.status_code == 200 and 'action="/cases/persons/1/decision"' not in page.text
    decided = client.post("/cases/persons/1/decision",
                          data={"csrf_token": page_token(client), "decision": "ingen"})
    assert decided.status_code == 403
    _switch(client, "handlaggare")
    assert client.get("/cases").status_code == 403
    assert client.get("/cases/persons/9999").status_code == 404
    _switch(client, "samordnare")
    for path in ("/cases", "/cases/persons", "/cases/persons/1", "/cases/card"):
        assert client.get(path).status_code == 403, path


def test_bad_case_files_are_explained_and_nothing_stored(
        client: TestClient, database: Database, settings: Settings, tmp_path: Path,
        trained: Path) -> None:
    source, _ = _case_file(tmp_path, n=30)
    login(client, "enhetschef")
    no_model = _import(client, source)
    assert no_model.status_code == 422
    assert "cases train" in no_model.text
    target = case_model_path(settings.data_dir, "economic-assistance")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(trained, target)
    cases = {
        "okänd insats": (source, "kontaktperson=3", "Okänd insats &#39;kontaktperson&#39;"),
        "fel format": (source, "jobbtorg=tio", "skriv INSATS=ANTAL"),
        "inga platser": (source, "", "Ange antal platser"),
    }
    wrong = tmp_path / "fel.csv"
    wrong.write_text("household_id;age\nh1;44\n", encoding="utf-8")
    cases["kolumner saknas"] = (wrong, PLACES, "Kolumner saknas")
    for name, (path, places, message) in cases.items():
        response = _import(client, path, places=places)
        assert response.status_code == 422, name
        assert message in response.text and 'role="alert"' in response.text, name
    with database.session() as session:
        assert session.scalars(select(CasePerson)).first() is None


def test_a_file_with_swedish_headers_and_places_in_words_is_assessed(
        client: TestClient, database: Database, with_models: CaseModels, tmp_path: Path) -> None:
    """The help lists the columns the trained model reads, Swedish first; a file with those
    headers is assessed, and places can be typed as the page names the interventions."""
    from kraftsamling.cases import CASE_SCHEMAS

    login(client, "enhetschef")
    page = client.get("/cases")
    assert "<code>hushållstyp</code>" in page.text and "Språkpraktik=25" in page.text
    data = synthetic_economic_assistance(40, seed=9).data
    titles = {s.name: s.title for s in CASE_SCHEMAS["economic-assistance"].columns if s.title}
    source = tmp_path / "hushåll.csv"
    data.rename(columns=titles).to_csv(source, index=False, sep=";")
    assert "hushållstyp" in source.read_text(encoding="utf-8").splitlines()[0]
    response = _import(client, source, places="Jobbtorg=5, språkpraktik=4, Studier=3",
                       fair_by="")
    assert response.status_code == 200, response.text  # the job's page, done
    with database.session() as session:
        planned = [p.planned for p in session.scalars(select(CasePerson))]
    assert len(planned) == 40 and 0 < planned.count("sprakpraktik") <= 4
    wrong = _import(client, source, places="Simskola=3", fair_by="")
    assert wrong.status_code == 422 and "Okänd insats" in wrong.text
    assert "Språkpraktik" in wrong.text
