"""Cases in the web app: the caseworker's page per person and the unit manager's overview.

The tool recommends and the caseworker decides: every view of a person is audited, every
decision is stored with the recommendation it followed or departed from, and the unit manager
sees how often recommendations are overridden next to need, places, plan and fairness.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from kraftsamling.cases import (
    CASE_ID,
    EA_INTERVENTIONS,
    KINDS,
    CaseModels,
    CaseService,
    FeatureRegister,
    case_column_help,
    case_model_path,
    case_models,
    fairness_findings,
    intervention_code,
    model_card_context,
    read_case_table,
)
from kraftsamling.cases._report import OUTCOME_LABELS, PLAN_LABELS, need_table, overview_charts
from kraftsamling.cases._store import (
    CaseBatch,
    CasePerson,
    decision_summary,
    group_shares,
    record_decision,
)
from kraftsamling.compliance import card_context
from kraftsamling.privacy import Pseudonymization
from kraftsamling.settings import Settings
from kraftsamling.store import Database, Role, User, record_event
from kraftsamling.tabular import header_key
from kraftsamling.web import framework as web

router = APIRouter(prefix="/cases", dependencies=[Depends(web.csrf_protect)])
Caseworker = Annotated[User, Depends(web.require_roles(Role.caseworker))]
UnitManager = Annotated[User, Depends(web.require_roles(Role.unit_manager))]
CaseStaff = Annotated[User, Depends(web.require_roles(Role.caseworker, Role.unit_manager))]
PAGE_SIZE = 50
HIGH_RISK = 0.5


def _latest_batch(db: Database, batch_id: int | None = None) -> CaseBatch | None:
    with db.session() as session:
        query = select(CaseBatch).order_by(CaseBatch.id.desc())
        if batch_id is not None:
            query = select(CaseBatch).where(CaseBatch.id == batch_id)
        batch = session.scalars(query.limit(1)).first()
        session.expunge_all()
    return batch


def _persons_frame(db: Database, batch_id: int) -> pd.DataFrame:
    with db.session() as session:
        rows = session.execute(select(CasePerson.id, CasePerson.risk, CasePerson.best,
                                      CasePerson.planned, CasePerson.groups)
                               .where(CasePerson.batch_id == batch_id)).all()
    frame = pd.DataFrame(rows, columns=["id", "risk", "best", "planned", "groups"])
    groups = pd.DataFrame(list(frame["groups"]), index=frame.index) if len(frame) else None
    return frame.drop(columns="groups").join(groups) if groups is not None else frame


def _load_models(settings: Settings, kind: str) -> CaseModels | None:
    """The trained models, read once per version of the file (loading takes seconds, and
    every page of the unit manager and the caseworker needs them)."""
    path = case_model_path(settings.data_dir, kind)
    if not path.exists():
        return None
    return case_models(kind).read(path)  # cached by path, modification time and size


def _upload_help(settings: Settings, language: str) -> dict[str, Any]:
    """The upload form's help, generated: per kind the columns the trained model reads
    (every declared column before one is trained), and a places example in the page's
    words for the interventions the model knows."""
    columns: dict[str, Any] = {}
    trained: list[str] = []
    known: list[str] = []
    for kind in KINDS:
        models = _load_models(settings, kind)
        columns[kind] = case_column_help(kind, models.features if models else None)
        if models is not None:
            trained.append(kind)
            known = known or list(models.effects)
    words = web.label_map("intervention", language)
    example = ", ".join(f"{words.get(code, code)}={n}" for code, n in
                        zip(known or list(EA_INTERVENTIONS), (40, 25, 10), strict=False))
    return {"case_columns": columns, "trained_kinds": trained, "places_example": example}


def _parse_places(text: str, known: list[str], words: Mapping[str, str]) -> dict[str, int]:
    """'Språkpraktik=25, studier=10' → {'sprakpraktik': 25, 'studier': 10}: an intervention
    by its name or by the words the page shows for it (``words``: code → label), case and
    accents ignored; Swedish errors."""
    by_word = {header_key(label): code for code, label in words.items()}
    places: dict[str, int] = {}
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        written, _, value = part.partition("=")
        name = intervention_code(written)
        name = name if name in known else by_word.get(header_key(written), name)
        if not value.strip().isdigit():
            raise ValueError("Platser: skriv INSATS=ANTAL, kommaseparerat "
                             f"(fick {part.strip()!r}).")
        if name not in known:
            raise ValueError(f"Okänd insats {written.strip()!r}. Modellen känner: "
                             + ", ".join(words.get(k, k) for k in known) + ".")
        places[name] = int(value)
    if not places:
        raise ValueError("Ange antal platser för minst en insats, t.ex. "
                         f"{words.get(known[0], known[0]) if known else 'Jobbtorg'}=20.")
    return places


def _fairness_panel(persons: pd.DataFrame, kind: str) -> list[dict[str, Any]]:
    """The plan's share of places per group for every audit column present."""
    panel = []
    for column in KINDS[kind]["audit"]:
        if column in persons.columns:
            table = group_shares(persons, column)
            lowest = float(table["kvot"].min()) if len(table) else 1.0
            panel.append({"column": column, "rows": table.to_dict("records"),
                          "lowest": lowest})
    return panel


