"""User accounts: argon2 password hashes, lock-out after repeated failures, audited roles,
and off-boarding (deactivate, new password, end every session)."""

from __future__ import annotations

import contextlib
import enum
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kraftsamling.store.audit import record_event
from kraftsamling.store.models import Role, User, WebSession, utcnow

__all__ = [
    "LoginOutcome",
    "LoginResult",
    "UserError",
    "activate_user",
    "authenticate",
    "change_role",
    "create_user",
    "deactivate_user",
    "find_user",
    "revoke_sessions",
    "set_password",
    "unlock_user",
]

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
_dummy_hash: str | None = None
_dummy_lock = threading.Lock()


def _dummy_verify(password: str) -> None:
    """Spend what a real check costs, so an unknown user answers as slowly as a known one."""
    global _dummy_hash
    with _dummy_lock:
        if _dummy_hash is None:
            _dummy_hash = _hasher.hash(secrets.token_urlsafe(16))
        dummy = _dummy_hash
    with contextlib.suppress(VerificationError, InvalidHashError):
        _hasher.verify(dummy, password)


def _password_matches(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class UserError(ValueError):
    """A user operation that cannot be done; the message is Swedish and shown as is."""


class LoginOutcome(enum.Enum):
    ok = "ok"
    wrong_credentials = "wrong_credentials"
    locked = "locked"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None
    locked_until: datetime | None = None


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Lösenordet måste ha minst {MIN_PASSWORD_LENGTH} tecken.")


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role | str,
    display_name: str = "",
    actor: str = "system",
) -> User:
    username = username.strip()
    if not username:
        raise UserError("Användarnamnet får inte vara tomt.")
    try:
        role = Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise UserError(f"Okänd roll '{role}'. Tillåtna roller: {allowed}.") from None
    _check_password(password)
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise UserError(f"Användaren '{username}' finns redan.")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=_hasher.hash(password),
        role=role,
    )
    session.add(user)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="user_created",
        object_type="user",
        object_id=username,
        detail={"role": role.value},
    )
    return user


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise UserError(f"Användaren '{username}' finns inte.")
    return user


def revoke_sessions(session: Session, user: User, *, actor: str, reason: str = "revoked"
                    ) -> int:
    """End every web session of ``user`` (logged out everywhere); returns how many."""
    ended = session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    count = int(getattr(ended, "rowcount", 0) or 0)
    record_event(session, actor=actor, action="sessions_revoked", object_type="user",
                 object_id=user.username, detail={"sessions": count, "reason": reason})
    return count


def set_password(session: Session, user: User, password: str, *, actor: str) -> None:
    """A new password; every session of the user ends (a stolen one too)."""
    _check_password(password)
    user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    record_event(session, actor=actor, action="password_changed", object_type="user",
                 object_id=user.username)
    revoke_sessions(session, user, actor=actor, reason="password_changed")


def deactivate_user(session: Session, user: User, *, actor: str) -> None:
    """Off-boarding: the account can no longer log in and its sessions end now.

    The account stays (the audit log names it); ``activate_user`` undoes this.
    """
    if user.username == actor:
        raise UserError("Du kan inte inaktivera ditt eget konto.")
    user.active = False
    record_event(session, actor=actor, action="user_deactivated", object_type="user",
                 object_id=user.username)
    revoke_sessions(session, user, actor=actor, reason="deactivated")


def activate_user(session: Session, user: User, *, actor: str) -> None:
    user.active = True
    record_event(session, actor=actor, action="user_activated", object_type="user",
                 object_id=user.username)


def change_role(session: Session, user: User, role: Role | str, *, actor: str) -> None:
    new_role = Role(role)
    if new_role == user.role:
        return
    old_role = user.role
    user.role = new_role
    record_event(
        session,
        actor=actor,
        action="role_changed",
        object_type="user",
        object_id=user.username,
        detail={"from": old_role.value, "to": new_role.value},
    )


def unlock_user(session: Session, user: User, *, actor: str) -> None:
    user.failed_logins = 0
    user.locked_until = None
    record_event(session, actor=actor, action="user_unlocked", object_type="user",
                 object_id=user.username)


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    threshold: int,
    lockout: timedelta,
    client: str = "",
    trusted_user_id: int | None = None,
) -> LoginResult:
    """Check a login, counting failures; the audit log gets every attempt.

    Every path runs one argon2 verification, so an unknown user, an inactive one, a locked
    one and a wrong password take the same time; the caller shows one message for all.

    ``threshold`` failures in a row lock the account for ``lockout`` against every client
    except one that has logged in to this account before (``trusted_user_id``, from the
    browser's signed device cookie): someone else's guessing cannot lock the real owner
    out of their usual browser, and that browser's own guesses are limited per client.
    """
    now = utcnow()
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        _dummy_verify(password)
        record_event(session, actor=username[:100] or "(tomt)", action="login_failed",
                     object_type="user", object_id=username[:100],
                     detail={"reason": "unknown" if user is None else "inactive"},
                     client=client)
        return LoginResult(LoginOutcome.wrong_credentials)
    trusted = trusted_user_id is not None and trusted_user_id == user.id
    locked_until = user.locked_until
    if locked_until is not None and locked_until > now and not trusted:
        _dummy_verify(password)
        record_event(session, actor=user.username, action="login_failed", object_type="user",
                     object_id=user.username, detail={"reason": "locked"}, client=client)
        return LoginResult(LoginOutcome.locked, locked_until=locked_until)
    if not _password_matches(user, password):
        user.failed_logins += 1
        detail: dict[str, object] = {"reason": "wrong_password", "failures": user.failed_logins,
                                     "trusted_device": trusted}
        if user.failed_logins >= threshold and not trusted:
            user.locked_until = now + lockout
            user.failed_logins = 0
            detail["locked_until"] = user.locked_until.isoformat()
            record_event(session, actor=user.username, action="login_failed",
                         object_type="user", object_id=user.username, detail=detail,
                         client=client)
            record_event(session, actor="system", action="user_locked", object_type="user",
                         object_id=user.username, detail={"until": user.locked_until.isoformat()})
            return LoginResult(LoginOutcome.locked, locked_until=user.locked_until)
        record_event(session, actor=user.username, action="login_failed", object_type="user",
                     object_id=user.username, detail=detail, client=client)
        return LoginResult(LoginOutcome.wrong_credentials)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    if not trusted or locked_until is None or locked_until <= now:
        user.locked_until = None  # a lock someone else caused stays for other clients
    record_event(session, actor=user.username, action="login", object_type="user",
                 object_id=user.username, detail={"trusted_device": trusted}, client=client)
    return LoginResult(LoginOutcome.ok, user=user)
