"""Autolarm in the web app: the anonymous survey, the review queue, labelling, the API."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kraftsamling.autolarm import (
    AutolarmService,
    Category,
    Detector,
    Level,
    load_actions,
)
from kraftsamling.autolarm._review import (
    ReviewError,
    labelling_queue,
    review_queue,
    sla_deadline,
)
from kraftsamling.autolarm._store import AnswerReview, Survey, SurveyLink, SurveyResponse
from kraftsamling.settings import Settings
from kraftsamling.store import AuditEvent, Database, Role, User, record_event
from kraftsamling.web import framework as web

router = APIRouter(dependencies=[Depends(web.csrf_protect)])
api_router = APIRouter(prefix="/api/autolarm")
Reviewer = Annotated[User, Depends(web.require_roles(Role.reviewer))]
Admin = Annotated[User, Depends(web.require_roles(Role.admin))]
MAX_ANSWER_CHARS = 5000
MAX_API_TEXTS = 100
# The embedding of a 5,000-character answer takes seconds: a call is bounded by its total
# length too, so the largest call takes seconds, not minutes (split larger work into calls).
MAX_API_CHARS = 20_000
_lock = threading.Lock()


def _service(request: Request) -> AutolarmService:
    return AutolarmService(request.app.state.settings, request.app.state.db)


def detector_for(request: Request) -> Detector:
    """Loaded once per app (training the seed model on first use if no cache exists)."""
    with _lock:
        detector: Detector | None = getattr(request.app.state, "detector", None)
        if detector is None:
            detector = _service(request).detector()
            request.app.state.detector = detector
    return detector


def _deliver(request: Request) -> None:
    _service(request).deliver()


# -- the survey (anonymous) -------------------------------------------------------------------


def _link_or_404(db: Database, token: str) -> tuple[SurveyLink, Survey]:
    with db.session() as session:
        link = session.scalar(select(SurveyLink).where(SurveyLink.token == token))
        if link is None:
            raise HTTPException(status_code=404)
        if not link.active or not link.survey.active:
            raise HTTPException(status_code=410, detail="closed")
        survey = link.survey
        session.expunge_all()
    return link, survey


@router.get("/s/{token}", response_class=HTMLResponse)
def survey_form(request: Request, token: str) -> Response:
    link, survey = _link_or_404(request.app.state.db, token)
    return web.render(request, "autolarm/survey.html", {"survey": survey, "link": link,
                                                    "answers": {}})


@router.post("/s/{token}")
async def survey_submit(request: Request, token: str, background: BackgroundTasks) -> Response:
    db: Database = request.app.state.db
    # nothing that touches the database runs in the event loop: a long import holds the
    # write lock, and a wait for it there would stop every other request
    link, survey = await run_in_threadpool(_link_or_404, db, token)
    form = await request.form()
    answers = {str(q["id"]): str(form.get(f"q{q['id']}", "")) for q in survey.questions}
    too_long = [q["text"] for q in survey.questions
                if len(answers[str(q["id"])]) > MAX_ANSWER_CHARS]
    if not any(v.strip() for v in answers.values()) or too_long:
        error = (f"Svaret på \"{too_long[0]}\" är för långt (högst {MAX_ANSWER_CHARS} tecken)."
                 if too_long else "Svara på minst en fråga innan du skickar.")
        return await web.render_in_thread(
            request, "autolarm/survey.html",
            {"survey": survey, "link": link, "answers": answers, "error": error}, status=422)
    if not await run_in_threadpool(_within_survey_limits, request, link):
        error = ("Många svar har skickats härifrån på kort tid. Vänta några minuter och skicka "
                 "igen; dina svar finns kvar i formuläret.")
        return await web.render_in_thread(
            request, "autolarm/survey.html",
            {"survey": survey, "link": link, "answers": answers, "error": error}, status=429)

    def work() -> bool:  # in a worker thread: scoring long answers never stalls the server
        return _service(request).submit(link.id, answers, detector=detector_for(request))

    urgent = await run_in_threadpool(work)
    if urgent:
        background.add_task(_deliver, request)
    return RedirectResponse(f"/s/{token}/tack", status_code=303)


def _within_survey_limits(request: Request, link: SurveyLink) -> bool:
    """At most survey_client_posts answers per address and survey_link_posts per link, per
    survey_window_minutes; a refused answer is audited (without its text) and not stored."""
    by_client: web.Limiter = request.app.state.survey_client_limiter
    by_link: web.Limiter = request.app.state.survey_link_limiter
    client = web.client_address(request)
    if by_client.take(client):
        if by_link.take(str(link.id)):
            return True
        by_client.give_back(client)
        limit = "link"
    else:
        limit = "client"
    with request.app.state.db.session() as session:
        record_event(session, actor="anonymous", action="survey_throttled",
                     object_type="survey_link", object_id=link.id, detail={"limit": limit})
        # no address in the log: the survey is anonymous (the limiter keeps only a keyed hash
        # of it, deleted once its bucket has refilled)
    return False


@router.get("/s/{token}/tack", response_class=HTMLResponse)
def survey_thanks(request: Request, token: str) -> Response:
    _link, survey = _link_or_404(request.app.state.db, token)
    return web.render(request, "autolarm/thanks.html", {"survey": survey})


# -- the review queue (reviewers) --------------------------------------------------------------


def _sla_view(answer: AnswerReview, settings: Settings, now: datetime) -> dict[str, Any]:
    deadline = sla_deadline(answer, settings)
    if deadline is None or answer.acknowledged_at is not None:
        return {"state": "done", "minutes": 0}
    if deadline.tzinfo is None:
        deadline = deadline.replace(tzinfo=UTC)
    minutes = int((deadline - now).total_seconds() // 60)
    return {"state": "overdue" if minutes < 0 else "due", "minutes": abs(minutes)}


def _labels() -> dict[str, Any]:
    """Level and category labels come with every page (translated, see ``web.render``)."""
    return {}


PREVIEW_CHARS = 90


def _preview(answer: AnswerReview) -> str:
    """A short piece of the (pseudonymised) answer around its first evidence."""
    text = " ".join(answer.text.split())
    if len(text) <= PREVIEW_CHARS:
        return text
    starts = sorted(e["start"] for e in answer.evidence)
    start = max(0, (starts[0] if starts else 0) - 25)
    piece = text[start:start + PREVIEW_CHARS]
    return ("…" if start else "") + piece + ("…" if start + PREVIEW_CHARS < len(text) else "")


def _queue_context(session: Session, settings: Settings, show: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    answers = review_queue(session, include_resolved=show == "all")
    rows = [{"answer": a, "sla": _sla_view(a, settings, now), "preview": _preview(a)}
            for a in answers]
    newest = max((a.id for a in answers), default=0)
    return {"rows": rows, "show": show, "newest": newest,
            "poll_seconds": QUEUE_POLL_SECONDS, **_labels()}


QUEUE_POLL_SECONDS = 3


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, user: Reviewer, show: str = "open") -> Response:
    db: Database = request.app.state.db
    with db.session() as session:
        context = _queue_context(session, request.app.state.settings, show)
        session.expunge_all()
        record_event(session, actor=user.username, action="view_review_queue",
                     object_type="autolarm", detail={"shown": len(context["rows"])},
                     client=web.client_address(request))
    template = ("autolarm/_queue_rows.html" if request.headers.get("hx-request")
                else "autolarm/queue.html")
    return web.render(request, template, context)


@router.get("/review/rows", response_class=HTMLResponse)
def review_rows(request: Request, user: Reviewer, show: str = "open", seen: int = 0
                ) -> Response:
    """The queue's rows, polled every few seconds by the open queue page (htmx). The view is
    audited when it shows an alert the page had not shown before, not on every poll."""
    db: Database = request.app.state.db
    with db.session() as session:
        context = _queue_context(session, request.app.state.settings, show)
        session.expunge_all()
        if context["newest"] > seen:
            record_event(session, actor=user.username, action="view_review_queue",
                         object_type="autolarm", detail={"shown": len(context["rows"])},
                         client=web.client_address(request))
    return web.render(request, "autolarm/_queue_rows.html", context)


HISTORY_ACTIONS = ("alert_acknowledged", "alert_escalated", "alert_resolved", "alert_labelled")


def _history(session: Session, answer_id: int) -> list[AuditEvent]:
    """Who acknowledged, escalated, resolved or relabelled the alert, and when."""
    return list(session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "autolarm_answer",
                                 AuditEvent.object_id == str(answer_id),
                                 AuditEvent.action.in_(HISTORY_ACTIONS))
        .order_by(AuditEvent.id)))


def _answer_or_404(session: Session, answer_id: int) -> AnswerReview:
    answer = session.get(AnswerReview, answer_id)
    if answer is None:
        raise HTTPException(status_code=404)
    return answer


def _highlighted(answer: AnswerReview) -> list[tuple[str, bool]]:
    """The answer's text cut into plain and evidence parts, for <mark>."""
    spans = sorted({(e["start"], e["end"]) for e in answer.evidence})
    parts: list[tuple[str, bool]] = []
    position = 0
    for start, end in spans:
        if start < position:
            start = position
        if start >= end:
            continue
        parts.append((answer.text[position:start], False))
        parts.append((answer.text[start:end], True))
        position = end
    parts.append((answer.text[position:], False))
    return [p for p in parts if p[0]]