def _fairness_sentences(models: Any, language: str, outcome: str) -> list[dict[str, str]]:
    """The audit's findings past the register's thresholds, each said in a sentence."""
    if models is None:
        return []
    thresholds = FeatureRegister.from_toml().thresholds
    return [web.fairness_sentence(f, language, outcome)
            for f in fairness_findings(models.audit.tables, thresholds)]


@router.get("", response_class=HTMLResponse)
def overview(request: Request, user: UnitManager, batch: int | None = None) -> Response:
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    current = _latest_batch(db, batch)
    if batch is not None and current is None:
        raise HTTPException(status_code=404)
    context: dict[str, Any] = {"batch": current, "kinds": list(KINDS),
                               "error": getattr(request.state, "cases_error", ""),
                               "plan_labels": PLAN_LABELS, "high_risk": HIGH_RISK}
    context.update(_upload_help(settings, web.request_language(request)))
    with db.session() as session:
        context["batches"] = list(session.execute(
            select(CaseBatch.id, CaseBatch.filename, CaseBatch.imported_at)
            .order_by(CaseBatch.id.desc()).limit(10)).all())
    if current is not None:
        persons = _persons_frame(db, current.id)
        models = _load_models(settings, current.kind)
        with db.session() as session:
            context["decisions"] = decision_summary(session, current.id)
        context.update({
            "charts": overview_charts(persons, current.capacity, current.compared,
                                      kind=current.kind,
                                      names=web.label_map("intervention",
                                                          web.request_language(request))),
            "need": need_table(persons, current.capacity).to_dict("records"),
            "count": len(persons), "high": int((persons["risk"] >= HIGH_RISK).sum()),
            "outcome": OUTCOME_LABELS.get(current.kind, ""),
            "panel": _fairness_panel(persons, current.kind),
            "audit": models.audit if models is not None else None,
            "fairness": _fairness_sentences(models, web.request_language(request),
                                            OUTCOME_LABELS.get(current.kind, "")),
        })
    return web.allow_chart_styles(web.render(request, "cases/overview.html", context))


@router.post("/import")
async def import_cases(request: Request, user: UnitManager,
                       file: Annotated[UploadFile, File()],
                       kind: Annotated[str, Form()] = "economic-assistance",
                       places: Annotated[str, Form()] = "",
                       fair_by: Annotated[str, Form()] = "") -> Response:
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    (content,) = await web.read_uploads([file])
    filename = Path(file.filename or "arenden.csv").name
    client = web.client_address(request)
    words = web.label_map("intervention", web.request_language(request))

    def check() -> None:
        if kind not in KINDS:
            raise ValueError(f"Okänd sorts data {kind!r}.")
        web.check_upload(content, empty="Välj en fil med ärenden.", filename=file.filename or "")

    def work(job: web.Job) -> str:  # in the job's thread: the event loop keeps serving
        job.update("started", 0)
        frame = read_case_table(Path(filename), content=content, kind=kind)  # bad file first
        job.update("validated", len(frame), len(frame))
        models = _load_models(settings, kind)
        if models is None:
            raise ValueError("Ingen tränad modell för den här sortens ärenden: kör "
                             f"`kraftsamling cases train --kind {kind}` först.")
        capacity = _parse_places(places, list(models.effects), words)
        if fair_by and fair_by not in KINDS[kind]["audit"]:
            raise ValueError(f"Okänd grupp för rättvisevillkoret: {fair_by!r}.")
        CaseService(settings, db).assess_and_store(
            frame, models, capacity, filename=filename, actor=user.username,
            fair_by=fair_by or None, client=client)
        job.update("stored", len(frame), len(frame))
        return "/cases"

    return await web.handle_upload(request, user, work, check=check,
                                   page=lambda: overview(request, user), filename=filename,
                                   back="/cases", result_label="Show the overview",
                                   error_state="cases_error")


