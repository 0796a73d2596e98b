"""The papers: written from the installation, every statement traceable, the parts only the
organisation can decide marked; a changed setting changes the right section and makes the
papers out of date on the admin page; HTML and DOCX that open."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kraftsamling.compliance import (
    Document,
    Table,
    build_documents,
    inspect_installation,
    write_report,
)
from kraftsamling.privacy import DEFAULT_CONFIG
from kraftsamling.settings import Settings
from kraftsamling.store import Database, Role, create_user
from tests.conftest import login, run_cli

REPO = Path(__file__).parent.parent.parent
PLACEHOLDERS = re.compile(r"TODO|TBD|XXX|FIXME|lorem|\[fyll|\.\.\.|…|<[a-z]+>", re.I)


def _documents(settings: Settings, database: Database) -> dict[str, Document]:
    modules = ("privacy", "autolarm", "chat", "twin", "cases")
    with database.session() as session:
        inst = inspect_installation(settings, session, modules)
    return {doc.key: doc for doc in build_documents(inst, modules)}


def _section_text(doc: Document, key: str) -> str:
    parts = []
    for item in doc.get(key).items:
        if isinstance(item, Table):
            parts += [item.caption, *[" | ".join(row) for row in item.rows]]
        else:
            parts.append(item.text)
    return "\n".join(parts)


def _changed_sections(before: Document, after: Document) -> set[str]:
    return {s.key for s in before.sections
            if _section_text(before, s.key) != _section_text(after, s.key)}


def test_every_statement_is_traceable_and_only_the_organisation_parts_are_open(
        settings: Settings, database: Database) -> None:
    documents = _documents(settings, database)
    assert set(documents) == {"dpia", "record", "ai_act_privacy", "ai_act_autolarm",
                              "ai_act_chat", "ai_act_twin", "ai_act_cases"}
    cited_tests = set()
    for doc in documents.values():
        for item in doc.items():
            text = item.caption if isinstance(item, Table) else item.text
            assert not PLACEHOLDERS.search(text), text
            if getattr(item, "organisation", False):
                assert not item.sources
                continue
            assert item.sources, f"{doc.key}: no source for {text!r}"
            cited_tests |= {s.ref for s in item.sources if s.kind == "test"}
    for ref in cited_tests:
        path, name = ref.split("::")
        assert f"def {name}(" in (REPO / path).read_text(encoding="utf-8"), ref
    articles = [s.key for s in documents["ai_act_cases"].sections]
    assert articles == ["art5", "riskklass", *[f"art{n}" for n in range(9, 16)]]
    cases_class = _section_text(documents["ai_act_cases"], "riskklass")
    assert "bilaga III punkt 5 a" in cases_class
    assert "barn i utbildning" in _section_text(documents["ai_act_autolarm"], "riskklass")
    assert "3.39" in _section_text(documents["ai_act_chat"], "art5")


def test_a_recogniser_switched_off_changes_the_pseudonymisation_section(
        settings: Settings, database: Database, tmp_path: Path) -> None:
    before = _documents(settings, database)["dpia"]
    config = tmp_path / "igenkannare.toml"
    config.write_text(DEFAULT_CONFIG.read_text(encoding="utf-8").replace(
        'type = "person_name"', 'type = "person_name"\nenabled = false'), encoding="utf-8")
    after = _documents(settings.model_copy(update={"privacy_config": config}), database)["dpia"]
    assert _changed_sections(before, after) == {"behandling", "pseudonymisering"}
    text = _section_text(after, "pseudonymisering")
    assert "sparas därför i klartext om de förekommer: personnamn." in text
    assert "person_name | personnamn | nej" in text


def test_a_role_added_changes_the_access_section(settings: Settings,
                                                 database: Database) -> None:
    before = _documents(settings, database)["dpia"]
    with database.session() as session:
        create_user(session, username="ny-handlaggare", password="handlagga-lösen-456",
                    role=Role.caseworker)
    after = _documents(settings, database)["dpia"]
    assert _changed_sections(before, after) == {"atkomst"}
    assert "handläggare | ärendelistan och varje persons sida, registrerar beslut | 2" in (
        _section_text(after, "atkomst"))


def test_a_retention_period_changes_the_retention_section(settings: Settings,
                                                          database: Database) -> None:
    before = _documents(settings, database)
    changed = settings.model_copy(update={"retention_days": {"web_sessions": 1,
                                                             "chat_batches": 180}})
    after = _documents(changed, database)
    assert _changed_sections(before["dpia"], after["dpia"]) == {"gallring"}
    assert "chat_batches | chattimporter med samtal och meddelanden | 180 dagar" in (
        _section_text(after["dpia"], "gallring"))
    assert "chat_batches: 180 dagar" in _section_text(after["record"], "modul-chat")


def test_papers_go_out_of_date_when_a_setting_changes(
        settings: Settings, database: Database, client: TestClient, tmp_path: Path) -> None:
    from kraftsamling.compliance import papers_status

    written = write_report(settings, database, modules=["cases"], output=tmp_path / "papper",
                           actor="admin")
    assert {p.name for p in written} == {
        "konsekvensbedomning.html", "konsekvensbedomning.docx", "register-over-behandling.html",
        "register-over-behandling.docx", "ai-forordningen-cases.html",
        "ai-forordningen-cases.docx"}
    statuses = {s.module: s for s in papers_status(settings, database)}
    assert statuses["cases"].current and statuses["chat"].made_at is None
    client.app.state.settings = settings.model_copy(  # type: ignore[attr-defined]
        update={"session_idle_minutes": 10})
    login(client, "admin")
    page = client.get("/admin/compliance")
    assert page.status_code == 200 and "Inaktuella" in page.text
    assert "setting:session_idle_minutes=30" in page.text
    assert "setting:session_idle_minutes=10" in page.text
    assert "Inga papper ännu" in page.text
    login(client, "handlaggare")
    assert client.get("/admin/compliance").status_code == 403


def test_report_from_the_cli_writes_docx_that_opens(tmp_path: Path) -> None:
    from docx import Document as Docx

    assert run_cli("db", "upgrade", cwd=tmp_path).returncode == 0
    result = run_cli("compliance", "report", "--module", "autolarm", "--module", "twin",
                     "-o", "papper", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    dpia = Docx(str(tmp_path / "papper" / "konsekvensbedomning.docx"))
    headings = [p.text for p in dpia.paragraphs if p.style.name.startswith("Heading")]
    assert "7. Lagring och gallring" in headings
    body = "\n".join(p.text for p in dpia.paragraphs)
    assert "Att avgöra av organisationen:" in body and "[Källa:" in body
    assert "Klasstvilling" in body and "Ärenden:" not in body
    checklist = Docx(str(tmp_path / "papper" / "ai-forordningen-autolarm.docx"))
    assert any("Artikel 14" in p.text for p in checklist.paragraphs)
    assert (tmp_path / "papper" / "ai-forordningen-twin.html").is_file()
    assert not (tmp_path / "papper" / "ai-forordningen-cases.html").exists()
    bad = run_cli("compliance", "report", "--module", "robot", "-o", "papper", cwd=tmp_path)
    assert bad.returncode == 1 and "Okänd modul: robot" in bad.stderr


@pytest.mark.parametrize("modules", [["privacy"], ["cases", "chat"]])
def test_module_papers_match_the_status_check(settings: Settings, database: Database,
                                              tmp_path: Path, modules: list[str]) -> None:
    from kraftsamling.compliance import papers_status

    write_report(settings, database, modules=modules, output=tmp_path / "p", actor="admin")
    statuses = {s.module: s.current for s in papers_status(settings, database)}
    assert all(statuses[m] for m in modules)
