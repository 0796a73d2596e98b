"""Pseudonyms: consistent within a dataset, keyed, reversible only for admins, audited."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kraftsamling.privacy import (
    Analyzer,
    Pseudonymization,
    Pseudonymizer,
    TablePseudonymizer,
    generalise,
    install_log_redaction,
    resolve_pseudonym,
)
from kraftsamling.settings import Settings, pseudonym_key
from kraftsamling.store import AuditEvent, Database, ImportedRow, Pseudonym, User
from kraftsamling.tabular import PERSONS_SCHEMA, ColumnSpec, import_table
from tests.conftest import csrf_from, finish_job, job_result, login

KEY = b"test-key"
ANALYZER = Analyzer.from_config()
NOTE = "Fatima Hassan (811218-9876) ringde från 070-123 45 67. Fatima mår bättre."


def test_same_value_same_pseudonym_across_texts() -> None:
    pseudonymizer = Pseudonymizer(key=KEY, analyzer=ANALYZER)
    first = pseudonymizer.redact(NOTE)
    second = pseudonymizer.redact("Ny kontakt: 19811218-9876 och +46 70 123 45 67, Anna Ek.")
    assert first == "[PERSON_1] ([PERSONNUMMER_1]) ringde från [PHONE_1]. [PERSON_1] mår bättre."
    assert second == "Ny kontakt: [PERSONNUMMER_1] och [PHONE_1], [PERSON_2]."


def test_modes() -> None:
    tagged = Pseudonymizer(key=KEY, analyzer=ANALYZER, mode="tag").redact(NOTE)
    assert tagged.startswith("[PERSON] ([PERSONNUMMER])")
    masked = Pseudonymizer(key=KEY, analyzer=ANALYZER, mode="mask").redact("Ring 070-123 45 67")
    assert masked == "Ring ******* ** **"
    with pytest.raises(ValueError, match="Okänt läge"):
        Pseudonymizer(key=KEY, analyzer=ANALYZER, mode="blur")  # type: ignore[arg-type]


def test_generalisation_rules() -> None:
    assert generalise(ColumnSpec(name="fodelsear", type="int"), 1983) == "1980–1984"
    assert generalise(ColumnSpec(name="alder", type="int"), 37) == "35–39"
    assert generalise(ColumnSpec(name="postnummer"), "582 22") == "582"
    assert generalise(ColumnSpec(name="stadsdel"), "Ryd") == "Ryd"
    assert generalise(ColumnSpec(name="d", type="date"), "2024-03-15") == "2024"
    with pytest.raises(ValueError, match="Okänd generaliseringsregel"):
        generalise(ColumnSpec(name="x", generalise="fuzzy"), "a")


def test_table_columns_by_kind() -> None:
    records = [{"person_id": "19811218-9876", "fodelsear": 1981, "kon": "kvinna",
                "stadsdel": "212 48", "anteckning": NOTE}]
    out = TablePseudonymizer(key=KEY, analyzer=ANALYZER)(records, PERSONS_SCHEMA)[0]
    assert out["person_id"].startswith("ID-") and "9876" not in out["person_id"]
    assert out["fodelsear"] == "1980–1984"
    assert out["stadsdel"] == "212"
    assert out["kon"] == "kvinna"
    assert "Fatima" not in out["anteckning"] and "[PERSON_1]" in out["anteckning"]
    other_key = TablePseudonymizer(key=b"another", analyzer=ANALYZER)(records, PERSONS_SCHEMA)[0]
    assert other_key["person_id"] != out["person_id"]


def _import(database: Database, settings: Settings, tmp_path: Path) -> int:
    source = tmp_path / "personer.csv"
    source.write_text(
        "person_id;fodelsear;kon;stadsdel;anteckning\n"
        f"19811218-9876;1981;kvinna;Ryd;{NOTE}\n", encoding="utf-8")
    with database.session() as session:
        table = import_table(session, source, PERSONS_SCHEMA, actor="test",
                             transform=Pseudonymization.for_settings(settings).table())
        return table.id


def test_nothing_raw_reaches_the_database_file(database: Database, settings: Settings,
                                               tmp_path: Path) -> None:
    table_id = _import(database, settings, tmp_path)
    database.dispose()
    raw = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("kraftsamling.sqlite3*"))
    for secret in ("Fatima", "Hassan", "811218", "070-123"):
        assert secret.encode() not in raw, secret
    with database.session() as session:
        stored = session.scalars(select(ImportedRow).where(ImportedRow.table_id == table_id)
                                 ).one().data
        mapping = session.scalars(select(Pseudonym)).all()
    assert stored["anteckning"].startswith("[PERSON_1] ([PERSONNUMMER_1])")
    assert {m.pseudonym for m in mapping} == {"[PERSON_1]", "[PERSONNUMMER_1]", "[PHONE_1]"}


def test_only_admins_resolve_and_every_resolution_is_audited(
        database: Database, settings: Settings, tmp_path: Path) -> None:
    table_id = _import(database, settings, tmp_path)
    key = pseudonym_key(settings)
    with database.session() as session:
        admin = session.scalar(select(User).where(User.username == "admin"))
        reviewer = session.scalar(select(User).where(User.username == "granskare"))
        assert admin is not None and reviewer is not None
        assert resolve_pseudonym(session, key=key, scope=f"table:{table_id}",
                                 pseudonym="[PERSON_1]", actor=admin) == "Fatima Hassan"
        with pytest.raises(PermissionError):
            resolve_pseudonym(session, key=key, scope=f"table:{table_id}",
                              pseudonym="[PERSON_1]", actor=reviewer)
        assert resolve_pseudonym(session, key=key, scope=f"table:{table_id}",
                                 pseudonym="[PERSON_7]", actor=admin) is None
    with pytest.raises(ValueError, match="dekrypteras"), database.session() as session:
        resolve_pseudonym(session, key=b"wrong", scope=f"table:{table_id}",
                          pseudonym="[PERSON_1]", actor=admin)
    with database.session() as session:
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action.in_(["resolve_pseudonym", "resolve_denied"]))
            .order_by(AuditEvent.id)).all()
    assert [(e.actor, e.action, e.detail) for e in events] == [
        ("admin", "resolve_pseudonym", {"found": True}),
        ("granskare", "resolve_denied", {}),
        ("admin", "resolve_pseudonym", {"found": False}),
    ]


def test_resolve_through_the_web(client: TestClient, database: Database, settings: Settings,
                                 tmp_path: Path) -> None:
    table_id = _import(database, settings, tmp_path)
    login(client, "admin")
    token = csrf_from(client.get("/admin/pseudonyms").text)
    form = {"csrf_token": token, "scope": f"table:{table_id}", "pseudonym": "[PHONE_1]"}
    assert client.post("/admin/pseudonyms", data=form).status_code == 422  # no reason given
    response = client.post("/admin/pseudonyms", data={**form, "reason": "Begäran från IVO"})
    assert response.status_code == 200
    assert "070-123 45 67" in response.text
    missing = client.post("/admin/pseudonyms",
                          data={**form, "pseudonym": "[PHONE_9]", "reason": "test"})
    assert missing.status_code == 404
    with database.session() as session:
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-4:] == ["resolve_reason", "resolve_pseudonym", "resolve_reason",
                            "resolve_pseudonym"]
    client.post("/logout", data={"csrf_token": token})
    login(client, "granskare")
    assert client.get("/admin/pseudonyms").status_code == 403


def test_web_import_is_pseudonymised(client: TestClient) -> None:
    login(client, "analytiker")
    token = csrf_from(client.get("/data/import").text)
    content = f"person_id;fodelsear;kon;stadsdel;anteckning\nP1;1981;kvinna;Ryd;{NOTE}\n"
    response = client.post("/data/import", data={"csrf_token": token, "schema_name": "personer"},
                           files={"file": ("p.csv", content.encode(), "text/csv")},
                           follow_redirects=False)
    response = client.get(job_result(finish_job(client, response)))
    assert response.status_code == 200
    assert "Fatima" not in response.text and "[PERSON_1]" in response.text
    assert "1980–1984" in response.text


def test_log_lines_never_carry_raw_pii(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("kraftsamling.test.redaction")
    logger.propagate = False
    handler = caplog.handler
    logger.addHandler(handler)
    try:
        install_log_redaction(logger)
        logger.warning("Kunde inte spara raden: %s", NOTE)
        try:
            raise ValueError(f"fel i {NOTE}")
        except ValueError:
            logger.exception("Importen avbröts")
    finally:
        logger.removeHandler(handler)
    text = caplog.text
    assert "[PERSON]" in text and "[PERSONNUMMER]" in text and "Importen avbröts" in text
    for secret in ("Fatima", "Hassan", "811218-9876", "070-123 45 67"):
        assert secret not in text
