"""The platform's commands: ``kraftsamling db``, ``users`` and ``audit``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from kraftsamling import shell
from kraftsamling.shell import console, fail

__all__ = ["audit_app", "db_app", "users_app"]

db_app = shell.group("Databasen: migreringar och schemaversion.")
users_app = shell.group(
    "Användare: lägg till, lista, lås upp, inaktivera, byt lösenord, logga ut överallt.")
audit_app = shell.group("Granskningsloggen: kontrollera och exportera.")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Kör databasmigreringarna fram till aktuell version."""
    from kraftsamling.settings import adopt_legacy_pseudonym_key

    settings = shell.settings()
    settings.ensure_data_dir()
    database = shell.database(settings, check=False)
    if database.current_revision() is not None and adopt_legacy_pseudonym_key(settings):
        console.print(
            "Pseudonymnyckeln (tidigare härledd ur den hemliga nyckeln) ligger nu i "
            f"{settings.resolved_keys_dir() / 'pseudonym.key'}. Säkerhetskopiera den för sig "
            "och byt sedan secret.key (se docs/privacy.md).")
    try:
        database.upgrade()
    except RuntimeError as error:
        fail(str(error))
    console.print(f"Databasen är på version {database.current_revision()}.")


@db_app.command("current")
def db_current() -> None:
    """Visa databasens schemaversion."""
    database = shell.database(shell.settings(), check=False)
    current, head = database.current_revision(), database.head_revision()
    console.print(f"Databas: {current or '(tom)'}; aktuell version: {head}")
    if current != head:
        raise typer.Exit(1)


# -- users -----------------------------------------------------------------------------------


