"""Writing the papers to a folder, remembering what they were made from, and telling whether
they are still current (the admin page)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from kraftsamling.compliance._cards import MODULES
from kraftsamling.compliance._documents import build_documents, fingerprint, module_sources
from kraftsamling.compliance._installation import Installation, inspect_installation
from kraftsamling.compliance._render import render_docx, render_html
from kraftsamling.compliance._store import ComplianceReport
from kraftsamling.settings import Settings
from kraftsamling.store import Database, record_event

__all__ = ["PapersStatus", "check_modules", "papers_status", "write_report"]

FILE_NAMES = {"dpia": "konsekvensbedomning", "record": "register-over-behandling"}


def check_modules(modules: Sequence[str]) -> tuple[str, ...]:
    """The modules asked for, in the usual order; all of them when none is named."""
    unknown = [m for m in modules if m not in MODULES]
    if unknown:
        raise ValueError(f"Okänd modul: {', '.join(unknown)}. Kända: {', '.join(MODULES)}.")
    return tuple(m for m in MODULES if m in modules) if modules else MODULES


def _module_keys(inst: Installation, module: str) -> list[str]:
    """A module's sources as its papers alone would cite them (the same whichever other
    modules a report covered), so the admin page can compare like with like."""
    return module_sources(build_documents(inst, (module,)), module)


def write_report(settings: Settings, db: Database, *, modules: Sequence[str], output: Path,
                 actor: str) -> list[Path]:
    """Write the DPIA draft, the record and the AI Act checklists (HTML and DOCX) to
    ``output``; store each module's fingerprint; audit it."""
    chosen = check_modules(modules)
    if output.exists() and not output.is_dir():
        raise ValueError(f"{output} finns och är ingen mapp.")
    output.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    written: list[Path] = []
    with db.session() as session:
        inst = inspect_installation(settings, session, chosen)
        documents = build_documents(inst, chosen)
        keys = {m: _module_keys(inst, m) for m in chosen}
        prints = {m: fingerprint(k) for m, k in keys.items()}
        for doc in documents:
            stem = FILE_NAMES.get(doc.key, doc.key.replace("ai_act_", "ai-forordningen-"))
            shown = {m: prints[m] for m in doc.modules}
            html = output / f"{stem}.html"
            html.write_text(render_html(doc, generated_at=now, fingerprints=shown),
                            encoding="utf-8")
            written += [html, render_docx(doc, output / f"{stem}.docx", generated_at=now,
                                          fingerprints=shown)]
        names = [p.name for p in written]
        for m in chosen:
            session.add(ComplianceReport(module=m, created_at=now, created_by=actor,
                                         fingerprint=prints[m], sources=keys[m], files=names,
                                         detail={"output": str(output)}))
        record_event(session, actor=actor, action="compliance_report",
                     object_type="compliance", object_id=",".join(chosen),
                     detail={"modules": list(chosen), "files": len(written)})
    return written


@dataclass
class PapersStatus:
    module: str
    made_at: datetime | None
    made_by: str
    current: bool
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def papers_status(settings: Settings, db: Database) -> list[PapersStatus]:
    """Per module: when its papers were made and whether what they rest on has changed."""
    statuses = []
    with db.session() as session:
        inst = inspect_installation(settings, session, MODULES)
        for module in MODULES:
            latest = session.scalars(
                select(ComplianceReport).where(ComplianceReport.module == module)
                .order_by(ComplianceReport.id.desc()).limit(1)).first()
            if latest is None:
                statuses.append(PapersStatus(module, None, "", False))
                continue
            now = _module_keys(inst, module)
            current = fingerprint(now) == latest.fingerprint
            before = set(latest.sources)
            statuses.append(PapersStatus(
                module, latest.created_at, latest.created_by, current,
                added=[k for k in now if k not in before],
                removed=sorted(before - set(now))))
    return statuses
