"""The public survey under load and after it ends: rate limits per address and per link, and
links an admin closes (web and CLI)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kraftsamling.autolarm import Detector, Survey, SurveyLink, SurveyResponse
from kraftsamling.settings import Settings
from kraftsamling.store import AuditEvent, Database
from kraftsamling.web import create_app
from tests.conftest import csrf_from, login, run_cli


@pytest.fixture
def limited(settings: Settings, database: Database, detector: Detector) -> FastAPI:
    with database.session() as session:
        survey = Survey(name="Trygghet", created_by="admin",
                        questions=[{"id": 1, "text": "Hur mår du?", "kind": "text"}])
        session.add(survey)
        session.flush()
        for token, school in (("lank-ett", "Ekskolan"), ("lank-tva", "Björkskolan")):
            session.add(SurveyLink(survey_id=survey.id, token=token, school=school,
                                   class_name="7A"))
    app = create_app(settings.model_copy(update={"survey_client_posts": 3,
                                                 "survey_link_posts": 5}), database=database)
    app.state.detector = detector
    return app


def _pupil(app: FastAPI, address: str) -> TestClient:
    return TestClient(app, base_url="https://testserver", client=(address, 40000))


def _post(client: TestClient, token: str, text: str = "Det är bra i skolan") -> int:
    form = client.get(f"/s/{token}")
    if form.status_code != 200:
        return form.status_code
    return client.post(f"/s/{token}", data={"csrf_token": csrf_from(form.text), "q1": text},
                       follow_redirects=False).status_code


def _responses(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(SurveyResponse)) or 0


def test_one_address_cannot_flood_the_survey(limited: FastAPI, database: Database) -> None:
    with _pupil(limited, "198.51.100.20") as flooder, _pupil(limited, "198.51.100.21") as pupil:
        assert [_post(flooder, "lank-ett") for _ in range(3)] == [303] * 3
        form = flooder.get("/s/lank-ett")
        refused = flooder.post("/s/lank-ett", data={"csrf_token": csrf_from(form.text),
                                                    "q1": "Jag vill inte leva"})
        assert refused.status_code == 429
        assert "Vänta några minuter" in refused.text
        assert "Jag vill inte leva" in refused.text  # the answer is kept in the form
        assert _post(flooder, "lank-tva") == 429  # the limit is per address, every link
        assert _post(pupil, "lank-ett") == 303  # another address is not affected
    assert _responses(database) == 4
    with database.session() as session:
        throttled = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "survey_throttled")).all()
        assert len(throttled) == 2 and all(e.client == "" for e in throttled)


def test_one_link_takes_a_bounded_number_of_answers(limited: FastAPI, database: Database
                                                    ) -> None:
    statuses = []
    for n in range(7):
        with _pupil(limited, f"192.0.2.{n + 1}") as pupil:
            statuses.append(_post(pupil, "lank-ett"))
    assert statuses == [303] * 5 + [429] * 2
    with _pupil(limited, "192.0.2.99") as pupil:
        assert _post(pupil, "lank-tva") == 303  # the other link is not affected


def test_an_admin_closes_a_link_on_the_web(limited: FastAPI, database: Database) -> None:
    with TestClient(limited, base_url="https://testserver") as admin, \
            _pupil(limited, "192.0.2.50") as pupil:
        form = pupil.get("/s/lank-ett")
        login(admin, "admin")
        with database.session() as session:
            link_id = session.scalar(select(SurveyLink.id).where(SurveyLink.token == "lank-ett"))
        page = admin.get("/admin/surveys")
        assert "Stäng länken" in page.text
        closed = admin.post(f"/admin/surveys/links/{link_id}/close",
                            data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
        assert closed.status_code == 303
        late = pupil.post("/s/lank-ett", data={"csrf_token": csrf_from(form.text),
                                               "q1": "Ett svar för sent"})
        assert late.status_code == 410
        assert "tar inte längre emot svar" in late.text
        assert pupil.get("/s/lank-ett").status_code == 410
        assert _post(pupil, "lank-tva") == 303
        page = admin.get("/admin/surveys")
        admin.post(f"/admin/surveys/links/{link_id}/open",
                   data={"csrf_token": csrf_from(page.text)})
        assert _post(pupil, "lank-ett") == 303
    assert _responses(database) == 2
    with database.session() as session:
        actions = [e.action for e in session.scalars(select(AuditEvent).where(
            AuditEvent.action.like("survey_link_%")))]
    assert actions == ["survey_link_closed", "survey_link_opened"]


def test_links_are_closed_from_the_cli(limited: FastAPI, database: Database,
                                       tmp_path: Path) -> None:
    listed = run_cli("autolarm", "links", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "lank-ett" in listed.stdout and "Ekskolan" in listed.stdout
    closed = run_cli("autolarm", "close-link", "http://127.0.0.1:8000/s/lank-ett", cwd=tmp_path)
    assert closed.returncode == 0, closed.stderr
    assert "stängd" in closed.stdout
    with _pupil(limited, "192.0.2.60") as pupil:
        assert _post(pupil, "lank-ett") == 410
    missing = run_cli("autolarm", "close-link", "finns-inte", cwd=tmp_path)
    assert missing.returncode == 1 and "finns inte" in missing.stderr
    assert run_cli("autolarm", "open-link", "lank-ett", cwd=tmp_path).returncode == 0
    with _pupil(limited, "192.0.2.60") as pupil:
        assert _post(pupil, "lank-ett") == 303
