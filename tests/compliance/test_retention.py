"""Retention: per-table periods from the settings; `retention apply` deletes only what has
passed its period, with what belongs to it, and audits each table; the audit log is kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kraftsamling.compliance import apply_retention
from kraftsamling.settings import Settings, load_settings
from kraftsamling.store import AuditEvent, Database, ImportedRow, ImportedTable, verify_chain
from tests.conftest import run_cli

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _table(session: object, name: str, age_days: int) -> None:
    table = ImportedTable(name=name, schema_name="s", source_filename=f"{name}.csv",
                          encoding="utf-8", n_rows=2, imported_by="analytiker",
                          imported_at=NOW - timedelta(days=age_days))
    table.rows = [ImportedRow(row_number=i, data={"x": i}) for i in (1, 2)]
    session.add(table)  # type: ignore[attr-defined]


def test_apply_deletes_only_what_is_past_its_period_and_audits_it(
        settings: Settings, database: Database) -> None:
    with database.session() as session:
        _table(session, "gammal", 40)
        _table(session, "gränsfall", 29)
        _table(session, "ny", 1)
    chosen = settings.model_copy(update={"retention_days": {"imported_tables": 30,
                                                            "chat_batches": 10}})
    dry = apply_retention(chosen, database, actor="drift", now=NOW, dry_run=True)
    assert {(r.table, r.rows) for r in dry} == {("imported_tables", 1), ("chat_batches", 0)}
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(ImportedTable)) == 3
        assert not session.scalars(select(AuditEvent).where(
            AuditEvent.action == "retention_delete")).all()
    done = apply_retention(chosen, database, actor="drift", now=NOW)
    assert {(r.table, r.rows) for r in done} == {("imported_tables", 1), ("chat_batches", 0)}
    with database.session() as session:
        names = sorted(session.scalars(select(ImportedTable.name)))
        assert names == ["gränsfall", "ny"]
        assert session.scalar(select(func.count()).select_from(ImportedRow)) == 4  # cascade
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "retention_delete")).all()
        assert [(e.actor, e.object_id, e.detail["rows"], e.detail["days"]) for e in events] == [
            ("drift", "imported_tables", 1, 30)]
        assert verify_chain(session) == []
    again = apply_retention(chosen, database, actor="drift", now=NOW)
    assert all(r.rows == 0 for r in again)


def test_the_audit_log_cannot_be_given_a_period(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"Granskningsloggen .* gallras inte"):
        load_settings(data_dir=tmp_path, retention_days={"audit_events": 365})
    with pytest.raises(ValueError, match="Okänd tabell 'fakturor'"):
        load_settings(data_dir=tmp_path, retention_days={"fakturor": 365})
    with pytest.raises(ValueError, match="minst 1 dag"):
        load_settings(data_dir=tmp_path, retention_days={"chat_batches": 0})


def test_retention_from_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_cli("db", "upgrade", cwd=tmp_path).returncode == 0
    database = Database.for_settings(load_settings(data_dir=tmp_path / "data"))
    with database.session() as session:
        _table(session, "gammal", 400)
        _table(session, "ny", 0)
    database.dispose()
    (tmp_path / "kraftsamling.toml").write_text("[retention_days]\nimported_tables = 365\n",
                                                encoding="utf-8")
    done = run_cli("retention", "apply", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "imported_tables" in done.stdout and "Raderade" in done.stdout
    database = Database.for_settings(load_settings(data_dir=tmp_path / "data"))
    with database.session() as session:
        assert list(session.scalars(select(ImportedTable.name))) == ["ny"]
    database.dispose()
    monkeypatch.setenv("KRAFTSAMLING_RETENTION_DAYS", '{"audit_events": 30}')
    refused = run_cli("retention", "apply", cwd=tmp_path)
    assert refused.returncode == 1 and "Granskningsloggen (audit_events) gallras inte" in (
        refused.stderr)
