"""Administration: users and roles, and the audit log (filter, read, export)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kraftsamling.privacy import resolve_pseudonym
from kraftsamling.settings import pseudonym_key
from kraftsamling.store import (
    AuditEvent,
    AuditFilter,
    Database,
    ImportedTable,
    Role,
    User,
    UserError,
    WebSession,
    activate_user,
    audit_csv,
    change_role,
    create_user,
    deactivate_user,
    query_audit,
    record_event,
    revoke_sessions,
    set_password,
    unlock_user,
)
from kraftsamling.web._app import attachment, render
from kraftsamling.web._security import client_address, csrf_protect, require_roles

router = APIRouter(prefix="/admin", dependencies=[Depends(csrf_protect)])
Admin = Annotated[User, Depends(require_roles(Role.admin))]
FormText = Annotated[str, Form()]  # a text field of a form; empty when left out


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filter_from(request: Request, *, limit: int | None) -> tuple[AuditFilter, dict[str, str]]:
    query = request.query_params
    raw = {key: query.get(key, "").strip() for key in ("actor", "action", "since", "until")}
    since, until = _parse_day(raw["since"]), _parse_day(raw["until"])
    where = AuditFilter(
        actor=raw["actor"],
        action=raw["action"],
        since=datetime.combine(since, datetime.min.time(), UTC) if since else None,
        until=datetime.combine(until, datetime.min.time(), UTC) + timedelta(days=1)
        if until else None,
        limit=limit,
    )
    return where, raw


def _users_page(request: Request, *, error: str = "", status: int = 200) -> Response:
    db: Database = request.app.state.db
    with db.session() as session:
        users = session.scalars(select(User).order_by(User.username)).all()
        sessions = dict(session.execute(
            select(WebSession.user_id, func.count()).group_by(WebSession.user_id)).all())
        session.expunge_all()
    now = datetime.now(UTC)
    locked = {
        u.id for u in users
        if u.locked_until is not None and u.locked_until > now
    }
    return render(request, "admin/users.html",
                  {"users": users, "roles": list(Role), "locked": locked, "error": error,
                   "sessions": sessions}, status=status)


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, admin: Admin) -> Response:
    return _users_page(request)


@router.post("/users")
def add_user(request: Request, admin: Admin, username: FormText = "", password: FormText = "",
             role: FormText = "", display_name: FormText = "") -> Response:
    db: Database = request.app.state.db
    try:
        with db.session() as session:
            create_user(session, username=username, password=password, role=role,
                        display_name=display_name, actor=admin.username)
    except UserError as error:
        return _users_page(request, error=str(error), status=422)
    return RedirectResponse("/admin/users", status_code=303)


def _user_or_404(request: Request, user_id: int) -> tuple[Database, int]:
    db: Database = request.app.state.db
    with db.session() as session:
        if session.get(User, user_id) is None:
            raise HTTPException(status_code=404)
    return db, user_id


@router.post("/users/{user_id}/role")
def set_role(request: Request, user_id: int, admin: Admin,
             role: FormText = "") -> Response:
    db, _ = _user_or_404(request, user_id)
    if role not in {r.value for r in Role}:
        return _users_page(request, error=f"Okänd roll '{role}'.", status=422)
    if user_id == admin.id and role != Role.admin.value:
        return _users_page(request, error="Du kan inte ta bort din egen administratörsroll.",
                           status=422)
    with db.session() as session:
        user = session.get(User, user_id)
        assert user is not None
        change_role(session, user, role, actor=admin.username)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/users/{user_id}/unlock")
def unlock(request: Request, user_id: int, admin: Admin) -> Response:
    db, _ = _user_or_404(request, user_id)
    with db.session() as session:
        user = session.get(User, user_id)
        assert user is not None
        unlock_user(session, user, actor=admin.username)
    return RedirectResponse("/admin/users", status_code=303)


def _user_action(request: Request, user_id: int, action: Callable[[Session, User], None]
                 ) -> Response:
    db, _ = _user_or_404(request, user_id)
    try:
        with db.session() as session:
            user = session.get(User, user_id)
            assert user is not None
            action(session, user)
    except UserError as error:
        return _users_page(request, error=str(error), status=422)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/users/{user_id}/deactivate")
def deactivate(request: Request, user_id: int, admin: Admin) -> Response:
    """Off-boarding: no more logins, every session ends now."""
    return _user_action(request, user_id,
                        lambda session, user: deactivate_user(session, user, actor=admin.username))


@router.post("/users/{user_id}/activate")
def activate(request: Request, user_id: int, admin: Admin) -> Response:
    return _user_action(request, user_id,
                        lambda session, user: activate_user(session, user, actor=admin.username))


@router.post("/users/{user_id}/sessions/revoke")
def end_sessions(request: Request, user_id: int, admin: Admin) -> Response:
    def revoke(session: Session, user: User) -> None:
        revoke_sessions(session, user, actor=admin.username)

    return _user_action(request, user_id, revoke)


@router.post("/users/{user_id}/password")
def new_password(request: Request, user_id: int, admin: Admin,
                 password: FormText = "") -> Response:
    """A new password set by an admin; every session of that user ends."""
    return _user_action(request, user_id, lambda session, user: set_password(
        session, user, password, actor=admin.username))


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, admin: Admin) -> Response:
    db: Database = request.app.state.db
    where, raw = _filter_from(request, limit=500)
    with db.session() as session:
        events = query_audit(session, where)
        actions = sorted(set(session.scalars(select(AuditEvent.action).distinct())))
        session.expunge_all()
    template = "admin/_audit_rows.html" if request.headers.get("hx-request") else "admin/audit.html"
    return render(request, template, {"events": events, "filters": raw, "actions": actions,
                                      "export_query": request.url.query})


@router.get("/audit.csv")
def audit_export(request: Request, admin: Admin) -> Response:
    db: Database = request.app.state.db
    where, raw = _filter_from(request, limit=None)
    with db.session() as session:
        body = audit_csv(query_audit(session, where))
        record_event(session, actor=admin.username, action="export_audit", object_type="audit",
                     detail={key: value for key, value in raw.items() if value},
                     client=client_address(request))
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers=attachment(f"granskningslogg-{stamp}.csv"))


@router.get("/pseudonyms", response_class=HTMLResponse)
def pseudonyms_page(request: Request, admin: Admin) -> Response:
    return render(request, "admin/pseudonyms.html", {"scopes": _scopes(request)})


def _scopes(request: Request) -> list[tuple[str, str]]:
    db: Database = request.app.state.db
    with db.session() as session:
        tables = session.execute(
            select(ImportedTable.id, ImportedTable.name).order_by(ImportedTable.id.desc())
        ).all()
    return [(f"table:{table_id}", name) for table_id, name in tables]


@router.post("/pseudonyms", response_class=HTMLResponse)
def resolve(request: Request, admin: Admin, scope: FormText = "", pseudonym: FormText = "",
            reason: FormText = "") -> Response:
    db: Database = request.app.state.db
    context: dict[str, object] = {"scopes": _scopes(request), "scope": scope,
                                  "pseudonym": pseudonym, "reason": reason}
    if not reason.strip():
        context["error"] = "Ange skälet till avpseudonymiseringen; det sparas i loggen."
        return render(request, "admin/pseudonyms.html", context, status=422)
    try:
        with db.session() as session:
            record_event(session, actor=admin.username, action="resolve_reason",
                         object_type="pseudonym", object_id=f"{scope}/{pseudonym}"[:100],
                         detail={"reason": reason.strip()[:300]})
            value = resolve_pseudonym(
                session, key=pseudonym_key(request.app.state.settings), scope=scope,
                pseudonym=pseudonym, actor=admin,
                client=client_address(request))
    except ValueError as error:  # the key cannot decrypt: a configuration problem
        context["error"] = str(error)
        return render(request, "admin/pseudonyms.html", context, status=500)
    if value is None:
        context["error"] = f"Pseudonymen {pseudonym} finns inte i {scope}."
        return render(request, "admin/pseudonyms.html", context, status=404)
    context["value"] = value
    return render(request, "admin/pseudonyms.html", context)
