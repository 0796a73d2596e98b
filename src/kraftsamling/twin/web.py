"""The class twin in the web app, for school staff (the reviewer role) only.

Staff upload a school's survey waves; each class gets its network drawn with a table beside
it, the risk list with reasons and the interventions compared. Every view is audited; a
pupil is found by typing the school's own id, which is hashed and compared, never stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, Request, Response, UploadFile
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kraftsamling.privacy import Pseudonymization
from kraftsamling.settings import Settings
from kraftsamling.store import Database, Role, User, record_event
from kraftsamling.twin import PUPIL_ID, TwinService
from kraftsamling.twin._report import FIT_TITLES, fit_charts, intervention_chart, network_chart
from kraftsamling.twin._store import TwinClass, TwinImport
from kraftsamling.twin._survey import column_help
from kraftsamling.web import framework as web

router = APIRouter(prefix="/twin", dependencies=[Depends(web.csrf_protect)])
SchoolStaff = Annotated[User, Depends(web.require_roles(Role.reviewer))]
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
WEB_RUNS = 200


@router.get("", response_class=HTMLResponse)
def overview(request: Request, user: SchoolStaff) -> Response:
    db: Database = request.app.state.db
    with db.session() as session:
        imports = list(session.scalars(select(TwinImport).options(
            selectinload(TwinImport.classes)).order_by(TwinImport.id.desc()).limit(10)))
        session.expunge_all()
    return web.render(request, "twin/overview.html", {
        "imports": imports, "columns": column_help(),
        "errors": getattr(request.state, "twin_errors", []),
        "error_title": getattr(request.state, "twin_error_title", "")})


@router.post("/import")
async def import_waves(request: Request, user: SchoolStaff,
                       files: Annotated[list[UploadFile], File()]) -> Response:
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    names = [Path(f.filename or f"matning{i + 1}.csv").name for i, f in enumerate(files)]
    contents = await web.read_uploads(files, limit=MAX_UPLOAD_BYTES)
    client = web.client_address(request)

    def check() -> None:  # the largest file: empty only when all are, too large when any is
        web.check_upload(max(contents, key=len, default=b""), limit=MAX_UPLOAD_BYTES,
                         empty="Välj minst en fil med en mätning.", subject="En fil")

    def work(job: web.Job) -> str:  # in the job's thread: the event loop keeps serving
        job.update("started", 0)
        TwinService(settings, db).import_waves(names, contents, actor=user.username,
                                               runs=WEB_RUNS, client=client)
        return "/twin"

    return await web.handle_upload(request, user, work, check=check,
                                   page=lambda: overview(request, user),
                                   filename=", ".join(names)[:200], back="/twin",
                                   result_label="Show the overview",
                                   error_state="twin_error_title")


GAP = 0.2  # risks this far apart get a sentence saying why


def why_they_differ(node: dict[str, Any], language: str) -> str:
    """One sentence when the model's risk and the simulated one are far apart."""
    risk, simulated = node.get("risk"), node.get("simulated_risk")
    if risk is None or simulated is None or simulated != simulated:  # NaN: not simulated
        return ""
    if abs(risk - simulated) < GAP:
        return ""
    _ = web.translator(language)
    values = {"sim": web.percent(simulated, language), "risk": web.percent(risk, language)}
    if simulated > risk:
        return _("The simulated terms give a clearly higher risk (%(sim)s) than the model "
                 "(%(risk)s): as friendships and meanness change over a simulated term, this "
                 "pupil is often left exposed. Do not rely on the model's risk alone.", **values)
    return _("The simulated terms give a clearly lower risk (%(sim)s) than the model "
             "(%(risk)s): in them the class around this pupil often changes for the better. "
             "The model's risk comes from what the last survey showed and is the one to act "
             "on.", **values)


@router.get("/classes/{class_id}", response_class=HTMLResponse)
def class_page(request: Request, class_id: int, user: SchoolStaff, pupil: str = "") -> Response:
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    with db.session() as session:
        row = session.get(TwinClass, class_id)
        if row is None:
            raise HTTPException(status_code=404)
        session.expunge_all()
        found = ""
        if pupil.strip():  # the pseudonym searched for, never what was typed
            found = Pseudonymization.for_settings(settings).identifier(pupil, PUPIL_ID)
        record_event(session, actor=user.username, action="view_twin_class",
                     object_type="twin_class", object_id=class_id,
                     detail={"search": found}, client=web.client_address(request))
    nodes: list[dict[str, Any]] = sorted(
        row.nodes, key=lambda n: -(n["risk"] if n["risk"] is not None else n["simulated_risk"]))
    fit = (row.details or {}).get("fit")
    language = web.request_language(request)
    translate = web.translator(language)
    nodes = [{**n, "differs": why_they_differ(n, language)} for n in nodes]
    return web.allow_chart_styles(web.render(request, "twin/class.html", {
        "row": row, "nodes": nodes, "pupil": pupil, "found": found,
        "found_any": any(n["id"] == found for n in nodes), "fit": fit,
        "fit_charts": fit_charts(fit, translate, web.request_language(request)) if fit else [],
        "fit_labels": {k: translate(v) for k, v in FIT_TITLES.items()},
        "charts": [network_chart(row.nodes, row.edges, web.request_language(request)),
                   intervention_chart(row.summary, web.request_language(request))]}))
