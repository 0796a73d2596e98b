"""Who is asking, and may they: sessions, CSRF tokens and role checks for the web app.

Sessions live in the database (only a hash of the cookie), so logging out or an idle
timeout really ends them. CSRF uses a signed double-submit token bound to a per-browser
cookie, checked on every unsafe request of the HTML app.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response
from sqlalchemy import delete, select

from kraftsamling.settings import Settings
from kraftsamling.store import Database, Role, User, WebSession
from kraftsamling.store.models import utcnow

__all__ = [
    "CSRF_COOKIE",
    "DEVICE_COOKIE",
    "SESSION_COOKIE",
    "LoginRequired",
    "client_address",
    "csrf_protect",
    "csrf_token",
    "current_user",
    "end_session",
    "require_roles",
    "require_user",
    "set_cookie",
    "start_session",
    "trusted_user_id",
]

SESSION_COOKIE = "ks_session"
CSRF_COOKIE = "ks_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
DEVICE_COOKIE = "ks_device"
DEVICE_MAX_AGE = 180 * 24 * 3600
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
LAST_SEEN_RESOLUTION = timedelta(seconds=60)


class LoginRequired(Exception):
    """Raised by dependencies; the app answers with a redirect to the login page."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def client_address(request: Request) -> str:
    """Where a request came from, for the audit log."""
    return request.client.host if request.client else ""


def set_cookie(response: Response, settings: Settings, name: str, value: str,
               max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict",
                        secure=settings.cookie_secure, path="/")


def csrf_token(request: Request) -> str:
    """The token forms must echo; derived from this browser's CSRF cookie."""
    key: bytes = request.app.state.secret_key
    browser: str = request.state.csrf_cookie
    return hmac.new(key, browser.encode(), hashlib.sha256).hexdigest()


async def csrf_protect(request: Request) -> None:
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not request.cookies.get(CSRF_COOKIE) or not sent or not hmac.compare_digest(
        sent, csrf_token(request)
    ):
        raise HTTPException(status_code=403, detail="csrf")


def _device_mac(key: bytes, user_id: int, nonce: str) -> str:
    return hmac.new(key, f"device:{user_id}:{nonce}".encode(), hashlib.sha256).hexdigest()


def trusted_user_id(request: Request) -> int | None:
    """The user this browser has logged in as before, from its signed device cookie.

    Only used to let the owner past an account lock that someone else's guesses caused;
    it proves nothing about the password.
    """
    value = request.cookies.get(DEVICE_COOKIE, "")
    parts = value.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or len(parts[0]) > 12:
        return None
    user_id = int(parts[0])
    expected = _device_mac(request.app.state.secret_key, user_id, parts[1])
    return user_id if hmac.compare_digest(parts[2], expected) else None


def start_session(request: Request, response: Response, user: User) -> None:
    """A new session for ``user``; the one this browser had before ends (rotation)."""
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    token = secrets.token_urlsafe(32)
    previous = request.cookies.get(SESSION_COOKIE)
    with db.session() as session:
        if previous:
            session.execute(delete(WebSession).where(WebSession.token_hash == _hash(previous)))
        session.add(WebSession(token_hash=_hash(token), user_id=user.id))
    set_cookie(response, settings, SESSION_COOKIE, token)
    if trusted_user_id(request) != user.id:
        nonce = secrets.token_urlsafe(12)
        set_cookie(response, settings, DEVICE_COOKIE,
                   f"{user.id}.{nonce}.{_device_mac(request.app.state.secret_key, user.id, nonce)}",
                   max_age=DEVICE_MAX_AGE)
    # A fresh CSRF secret at every login: a token seen before login is worth nothing after.
    set_cookie(response, settings, CSRF_COOKIE, secrets.token_urlsafe(32))


def end_session(request: Request, response: Response) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        db: Database = request.app.state.db
        with db.session() as session:
            session.execute(delete(WebSession).where(WebSession.token_hash == _hash(token)))
    response.delete_cookie(SESSION_COOKIE, path="/")


def current_user(request: Request) -> User | None:
    """The logged-in user, or None; expired sessions are removed on sight."""
    cached: User | None = getattr(request.state, "user", None)
    if cached is not None:
        return cached
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    now = utcnow()
    with db.session() as session:
        found = session.scalar(select(WebSession).where(WebSession.token_hash == _hash(token)))
        if found is None:
            return None
        idle = now - found.last_seen
        age = now - found.created_at
        if idle > timedelta(minutes=settings.session_idle_minutes) or age > timedelta(
            hours=settings.session_max_hours
        ):
            session.delete(found)
            request.state.session_expired = True
            return None
        user = found.user
        if not user.active:
            return None
        if idle > LAST_SEEN_RESOLUTION:
            found.last_seen = now
        session.expunge(user)
    request.state.user = user
    return user


def require_user(user: Annotated[User | None, Depends(current_user)]) -> User:
    if user is None:
        raise LoginRequired
    return user


def require_roles(*roles: Role) -> Callable[..., Awaitable[User]]:
    """A dependency that lets only these roles through (403 for everyone else)."""

    async def dependency(user: Annotated[User, Depends(require_user)]) -> User:
        if user.role not in roles:
            raise HTTPException(status_code=403, detail="role")
        return user

    return dependency
