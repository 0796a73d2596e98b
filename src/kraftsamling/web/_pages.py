"""Login, logout, the start page and the language switch."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from kraftsamling._charts import plotly_js
from kraftsamling.settings import Settings
from kraftsamling.store import Database, LoginOutcome, User, authenticate, record_event
from kraftsamling.web._app import LANGUAGE_COOKIE, render, request_language
from kraftsamling.web._i18n import LANGUAGES, translator
from kraftsamling.web._rate_limits import Limiter
from kraftsamling.web._security import (
    client_address,
    csrf_protect,
    current_user,
    end_session,
    require_user,
    set_cookie,
    start_session,
    trusted_user_id,
)

router = APIRouter(dependencies=[Depends(csrf_protect)])


def safe_next(target: str | None) -> str:
    """Only local paths, so a login link cannot send anyone to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/", expired: int = 0) -> Response:
    if current_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "expired": bool(expired)})


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """One answer for every failure (unknown user, wrong password, locked account), in the
    same time; failures per client address are limited, whichever account they aim at."""
    settings: Settings = request.app.state.settings
    db: Database = request.app.state.db
    limiter: Limiter = request.app.state.login_limiter
    _ = translator(request_language(request))
    client = client_address(request)
    # Checked before, counted after a failure: right passwords never use up the address's
    # budget, however many colleagues behind one address log in at once. (A burst can exceed
    # the budget by at most the requests in flight, which argon2 keeps few.)
    if not limiter.allows(client):
        minutes = max(1, math.ceil(limiter.retry_after(client) / 60))
        with db.session() as session:
            record_event(session, actor=username.strip()[:100] or "(tomt)",
                         action="login_throttled", object_type="client", object_id=client,
                         client=client)
        error = _("Too many failed logins from this computer. "
                  "Wait %(minutes)s minutes and try again.", minutes=minutes)
        return render(request, "login.html", {"next": safe_next(next), "error": error,
                                              "username": username}, status=429)
    with db.session() as session:
        result = authenticate(
            session,
            username.strip(),
            password,
            threshold=settings.lockout_threshold,
            lockout=timedelta(minutes=settings.lockout_minutes),
            client=client,
            trusted_user_id=trusted_user_id(request),
        )
        if result.user is not None:
            session.expunge(result.user)
    if result.outcome is LoginOutcome.ok and result.user is not None:
        response = RedirectResponse(safe_next(next), status_code=303)
        start_session(request, response, result.user)
        return response
    limiter.take(client)
    error = _("Wrong username or password, or the account is locked for a while after too "
              "many attempts. Try again later or ask an administrator.")
    return render(request, "login.html", {"next": safe_next(next), "error": error,
                                          "username": username}, status=401)


@router.post("/logout")
def logout(request: Request) -> Response:
    response = RedirectResponse("/login", status_code=303)
    end_session(request, response)
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: Annotated[User, Depends(require_user)]) -> Response:
    return render(request, "home.html")


@router.get("/plotly.js")
def plotly_script() -> Response:
    """Plotly from the installed wheel, for every dashboard's charts (no CDN)."""
    return Response(plotly_js(), media_type="text/javascript",
                    headers={"Cache-Control": "public, max-age=86400"})


@router.get("/lang/{language}")
def switch_language(request: Request, language: str, next: str = "/") -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if language in LANGUAGES:
        settings: Settings = request.app.state.settings
        set_cookie(response, settings, LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600)
    return response
