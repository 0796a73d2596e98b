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
from fastapi.responses import HTMLResponse

from kraftsamling.chat import CHAT_SCHEMA, SURVEY_SCHEMA, ChatService, read_survey
from kraftsamling.chat._report import dashboard_charts, endings_panel, render_report
from kraftsamling.chat._store import ChatBatch, ChatConversation
from kraftsamling.store import Database, Role, User, record_event
from kraftsamling.web import framework as web

router = APIRouter(prefix="/chat", dependencies=[Depends(web.csrf_protect)])
Coordinator = Annotated[User, Depends(web.require_roles(Role.coordinator))]


def _service(request: Request) -> ChatService:
    return ChatService(request.app.state.settings, request.app.state.db)


def _stored(request: Request) -> tuple[pd.DataFrame, list[ChatBatch], pd.DataFrame]:
    """Every stored conversation, the batches and the volunteers' load."""
    service = _service(request)
    frame, batches = service.stored()
    return frame, batches, service.volunteer_load(frame)


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, user: Coordinator) -> Response:
    db: Database = request.app.state.db
    frame, batches, load = _stored(request)
    demanding = frame.sort_values("demand_score", ascending=False).head(15)
    # The table lists single conversations (risk markers included): audit which ones.
    with db.session() as session:
        record_event(session, actor=user.username, action="view_chat_dashboard",
                     object_type="chat", detail={
                         "conversations": len(frame),
                         "rows_shown": [int(i) for i in demanding["id"]]},
                     client=web.client_address(request))
    return web.allow_chart_styles(web.render(request, "chat/dashboard.html", {
        "frame": frame, "batches": batches, "charts": dashboard_charts(frame, load),
        "demanding": demanding.to_dict("records"),
        "count": len(frame), "demanding_count": int(frame["demanding"].sum()) if len(frame) else 0,
        "error": getattr(request.state, "chat_error", ""),
        "chat_columns": CHAT_SCHEMA.help(), "survey_columns": SURVEY_SCHEMA.help()}))


@router.get("/endings", response_class=HTMLResponse)
def endings(request: Request, user: Coordinator, week: str | None = None) -> Response:
    """Chats that ended badly in a week, by topic and hour, and each volunteer's share."""
    db: Database = request.app.state.db
    frame, _ = _service(request).stored()
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
    _, _, load = _stored(request)
    with db.session() as session:
        record_event(session, actor=user.username, action="view_volunteer_load",
                     object_type="chat", client=web.client_address(request))
    return web.render(request, "chat/volunteers.html", {"load": load.to_dict("records")})


@router.get("/conversations/{row_id}", response_class=HTMLResponse)
def conversation(request: Request, row_id: int, user: Coordinator) -> Response:
    db: Database = request.app.state.db
    with db.session() as session:
        row = web.row_or_404(session, ChatConversation, row_id, ChatConversation.messages)
        session.expunge_all()
        record_event(session, actor=user.username, action="view_chat_conversation",
                     object_type="chat_conversation", object_id=row_id,
                     client=web.client_address(request))
    return web.render(request, "chat/conversation.html", {"row": row})


@router.get("/report.html")
def report(request: Request, user: Coordinator) -> Response:
    db: Database = request.app.state.db
    service = _service(request)
    frame, batches = service.stored()
    if frame.empty:
        raise HTTPException(status_code=404)
    notes = (["Minst en import analyserades med demomodellen (tränad på syntetiska chattar)."]
             if any(b.demo_model for b in batches) else [])
    html = render_report(frame, service.volunteer_load(frame),
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
    service = _service(request)
    content, answers = await web.read_uploads([file, survey])
    filename = Path(file.filename or "chattar.csv").name
    survey_name = Path(survey.filename or "enkat.csv").name if survey is not None else ""
    client = web.client_address(request)

    def check() -> None:
        web.check_upload(content, also=[answers], empty="Välj en fil med chattar.",
                         filename=file.filename or "")

    def work(job: web.Job) -> str:
        # In the job's thread, from memory: the event loop keeps serving, and no raw
        # upload is ever written to a temporary file that a crash could leave behind.
        job.update("started", 0)
        survey_answers = (read_survey(survey_name, content=answers)  # before the long work
                          if answers else None)
        run = service.analyse(Path(filename), content=content, survey_answers=survey_answers,
                              progress=lambda done, total: job.update("analysed", done, total))
        service.store(run, filename=filename, actor=user.username, client=client)
        job.update("stored", len(run.conversations), len(run.conversations))
        return "/chat"

    return await web.handle_upload(request, user, work, check=check,
                                   page=lambda: dashboard(request, user), filename=filename,
                                   back="/chat", result_label="Show the dashboard",
                                   error_state="chat_error")