def _read_password(prompt: str, *, from_stdin: bool) -> str:
    """A password from standard input (scripts) or asked twice at the terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Användarnamn.")],
    role: Annotated[str, typer.Option(
        help="admin, analyst, reviewer, coordinator, caseworker eller unit_manager.")],
    display_name: Annotated[str, typer.Option(help="Namn som visas.")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Läs lösenordet från standard in.")
    ] = False,
) -> None:
    """Lägg till en användare."""
    from kraftsamling.store import UserError, create_user

    password = _read_password("Lösenord", from_stdin=password_stdin)
    database = shell.database(shell.settings())
    try:
        with database.session() as session:
            create_user(session, username=username, password=password, role=role,
                        display_name=display_name, actor="cli")
    except UserError as error:
        fail(str(error))
    console.print(f"Användaren {username} ({role}) är skapad.")


@users_app.command("list")
def users_list() -> None:
    """Lista användare och roller."""
    from sqlalchemy import select

    from kraftsamling.store import User
    from kraftsamling.web import label

    database = shell.database(shell.settings())
    table = Table("Användare", "Namn", "Roll (--role)", "Aktiv")
    with database.session() as session:
        for user in session.scalars(select(User).order_by(User.username)):
            role = user.role.value
            table.add_row(user.username, user.display_name, f"{label(role, 'role')} ({role})",
                          "ja" if user.active else "nej")
    console.print(table)


@users_app.command("unlock")
def users_unlock(username: Annotated[str, typer.Argument(help="Användarnamn.")]) -> None:
    """Lås upp ett konto som låsts efter för många misslyckade inloggningar."""
    from sqlalchemy import select

    from kraftsamling.store import User, unlock_user

    database = shell.database(shell.settings())
    with database.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            fail(f"Användaren '{username}' finns inte.")
        unlock_user(session, user, actor="cli")
    console.print(f"{username} är upplåst.")


def _user_command(username: str, action: Any, done: str) -> None:
    """Run one off-boarding step on one user; Swedish errors, no traceback."""
    from kraftsamling.store import UserError, find_user

    database = shell.database(shell.settings())
    try:
        with database.session() as session:
            action(session, find_user(session, username))
    except UserError as error:
        fail(str(error))
    console.print(done)


@users_app.command("deactivate")
def users_deactivate(username: Annotated[str, typer.Argument(help="Användarnamn.")]) -> None:
    """Inaktivera ett konto (kan inte logga in, alla sessioner avslutas); loggen behåller namnet."""
    from kraftsamling.store import deactivate_user

    _user_command(username, lambda session, user: deactivate_user(session, user, actor="cli"),
                  f"{username} är inaktiverad och utloggad överallt.")


@users_app.command("activate")
def users_activate(username: Annotated[str, typer.Argument(help="Användarnamn.")]) -> None:
    """Aktivera ett inaktiverat konto igen."""
    from kraftsamling.store import activate_user

    _user_command(username, lambda session, user: activate_user(session, user, actor="cli"),
                  f"{username} är aktiv igen.")


@users_app.command("passwd")
def users_passwd(
    username: Annotated[str, typer.Argument(help="Användarnamn.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Läs lösenordet från standard in.")
    ] = False,
) -> None:
    """Byt lösenord; användarens alla sessioner avslutas."""
    from kraftsamling.store import set_password

    password = _read_password("Nytt lösenord", from_stdin=password_stdin)
    _user_command(username,
                  lambda session, user: set_password(session, user, password, actor="cli"),
                  f"Lösenordet för {username} är bytt; alla sessioner är avslutade.")


@users_app.command("revoke-sessions")
def users_revoke_sessions(username: Annotated[str, typer.Argument(help="Användarnamn.")]) -> None:
    """Logga ut en användare överallt (alla webbsessioner avslutas)."""
    from kraftsamling.store import revoke_sessions

    ended: list[int] = []
    _user_command(username, lambda session, user: ended.append(
        revoke_sessions(session, user, actor="cli")), f"{username} är utloggad överallt.")
    console.print(f"{ended[0] if ended else 0} sessioner avslutades.")



@audit_app.command("verify")
def audit_verify() -> None:
    """Kontrollera att granskningsloggen är obruten (hashkedjan)."""
    from sqlalchemy import func, select

    from kraftsamling.store import AuditEvent, verify_chain

    database = shell.database(shell.settings())
    with database.session() as session:
        broken = verify_chain(session)
        count = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).first()
    if broken:
        first = min(broken)
        hint = (" Alla händelser bryter kedjan: är det rätt granskningsnyckel (audit_key)?"
                if len(broken) == count else "")
        fail(f"Granskningsloggen är bruten vid {len(broken)} av {count} händelser, först vid "
             f"händelse {first} ({', '.join(map(str, broken[:10]))}).{hint}")
    tail = f" Sista händelsen: {last.id}, hash {last.row_hash}." if last is not None else ""
    console.print(f"Granskningsloggen är obruten ({count} händelser).{tail}", highlight=False)


@audit_app.command("rotate-key")
def audit_rotate_key() -> None:
    """Byt granskningsnyckeln och räkna om hela kedjan med den nya (stoppa servern först)."""
    import os

    from kraftsamling.store import KeyRotationError, SchemaOutOfDateError, rotate_audit_key

    new_key = os.environ.get("KRAFTSAMLING_NEW_AUDIT_KEY")
    try:
        rotation = rotate_audit_key(shell.settings(),
                                    new_key=new_key.encode() if new_key else None)
    except (KeyRotationError, SchemaOutOfDateError) as error:
        fail(str(error))
    where = (f"Den nya nyckeln ligger i {rotation.key_file}; ta en ny säkerhetskopia av den."
             if rotation.key_file else
             "Sätt KRAFTSAMLING_AUDIT_KEY till den nya nyckeln innan servern startas igen.")
    broken = (f" Kedjan var redan bruten vid {len(rotation.previous_broken)} händelser "
              "(det står i händelsen audit_key_rotated)." if rotation.previous_broken else "")
    console.print(f"Granskningsnyckeln är bytt: {rotation.events} händelser omräknade.{broken} "
                  f"{where}", highlight=False)


@audit_app.command("export")
def audit_export(
    output: Annotated[Path, typer.Option("-o", "--output", help="CSV-fil att skriva.")],
) -> None:
    """Exportera hela granskningsloggen som CSV (exporten loggas)."""
    from kraftsamling.store import AuditFilter, audit_csv, query_audit, record_event

    database = shell.database(shell.settings())
    with database.session() as session:
        events = query_audit(session, AuditFilter(limit=None))
        output.write_text(audit_csv(events), encoding="utf-8")
        record_event(session, actor="cli", action="export_audit", object_type="audit",
                     detail={"rows": len(events)})
    console.print(f"{len(events)} händelser skrivna till {output}.")