@router.get("/review/{answer_id}", response_class=HTMLResponse)
def review_item(request: Request, answer_id: int, user: Reviewer) -> Response:
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    with db.session() as session:
        answer = _answer_or_404(session, answer_id)
        link = None
        if answer.response_id is not None:
            response = session.get(SurveyResponse, answer.response_id)
            link = response.link if response is not None else None
        history = _history(session, answer_id)
        names = {u: d for u, d in session.execute(select(User.username, User.display_name))}
        session.expunge_all()
        record_event(session, actor=user.username, action="view_alert",
                     object_type="autolarm_answer", object_id=answer_id,
                     client=web.client_address(request))
    guide = load_actions(settings.autolarm_actions)
    escalated = next((e for e in reversed(history) if e.action == "alert_escalated"), None)
    return web.render(request, "autolarm/item.html", {
        "answer": answer, "parts": _highlighted(answer), "link": link,
        "history": history, "names": names, "escalated": escalated,
        "guides": guide.for_categories(answer.categories), "guide": guide,
        "report_duty": guide.report_required(answer.categories),
        "sla": _sla_view(answer, settings, datetime.now(UTC)),
        "levels": [lv.value for lv in Level], "categories": [c.value for c in Category],
        "error": getattr(request.state, "review_error", ""), **_labels()})


