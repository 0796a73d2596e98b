"""Chat insights through the real CLI and over HTTP: columns, bad input, roles, audit."""

from __future__ import annotations

import csv
import json
from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import select

from kraftsamling.chat import CSV_COLUMNS, synthetic_conversations, write_canonical, write_survey
from kraftsamling.store import AuditEvent, Database
from tests.conftest import finish_job, login, page_token, run_cli


def test_cli_analyze_writes_one_row_per_conversation(tmp_path: Path) -> None:
    chats = synthetic_conversations(25, seed=4)
    write_canonical(chats, tmp_path / "chattar.csv")
    write_survey(chats, tmp_path / "enkat.csv", share=0.4, seed=1)
    result = run_cli("chat", "analyze", "chattar.csv", "-o", "ut.csv", "--survey", "enkat.csv",
                  cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with (tmp_path / "ut.csv").open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == CSV_COLUMNS
    assert [r["conversation_id"] for r in rows] == [c.conversation_id for c in chats]
    with (tmp_path / "enkat.csv").open(encoding="utf-8") as handle:
        survey = {r["conversation_id"]: r for r in csv.DictReader(handle)}
    for row in rows:
        if row["conversation_id"] in survey:
            assert float(row["mood_before"]) == float(survey[row["conversation_id"]]["mood_before"])
        assert row["language"] == "sv" and 1 <= float(row["mood_after"]) <= 5
    assert "25 samtal analyserade" in result.stdout


def test_cli_reads_esconv_and_names_bad_input(tmp_path: Path) -> None:
    dialog = [{"speaker": "usr", "text": "I lost my job and I can't sleep at night"},
              {"speaker": "sys", "text": "That sounds hard."},
              {"speaker": "usr", "text": "thanks, that helped"}]
    line = json.dumps({"problem_type": "job crisis", "dialog": dialog,
                       "survey_score": {"seeker": {"initial_emotion_intensity": "4"}}})
    (tmp_path / "esconv.jsonl").write_text(line + "\n" + line + "\n", encoding="utf-8")
    result = run_cli("chat", "analyze", "esconv.jsonl", "--format", "esconv", "-o", "ut.csv",
                  cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader((tmp_path / "ut.csv").open(encoding="utf-8")))
    assert [r["conversation_id"] for r in rows] == ["0", "1"] and rows[0]["language"] == "en"
    (tmp_path / "fel.csv").write_text("conversation_id;role;text\nc1;seeker;hej\n",
                                      encoding="utf-8")
    bad = run_cli("chat", "analyze", "fel.csv", "-o", "ut2.csv", cwd=tmp_path)
    assert bad.returncode == 1 and "timestamp" in bad.stderr
    assert not (tmp_path / "ut2.csv").exists()
    wrong = run_cli("chat", "analyze", "esconv.jsonl", "--format", "whatsapp", "-o", "x.csv",
                 cwd=tmp_path)
    assert wrong.returncode == 1 and "Okänt format" in wrong.stderr


def _import(client: TestClient, tmp_path: Path, n: int = 20) -> None:
    chats = synthetic_conversations(n, seed=6)
    source = write_canonical(chats, tmp_path / "chattar.csv")
    response = client.post("/chat/import", data={"csrf_token": page_token(client, "/chat")},
                           files={"file": ("chattar.csv", source.read_bytes(), "text/csv")},
                           follow_redirects=False)
    assert response.headers["location"].startswith("/jobs/")  # answered at once
    done = finish_job(client, response)
    assert done.status_code == 200 and 'href="/chat"' in done.text, done.text


def test_coordinator_imports_views_and_downloads(client: TestClient, database: Database,
                                                 tmp_path: Path) -> None:
    login(client, "samordnare")
    _import(client, tmp_path)
    page = client.get("/chat")
    assert page.status_code == 200 and "20 samtal" in page.text
    assert 'data-figure="figure-weeks"' in page.text and "<caption>" in page.text
    link = page.text.split('href="/chat/conversations/')[1].split('"')[0]
    conversation = client.get(f"/chat/conversations/{link}")
    assert conversation.status_code == 200 and "granskningsloggen" in conversation.text
    report = client.get("/chat/report.html")
    assert report.status_code == 200
    assert "attachment" in report.headers["content-disposition"]
    assert client.get("/chat/volunteers").status_code == 200
    with database.session() as session:
        actions = [(e.action, e.object_id) for e in session.scalars(select(AuditEvent))]
    assert ("view_chat_conversation", link) in actions
    # The dashboard's table names single conversations: which ones were shown is audited.
    with database.session() as session:
        shown = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "view_chat_dashboard").order_by(AuditEvent.id.desc())).first()
    assert shown is not None and shown.actor == "samordnare"
    assert int(link) in shown.detail["rows_shown"] and shown.detail["conversations"] == 20
    assert any(a == "download_chat_report" for a, _ in actions)
    assert any(a == "chat.import" for a, _ in actions)


