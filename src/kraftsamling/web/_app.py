"""The ASGI app: server-rendered pages (Jinja2 + htmx), Swedish first, secure by default."""

from __future__ import annotations

import logging
import re
import secrets
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from babel.numbers import format_decimal
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from kraftsamling import __version__
from kraftsamling.settings import Settings, audit_key
from kraftsamling.store import Database, DatabaseRateLimiter
from kraftsamling.web import _format, _labels
from kraftsamling.web._i18n import LANGUAGES, translator
from kraftsamling.web._limits import RequestLimits
from kraftsamling.web._security import (
    CSRF_COOKIE,
    LoginRequired,
    csrf_token,
    current_user,
    set_cookie,
)

__all__ = ["allow_chart_styles", "attachment", "create_app", "render"]

WEB_DIR = Path(__file__).parent
logger = logging.getLogger("kraftsamling.web")
FASTAPI_BODY_ERROR = "There was an error parsing the body"
BODY_UNREADABLE = ("Begäran kunde inte tolkas: ett trasigt formulär eller JSON som är ogiltig "
                   "eller för djupt nästlad.")
LANGUAGE_COOKIE = "ks_lang"
DELIVERY_INTERVAL_SECONDS = 20
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)



def attachment(filename: str) -> dict[str, str]:
    """A Content-Disposition header for any file name (``Tabell – 2026``, ``å``): an ASCII
    fallback and the UTF-8 name per RFC 6266, instead of a header that cannot be encoded."""
    name = filename.replace("\r", " ").replace("\n", " ").replace('"', "")
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '\\%;' else "_" for c in name)
    return {"Content-Disposition":
            f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"}


def allow_chart_styles(response: Response) -> Response:
    """Plotly styles its SVG through a <style> element it adds; scripts stay 'self' only."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "style-src 'self'", "style-src 'self' 'unsafe-inline'")
    return response


templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
templates.env.autoescape = True
# Chart markup is shared with the chat report, the model cards' body with their HTML file.
templates.env.loader = ChoiceLoader([FileSystemLoader(WEB_DIR / "templates"),
                                     FileSystemLoader(WEB_DIR.parent / "chat" / "templates"),
                                     FileSystemLoader(WEB_DIR.parent / "compliance" / "templates")])


def format_value(value: object, language: str) -> str:
    """A cell as a person in that language writes it: 18 237,53 in Swedish; – for missing."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return translator(language)("yes" if value else "no")
    if isinstance(value, int):
        return str(value)  # years and ids: never "1 984"
    if isinstance(value, float):
        return format_decimal(value, locale="sv_SE" if language == "sv" else "en_GB")
    return str(value)


def labelled(values: Iterable[str], labels: Mapping[str, str]) -> str:
    """Codes as the words people read: ['suicide'] → 'Självmordstankar'."""
    return ", ".join(labels.get(value, value) for value in values)


def code_ticks(text: str) -> Markup:
    """A message with `command` in it: the backticks become <code>, the rest is escaped."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))  # noqa: S704 - escaped first


templates.env.filters["value"] = format_value
templates.env.filters["ticks"] = code_ticks
templates.env.filters["labelled"] = labelled
templates.env.filters["label"] = _labels.label
templates.env.filters["labels"] = _labels.labels
templates.env.filters["detail_text"] = _labels.detail_text
templates.env.filters["number"] = _format.number
templates.env.filters["percent"] = _format.percent
templates.env.filters["signed"] = _format.signed
templates.env.filters["when"] = _format.when
templates.env.filters["duration"] = _format.duration


def request_language(request: Request) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    settings: Settings = request.app.state.settings
    return settings.default_language


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """Render a page with what every page needs: language, user, CSRF token, navigation."""
    language = request_language(request)
    full: dict[str, Any] = {
        "_": translator(language),
        "lang": language,
        "user": current_user(request),
        "csrf_token": csrf_token(request),
        "version": __version__,
        "current_path": request.url.path,
        "next_path": quote(str(request.url.path)),
        "level_labels": _labels.label_map("level", language),
        "category_labels": _labels.label_map("category", language),
    }
    full.update(context or {})
    return templates.TemplateResponse(request, template, full, status_code=status)


async def render_in_thread(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """``render`` from async code: it may look the user up in the database (and wait for the
    write lock an import holds), which must never happen in the event loop."""
    return await run_in_threadpool(render, request, template, context, status)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Deliver alert notifications in the background while the app runs."""
    settings: Settings = app.state.settings
    stop = threading.Event()
    worker: threading.Thread | None = None
    if settings.webhook_url or (settings.smtp_host and settings.alert_email_to):
        from kraftsamling.autolarm import deliver_pending

        def loop() -> None:
            while not stop.wait(DELIVERY_INTERVAL_SECONDS):
                deliver_pending(app.state.db, settings)

        worker = threading.Thread(target=loop, name="kraftsamling-notifications", daemon=True)
        worker.start()
    try:
        yield
    finally:
        from kraftsamling.web._workers import shutdown_workers

        shutdown_workers()
        stop.set()
        if worker is not None:
            worker.join(timeout=5)


def create_app(settings: Settings, *, database: Database | None = None) -> FastAPI:
    """Build the app; refuses to start on a database whose schema is not current."""
    db = database or Database.for_settings(settings)
    if db.audit_key is None:
        db.audit_key = audit_key(settings)
    db.check_schema()
    app = FastAPI(title="Kraftsamling", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json", lifespan=_lifespan)
    app.state.settings = settings
    app.state.db = db
    app.state.secret_key = settings.resolved_secret_key()
    # in the database: every server process (and a restarted one) shares one budget per key
    app.state.login_limiter = DatabaseRateLimiter(
        db, name="login_client", capacity=settings.login_client_failures,
        window_seconds=settings.lockout_minutes * 60, secret=app.state.secret_key)
    survey_window = settings.survey_window_minutes * 60
    app.state.survey_client_limiter = DatabaseRateLimiter(
        db, name="survey_client", capacity=settings.survey_client_posts,
        window_seconds=survey_window, secret=app.state.secret_key)
    app.state.survey_link_limiter = DatabaseRateLimiter(
        db, name="survey_link", capacity=settings.survey_link_posts,
        window_seconds=survey_window, secret=app.state.secret_key)

    # Inside the cookie middleware, so its refusals reach the route as HTTP errors.
    app.add_middleware(RequestLimits, settings=settings)

    @app.middleware("http")
    async def browser_cookies_and_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        existing = request.cookies.get(CSRF_COOKIE)
        request.state.csrf_cookie = existing or secrets.token_urlsafe(32)
        response = await call_next(request)
        sets_csrf = any(
            value.startswith(f"{CSRF_COOKIE}=") for value in response.headers.getlist("set-cookie")
        )
        if not existing and not sets_csrf:
            set_cookie(response, settings, CSRF_COOKIE, request.state.csrf_cookie)
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        if not request.url.path.startswith("/static/"):
            headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _exc: LoginRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "Inloggning krävs."}, status_code=401)
        expired = "&expired=1" if getattr(request.state, "session_expired", False) else ""
        target = f"/login?next={quote(str(request.url.path))}{expired}"
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail
        if exc.status_code == 400 and detail == FASTAPI_BODY_ERROR:
            # FastAPI's words for a body it could not parse (deep JSON, a broken form)
            detail = BODY_UNREADABLE
        if request.url.path.startswith("/api/"):
            headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
            return JSONResponse({"detail": detail}, status_code=exc.status_code,
                                headers=headers)
        return await render_in_thread(request, "error.html",
                                      {"status": exc.status_code, "reason": detail},
                                      status=exc.status_code)

    @app.exception_handler(OverflowError)
    async def id_out_of_range(request: Request, _exc: OverflowError) -> Response:
        """An id or page number beyond what the database stores (≥ 2^63): nothing is there."""
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "Finns inte."}, status_code=404)
        return await render_in_thread(request, "error.html", {"status": 404, "reason": ""},
                                      status=404)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        """The last resort: a page in the person's language, never a traceback. Logged
        with the exception's type only (its message may hold data from the request)."""
        cause = exc.__cause__ or exc.__context__
        if isinstance(exc, OverflowError) or isinstance(cause, OverflowError):
            return await id_out_of_range(request, OverflowError())
        logger.error("Unexpected %s on %s %s", type(exc).__name__, request.method,
                     request.url.path)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "Ett oväntat fel inträffade."}, status_code=500)
        try:
            return await render_in_thread(request, "error.html", {"status": 500, "reason": ""},
                                          status=500)
        except Exception:
            return PlainTextResponse("Ett oväntat fel inträffade.", status_code=500)

    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")

    from kraftsamling.plugins import plugin_manager
    from kraftsamling.web import _admin, _data, _jobs, _pages

    # The platform's own pages, then every plugin's (autolarm, chat, cases, twin, cards).
    app.include_router(_pages.router)
    app.include_router(_data.router)
    app.include_router(_jobs.router)
    app.include_router(_admin.router)
    plugin_manager().hook.register_routes(app=app)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(str(e.get("msg", "")).removeprefix("Value error, ")
                             for e in exc.errors())
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": f"Ogiltig begäran: {problems}"}, status_code=422)
        return await render_in_thread(request, "error.html",
                                      {"status": 422, "reason": problems}, status=422)

    @app.get("/healthz", include_in_schema=False)
    async def health() -> dict[str, str]:  # in the loop: never queues for a thread
        return {"status": "ok", "version": __version__}

    return app

