"""User accounts: argon2 password hashes, lock-out after repeated failures, audited roles."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kraftsamling.store.audit import record_event
from kraftsamling.store.models import Role, User, utcnow

__all__ = [
    "LoginOutcome",
    "LoginResult",
    "UserError",
    "authenticate",
    "change_role",
    "create_user",
    "set_password",
    "unlock_user",
]

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()


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


def set_password(session: Session, user: User, password: str, *, actor: str) -> None:
    _check_password(password)
    user.password_hash = _hasher.hash(password)
    record_event(session, actor=actor, action="password_changed", object_type="user",
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
) -> LoginResult:
    """Check a login, counting failures; the audit log gets every attempt.

    An unknown user and a wrong password give the same outcome, so a login form does
    not reveal which usernames exist.
    """
    now = utcnow()
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        record_event(session, actor=username[:100] or "(tomt)", action="login_failed",
                     object_type="user", object_id=username[:100], detail={"reason": "unknown"},
                     client=client)
        return LoginResult(LoginOutcome.wrong_credentials)
    locked_until = user.locked_until
    if locked_until is not None and locked_until > now:
        record_event(session, actor=user.username, action="login_failed", object_type="user",
                     object_id=user.username, detail={"reason": "locked"}, client=client)
        return LoginResult(LoginOutcome.locked, locked_until=locked_until)
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_logins += 1
        detail: dict[str, object] = {"reason": "wrong_password", "failures": user.failed_logins}
        if user.failed_logins >= threshold:
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
    user.locked_until = None
    record_event(session, actor=user.username, action="login", object_type="user",
                 object_id=user.username, client=client)
    return LoginResult(LoginOutcome.ok, user=user)
