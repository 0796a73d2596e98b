"""Chat insights in the web app: coordinators' dashboard, conversations, load and report.

Coordinators only: the dashboard shows aggregates, a conversation's pseudonymised messages
are shown one at a time and every view is audited, as is every report download.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Depends, File, HTTPException, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kraftsamling.chat import (
    CHAT_SCHEMA,
    SURVEY_SCHEMA,
    DemandModel,
    load_chat_model,
    read_survey,
    volunteer_load,
)
from kraftsamling.chat._report import charts, endings_panel, render_report
from kraftsamling.chat._service import analyze_with_settings, read_conversations
from kraftsamling.chat._store import ChatBatch, ChatConversation, save_analysis
from kraftsamling.settings import Settings
from kraftsamling.store import Database, Role, User, record_event
from kraftsamling.web import framework as web

router = APIRouter(prefix="/chat", dependencies=[Depends(web.csrf_protect)])
Coordinator = Annotated[User, Depends(web.require_roles(Role.coordinator))]
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
_FIELDS = ("conversation_id", "language", "topics", "mood_before", "mood_after", "mood_change",
           "mood_change_beyond_expected", "experience", "ending", "ending_evidence",
           "demand_score", "demanding", "risk_flags", "n_messages", "duration_min",
           "volunteer_id", "started_at")


def _frame(db: Database) -> tuple[pd.DataFrame, list[ChatBatch]]:
    with db.session() as session:
        rows = session.scalars(select(ChatConversation).order_by(ChatConversation.id)).all()
        batches = list(session.scalars(select(ChatBatch).order_by(ChatBatch.id.desc())).all())
        records = [{**{f: getattr(r, f) for f in _FIELDS if f != "conversation_id"},
                    "conversation_id": r.external_id, "id": r.id} for r in rows]
        session.expunge_all()
    return pd.DataFrame(records, columns=[*_FIELDS, "id"]), batches


def _load(frame: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    return volunteer_load(frame, demand=DemandModel.from_toml(settings.chat_demand))


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, user: Coordinator) -> Response:
    db: Database = request.app.state.db
    frame, batches = _frame(db)
    load = _load(frame, request.app.state.settings)
    demanding = frame.sort_values("demand_score", ascending=False).head(15)
    # The table lists single conversations (risk markers included): audit which ones.
    with db.session() as session:
        record_event(session, actor=user.username, action="view_chat_dashboard",
                     object_type="chat", detail={
                         "conversations": len(frame),
                         "rows_shown": [int(i) for i in demanding["id"]]},
                     client=web.client_address(request))
    return web.allow_chart_styles(web.render(request, "chat/dashboard.html", {
        "frame": frame, "batches": batches, "charts": charts(frame, load),
        "demanding": demanding.to_dict("records"),
        "count": len(frame), "demanding_count": int(frame["demanding"].sum()) if len(frame) else 0,
        "error": getattr(request.state, "chat_error", ""),
        "chat_columns": CHAT_SCHEMA.help(), "survey_columns": SURVEY_SCHEMA.help()}))


@router.get("/endings", response_class=HTMLResponse)
def endings(request: Request, user: Coordinator, week: str | None = None) -> Response:
    """Chats that ended badly in a week, by topic and hour, and each volunteer's share."""
    db: Database = request.app.state.db
    frame, _ = _frame(db)
    panel = endings_panel(frame, week=week) if len(frame) else None
    with db.session() as session:
        record_event(session, actor=user.username, action="view_chat_endings",
                     object_type="chat", detail={"week": panel.week if panel else None,
                                                 "conversations": panel.badly if panel else 0},
                     client=web.client_address(request))
    return web.allow_chart_styles(web.render(request, "chat/endings.html", {"panel": panel}))


@router.get("/volunteers", response_class=HTMLResponse)
def volunteers(request: Request, user: Coordinator) -> Response:
    db: Database = request.app.state.db
    frame, _ = _frame(db)
    load = _load(frame, request.app.state.settings)
    with db.session() as session:
        record_event(session, actor=user.username, action="view_volunteer_load",
                     object_type="chat", client=web.client_address(request))
    return web.render(request, "chat/volunteers.html", {"load": load.to_dict("records")})


@router.get("/conversations/{row_id}", response_class=HTMLResponse)
def conversation(request: Request, row_id: int, user: Coordinator) -> Response:
    db: Database = request.app.state.db
    with db.session() as session:
        row = session.scalar(select(ChatConversation).where(ChatConversation.id == row_id)
                             .options(selectinload(ChatConversation.messages)))
        if row is None:
            raise HTTPException(status_code=404)
        session.expunge_all()
        record_event(session, actor=user.username, action="view_chat_conversation",
                     object_type="chat_conversation", object_id=row_id,
                     client=web.client_address(request))
    return web.render(request, "chat/conversation.html", {"row": row})


@router.get("/report.html")
def report(request: Request, user: Coordinator) -> Response:
    db: Database = request.app.state.db
    frame, batches = _frame(db)
    if frame.empty:
        raise HTTPException(status_code=404)
    notes = (["Minst en import analyserades med demomodellen (tränad på syntetiska chattar)."]
             if any(b.demo_model for b in batches) else [])
    html = render_report(frame, _load(frame, request.app.state.settings),
                         title="Chattrapport", generated_at=datetime.now(UTC), notes=notes)
    with db.session() as session:
        record_event(session, actor=user.username, action="download_chat_report",
                     object_type="chat", detail={"conversations": len(frame)},
                     client=web.client_address(request))
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return Response(html, media_type="text/html; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="chattrapport-{stamp}.html"'})


@router.post("/import")
async def import_chats(request: Request, user: Coordinator,
                       file: Annotated[UploadFile, File()],
                       survey: Annotated[UploadFile | None, File()] = None) -> Response:
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    answers = await survey.read(MAX_UPLOAD_BYTES + 1) if survey is not None else b""
    filename = Path(file.filename or "chattar.csv").name
    try:
        if len(content) > MAX_UPLOAD_BYTES or len(answers) > MAX_UPLOAD_BYTES:
            raise ValueError(f"Filen är större än {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
        if not content:
            raise ValueError("Välj en fil med chattar.")
    except ValueError as error:
        request.state.chat_error = str(error).strip("'\"")
        response = dashboard(request, user)
        response.status_code = 422
        return response
    survey_name = Path(survey.filename or "enkat.csv").name if survey is not None else ""
    client = web.client_address(request)

    def work(job: web.Job) -> str:
        # In the job's thread, from memory: the event loop keeps serving, and no raw
        # upload is ever written to a temporary file that a crash could leave behind.
        job.update("started", 0)
        survey_answers = (read_survey(survey_name, content=answers)  # before the long work
                          if answers else None)
        conversations = read_conversations(filename, settings, content=content)
        job.update("read", len(conversations))
        model, demo = load_chat_model(settings)
        analysis = analyze_with_settings(conversations, settings, model=model,
                                         survey_answers=survey_answers)
        job.update("analysed", len(conversations), len(conversations))
        with db.session() as session:
            save_analysis(session, analysis, conversations, filename=filename,
                          imported_by=user.username, demo_model=demo, client=client)
        job.update("stored", len(conversations), len(conversations))
        return "/chat"

    job = web.start_job(request, user, filename=filename, back="/chat",
                        result_label="Show the dashboard", work=work)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)