@router.get("/persons", response_class=HTMLResponse)
def persons(request: Request, user: CaseStaff, q: str = "", page: int = 1) -> Response:
    """The latest batch by risk, or the one person whose case number was typed."""
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    current = _latest_batch(db)
    rows: list[Any] = []
    total = 0
    page = max(page, 1)
    if current is not None:
        with db.session() as session:
            query = select(CasePerson).where(CasePerson.batch_id == current.id)
            searched = ""
            if q.strip():
                searched = Pseudonymization.for_settings(settings).identifier(q, CASE_ID)
                query = query.where(CasePerson.pseudonym == searched)
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = list(session.scalars(query.options(selectinload(CasePerson.decisions))
                                        .order_by(CasePerson.risk.desc(), CasePerson.id)
                                        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
            session.expunge_all()
            record_event(session, actor=user.username, action="view_case_list",
                         object_type="case_batch", object_id=current.id,
                         detail={"page": page, "search": searched, "shown": len(rows)},
                         client=web.client_address(request))
    return web.render(request, "cases/persons.html", {
        "batch": current, "rows": rows, "q": q, "page": page, "total": total,
        "pages": max(1, -(-total // PAGE_SIZE))})


def _person(db: Database, person_id: int) -> CasePerson:
    with db.session() as session:
        person = web.row_or_404(session, CasePerson, person_id, CasePerson.decisions)
        session.expunge_all()
    return person


def _person_page(request: Request, user: User, person_id: int, *, error: str = "",
                 chosen: str = "", reason: str = "", status: int = 200) -> Response:
    """The person's page; after a refused decision the form keeps what was entered."""
    db: Database = request.app.state.db
    person = _person(db, person_id)
    batch = _latest_batch(db, person.batch_id)
    with db.session() as session:
        record_event(session, actor=user.username, action="view_case_person",
                     object_type="case_person", object_id=person_id,
                     client=web.client_address(request))
    return web.render(request, "cases/person.html", {
        "person": person, "batch": batch, "error": error, "high_risk": HIGH_RISK,
        "outcome": OUTCOME_LABELS.get(batch.kind if batch else "", ""),
        "may_decide": user.role is Role.caseworker, "chosen": chosen or person.planned,
        "reason": reason}, status=status)


@router.get("/persons/{person_id}", response_class=HTMLResponse)
def person_page(request: Request, person_id: int, user: CaseStaff) -> Response:
    return _person_page(request, user, person_id)


@router.post("/persons/{person_id}/decision")
def decide(request: Request, person_id: int, user: Caseworker,
           decision: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "") -> Response:
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    # The reason is free text a caseworker writes: names and numbers go before it is stored.
    privacy = Pseudonymization.for_settings(settings)
    try:
        with db.session() as session:
            person = session.get(CasePerson, person_id)
            if person is None:
                raise HTTPException(status_code=404)
            row = record_decision(session, person, decided_by=user.username,
                                  decision=decision.strip(),
                                  reason=privacy.text(reason) if reason.strip() else "")
            record_event(session, actor=user.username, action="case_decision",
                         object_type="case_person", object_id=person_id,
                         detail={"decision": row.decision, "recommended": row.recommended,
                                 "followed": row.followed}, client=web.client_address(request))
    except ValueError as error:
        return _person_page(request, user, person_id, error=str(error), chosen=decision,
                            reason=reason, status=422)
    return RedirectResponse(f"/cases/persons/{person_id}?saved=1", status_code=303)


@router.get("/card", response_class=HTMLResponse)
def card(request: Request, user: CaseStaff, kind: str = "economic-assistance") -> Response:
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    if kind not in KINDS:
        raise HTTPException(status_code=404)
    models = _load_models(settings, kind)
    language = web.request_language(request)
    if models is None:  # the shipped figures, without this installation's own
        return web.render(request, "cases/card.html", {
            "kind": kind, "no_model": True,
            **card_context("cases", language, web.translator(language))})
    with db.session() as session:
        summary = decision_summary(session)
    return web.render(request, "cases/card.html", {
        "kind": kind, **model_card_context(models, language, web.translator(language),
                                           overrides=summary)})