@router.post("/review/{answer_id}/{action}")
async def review_action(request: Request, answer_id: int, action: str, user: Reviewer
                        ) -> Response:
    form = await request.form()
    note = str(form.get("note", ""))

    def work() -> None:  # in a worker thread: the database never waits in the event loop
        try:
            _service(request).review(answer_id, action, actor=user.username, note=note,
                                     level=str(form.get("level", "")),
                                     categories=[str(c) for c in form.getlist("categories")])
        except LookupError:
            raise HTTPException(status_code=404) from None

    try:
        await run_in_threadpool(work)
    except ReviewError as error:
        request.state.review_error = str(error)
        page = await run_in_threadpool(review_item, request, answer_id, user)
        page.status_code = 422
        return page
    back = form.get("next")
    target = back if isinstance(back, str) and back.startswith("/review") else \
        f"/review/{answer_id}"
    return RedirectResponse(target, status_code=303)


@router.get("/review-labels", response_class=HTMLResponse)
def label_page(request: Request, user: Reviewer) -> Response:
    db: Database = request.app.state.db
    with db.session() as session:
        answers = labelling_queue(session)
        labelled = session.scalar(select(func.count()).select_from(AnswerReview)
                                  .where(AnswerReview.label_level.is_not(None))) or 0
        session.expunge_all()
        record_event(session, actor=user.username, action="view_label_queue",
                     object_type="autolarm", detail={"shown": len(answers)},
                     client=web.client_address(request))
    return web.render(request, "autolarm/labels.html", {
        "answers": answers, "labelled": labelled, "levels": [lv.value for lv in Level],
        "categories": [c.value for c in Category], **_labels()})


# -- surveys (admins) -------------------------------------------------------------------------


@router.get("/admin/surveys", response_class=HTMLResponse)
def surveys_page(request: Request, admin: Admin, error: str = "") -> Response:
    db: Database = request.app.state.db
    with db.session() as session:
        surveys = session.scalars(select(Survey).order_by(Survey.id.desc())).all()
        data = [{"survey": s, "links": list(s.links)} for s in surveys]
        session.expunge_all()
    return web.render(request, "autolarm/surveys.html", {
        "surveys": data, "public_url": request.app.state.settings.public_url.rstrip("/"),
        "error": error}, status=422 if error else 200)