def test_chats_that_ended_badly_are_shown_with_their_words(client: TestClient,
                                                          database: Database,
                                                          tmp_path: Path) -> None:
    login(client, "samordnare")
    _import(client, tmp_path, n=40)
    from kraftsamling.chat import ChatConversation

    with database.session() as session:
        rows = list(session.scalars(select(ChatConversation)))
        badly = [r for r in rows if r.ending == "badly"]
        assert badly and {r.ending for r in rows} <= {"well", "badly", "unclear"}
        with_words = next(r for r in badly if r.ending_evidence.get("not_helped"))
        row_id, sentence = with_words.id, with_words.ending_evidence["not_helped"][0]
        assert with_words.started_at is not None
        week = with_words.started_at.replace(tzinfo=UTC).astimezone(
            ZoneInfo("Europe/Stockholm")).strftime("%G-V%V")
    page = client.get("/chat/endings", params={"week": week})
    assert page.status_code == 200 and f"Vecka {week}" in page.text
    assert f'href="/chat/conversations/{row_id}"' in page.text and sentence in page.text
    conversation = client.get(f"/chat/conversations/{row_id}")
    assert "Hur samtalet slutade" in conversation.text and sentence in conversation.text
    with database.session() as session:
        actions = [e.action for e in session.scalars(select(AuditEvent))]
    assert "view_chat_endings" in actions


def test_chat_pages_are_for_coordinators_only(client: TestClient) -> None:
    login(client, "granskare")
    for path in ("/chat", "/chat/volunteers", "/chat/report.html", "/chat/conversations/1",
                 "/chat/endings"):
        assert client.get(path).status_code == 403, path


def test_bad_upload_is_explained_and_nothing_stored(client: TestClient,
                                                   database: Database) -> None:
    login(client, "samordnare")
    bad = "conversation_id;role;timestamp;text\nc1;kurator;igår;hej\n".encode()
    response = client.post("/chat/import", data={"csrf_token": page_token(client, "/chat")},
                           files={"file": ("fel.csv", bad, "text/csv")},
                           follow_redirects=False)
    response = finish_job(client, response)
    assert response.status_code == 422 and 'role="alert"' in response.text
    from kraftsamling.chat import ChatConversation

    with database.session() as session:
        assert session.scalars(select(ChatConversation)).first() is None


def test_a_file_with_swedish_headers_and_roles_is_imported_as_the_help_says(
        client: TestClient, database: Database) -> None:
    """The help lists the Swedish headers; a file written with them (and Swedish roles) is
    imported, its volunteer stored as a pseudonym."""
    login(client, "samordnare")
    page = client.get("/chat")
    assert "<code>samtal</code>" in page.text and "<code>stödsökande</code>" in page.text
    rows = ["Samtal;Roll;Tid;Meddelande;Volontär",
            "s1;Stödsökande;2026-03-01 20:01;jag mår inte bra;anna.volontar@example.org",
            "s1;Volontär;2026-03-01 20:02;berätta mer;anna.volontar@example.org",
            "s1;stödsökande;2026-03-01 20:05;tack, det hjälpte;anna.volontar@example.org"]
    response = client.post("/chat/import", data={"csrf_token": page_token(client, "/chat")},
                           files={"file": ("chattar.csv", "\n".join(rows).encode(),
                                           "text/csv")}, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert finish_job(client, response).status_code == 200
    from sqlalchemy import text

    with database.session() as session:
        stored = session.execute(text("SELECT external_id, n_messages, volunteer_id "
                                      "FROM chat_conversations")).all()
    assert [(c, n) for c, n, _ in stored] == [("s1", 3)]
    assert stored[0][2] and "anna" not in stored[0][2]


def test_an_empty_chosen_file_is_named_and_messages_keep_their_quotes(
        client: TestClient) -> None:
    """The issue saw "Välj en fil med chattar." for an empty file that was chosen, and an
    error that lost its opening quote ("trasig_rad.csv' kunde inte …")."""
    import html

    from kraftsamling.errors import error_text

    login(client, "samordnare")
    response = client.post("/chat/import", data={"csrf_token": page_token(client, "/chat")},
                           files={"file": ("tom.csv", b"", "text/csv")}, follow_redirects=False)
    assert response.status_code == 422
    assert "'tom.csv' är tom. Välj en fil med chattar." in html.unescape(response.text)
    assert error_text(ValueError("'trasig_rad.csv' kunde inte läsas")).startswith("'trasig")
    assert error_text(KeyError("Okänt schema 'x'.")) == "Okänt schema 'x'."