@router.post("/admin/surveys")
def create_survey(request: Request, admin: Admin, name: Annotated[str, Form()] = "",
                  questions: Annotated[str, Form()] = "") -> Response:
    lines = [line.strip() for line in questions.splitlines() if line.strip()]
    if not name.strip() or not lines:
        return surveys_page(request, admin, error="Ge enkäten ett namn och minst en fråga.")
    db: Database = request.app.state.db
    with db.session() as session:
        survey = Survey(name=name.strip()[:200], created_by=admin.username,
                        questions=[{"id": i + 1, "text": text[:500], "kind": "text"}
                                   for i, text in enumerate(lines)])
        session.add(survey)
        session.flush()
        record_event(session, actor=admin.username, action="survey_created",
                     object_type="survey", object_id=survey.id,
                     detail={"questions": len(lines)})
    return RedirectResponse("/admin/surveys", status_code=303)


@router.post("/admin/surveys/links/{link_id}/close")
def close_link(request: Request, link_id: int, admin: Admin) -> Response:
    return _set_link(request, link_id, admin, open=False)


@router.post("/admin/surveys/links/{link_id}/open")
def open_link(request: Request, link_id: int, admin: Admin) -> Response:
    return _set_link(request, link_id, admin, open=True)


def _set_link(request: Request, link_id: int, admin: User, *, open: bool) -> Response:
    try:
        _service(request).set_link_open(str(link_id), open=open, actor=admin.username)
    except LookupError:
        raise HTTPException(status_code=404) from None
    return RedirectResponse("/admin/surveys", status_code=303)


@router.post("/admin/surveys/{survey_id}/links")
def create_link(request: Request, survey_id: int, admin: Admin,
                school: Annotated[str, Form()] = "",
                class_name: Annotated[str, Form()] = "") -> Response:
    if not school.strip() or not class_name.strip():
        return surveys_page(request, admin, error="Ange både skola och klass för länken.")
    try:
        _service(request).create_link(survey_id, school=school, class_name=class_name,
                                      actor=admin.username)
    except LookupError:
        raise HTTPException(status_code=404) from None
    return RedirectResponse("/admin/surveys", status_code=303)


# -- the JSON API (organisation tokens) -------------------------------------------------------


class ScoreRequest(BaseModel):
    text: str | None = Field(default=None, max_length=MAX_ANSWER_CHARS)
    texts: list[str] | None = Field(default=None, max_length=MAX_API_TEXTS)

    @model_validator(mode="after")
    def one_of(self) -> ScoreRequest:
        if (self.text is None) == (self.texts is None):
            raise ValueError("Ange antingen 'text' eller 'texts'.")
        if self.texts is not None and any(len(t) > MAX_ANSWER_CHARS for t in self.texts):
            raise ValueError(f"Ett svar får vara högst {MAX_ANSWER_CHARS} tecken.")
        if self.texts is not None and sum(len(t) for t in self.texts) > MAX_API_CHARS:
            raise ValueError(f"Högst {MAX_API_CHARS:,} tecken per anrop sammanlagt; dela upp "
                             "svaren på flera anrop.".replace(",", "\u00a0"))
        return self


def api_organisation(request: Request) -> str:
    """The caller's organisation; the same check already ran, before the body was read, in
    the app's request-limits middleware."""
    organisation = web.api_token_organisation(request.app.state.settings,
                                          request.headers.get("authorization", ""))
    if organisation is None:
        raise HTTPException(status_code=401, detail="Ogiltig eller saknad API-nyckel.")
    return organisation


@api_router.post("/score")
def api_score(request: Request, body: ScoreRequest,
              organisation: Annotated[str, Depends(api_organisation)]) -> JSONResponse:
    texts = [body.text] if body.text is not None else list(body.texts or [])
    scored = _service(request).assess(texts, detector=detector_for(request))
    with request.app.state.db.session() as session:
        record_event(session, actor=f"api:{organisation}", action="api_score",
                     object_type="autolarm", detail={"answers": len(texts)},
                     client=web.client_address(request))
    results = [assessment.as_dict(text) for text, assessment in scored]
    return JSONResponse(results[0] if body.text is not None else {"results": results})
