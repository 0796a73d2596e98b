"""The ``kraftsamling`` command. Thin by design: parse options, call the library, report."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn, cast

import typer
from rich.console import Console
from rich.table import Table

from kraftsamling import __version__
from kraftsamling._cells import safe_frame
from kraftsamling.settings import CONFIG_ENV, Settings, load_settings, masked_settings
from kraftsamling.store import Database, SchemaOutOfDateError

__all__ = ["app", "main"]

app = typer.Typer(
    name="kraftsamling",
    help="Kraftsamling: AI på välfärdsdata, på egen maskin, lagligt och säkert.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Databasen: migreringar och schemaversion.", no_args_is_help=True)
users_app = typer.Typer(
    help="Användare: lägg till, lista, lås upp, inaktivera, byt lösenord, logga ut överallt.",
    no_args_is_help=True)
config_app = typer.Typer(help="Inställningar: visa vad som gäller.", no_args_is_help=True)
data_app = typer.Typer(help="Data: importera tabeller genom ett schema.", no_args_is_help=True)
audit_app = typer.Typer(help="Granskningsloggen: kontrollera och exportera.", no_args_is_help=True)
privacy_app = typer.Typer(help="Personuppgifter: hitta, pseudonymisera, avpseudonymisera.",
                          no_args_is_help=True)
autolarm_app = typer.Typer(help="Autolarm: hitta elevsvar som tyder på fara.",
                           no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(config_app, name="config")
app.add_typer(data_app, name="data")
app.add_typer(audit_app, name="audit")
app.add_typer(privacy_app, name="privacy")
chat_app = typer.Typer(help="Chattanalys: ämnen, mående före och efter, belastning.",
                       no_args_is_help=True)
app.add_typer(autolarm_app, name="autolarm")
app.add_typer(chat_app, name="chat")
cases_app = typer.Typer(help="Ärenden: risk, vad som hjälper vem, fördelning, rättvisa.",
                        no_args_is_help=True)
app.add_typer(cases_app, name="cases")
twin_app = typer.Typer(help="Klasstvilling: risk att bli utsatt nästa termin och vad som hjälper.",
                       no_args_is_help=True)
app.add_typer(twin_app, name="twin")
compliance_app = typer.Typer(help="Papper för dataskydd och AI-förordningen, ur installationen.",
                             no_args_is_help=True)
app.add_typer(compliance_app, name="compliance")
retention_app = typer.Typer(help="Gallring: radera det som passerat sin frist (loggas).",
                            no_args_is_help=True)
app.add_typer(retention_app, name="retention")

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[bold red]Fel:[/] {message}", highlight=False)
    raise typer.Exit(code)


def _settings() -> Settings:
    try:
        return load_settings()
    except Exception as error:  # pydantic ValidationError or a missing config file
        fail(f"Inställningarna kunde inte läsas: {error}")


def _database(settings: Settings, *, check: bool = True) -> Database:
    database = Database.for_settings(settings)
    if check:
        try:
            database.check_schema()
        except SchemaOutOfDateError as error:
            fail(str(error))
    return database


def _version(value: bool) -> None:
    if value:
        console.print(f"kraftsamling {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    config: Annotated[
        Path | None,
        typer.Option("--config", help="TOML-fil med inställningar (annars KRAFTSAMLING_CONFIG)."),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Visa versionen.")
    ] = False,
) -> None:
    """Kraftsamling: AI på välfärdsdata, på egen maskin, lagligt och säkert."""
    if config is not None:
        os.environ[CONFIG_ENV] = str(config)


# -- serve and demo --------------------------------------------------------------------------


def _serve(settings: Settings, host: str | None, port: int | None) -> None:
    import logging

    import uvicorn

    from kraftsamling.privacy import analyzer_for, install_log_redaction
    from kraftsamling.web import create_app

    try:
        web_app = create_app(settings)
    except SchemaOutOfDateError as error:
        fail(str(error))
    config = uvicorn.Config(web_app, host=host or settings.host, port=port or settings.port,
                            log_level="warning", server_header=False)
    analyzer = analyzer_for(settings)
    for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        if logger.handlers or name == "":
            install_log_redaction(logger, analyzer)
    uvicorn.Server(config).run()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Adress att lyssna på.")] = None,
    port: Annotated[int | None, typer.Option(help="Port att lyssna på.")] = None,
) -> None:
    """Starta webbappen."""
    settings = _settings()
    console.print(f"Kraftsamling på http://{host or settings.host}:{port or settings.port}/")
    _serve(settings, host, port)


DEMO_ALERT_EMAIL = "elevhalsan@demoskolan.example"


def _say(text: str) -> None:
    """One progress line, flushed: readable in a terminal, a pipe or a log file alike."""
    console.print(text, highlight=False, soft_wrap=True)
    sys.stdout.flush()


@app.command()
def demo(
    data_dir: Annotated[Path, typer.Option(help="Mapp för demodatabasen.")] = Path("demo-data"),
    host: Annotated[str | None, typer.Option(help="Adress att lyssna på.")] = None,
    port: Annotated[int | None, typer.Option(help="Port att lyssna på.")] = None,
    serve_app: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Starta webbappen efteråt.")
    ] = True,
    mail_catcher: Annotated[
        bool, typer.Option("--mail-catcher/--no-mail-catcher",
                           help="Ta emot larmens e-post lokalt och spara den i demomappen.")
    ] = True,
) -> None:
    """Bygg en ny demodatabas med syntetiska data och starta webbappen."""
    import threading
    import time

    from kraftsamling.demo import MailCatcher, build_demo

    started = time.perf_counter()
    base = load_settings(data_dir=data_dir)
    url = f"http://{host or base.host}:{port or base.port}"
    overrides: dict[str, Any] = {"data_dir": data_dir, "public_url": url}
    catcher: MailCatcher | None = None
    if mail_catcher and serve_app:
        try:
            catcher = MailCatcher(data_dir.resolve() / "e-post", told=_say).start()
        except ImportError:
            _say("Ingen lokal e-post: installera aiosmtpd (pip install 'kraftsamling[demo]').")
        else:
            overrides.update(smtp_host=catcher.host, smtp_port=catcher.port,
                             alert_email_to=[DEMO_ALERT_EMAIL])
    settings = load_settings(**overrides)
    _say(f"Bygger demodatabasen i {data_dir.resolve()} …")
    info = build_demo(settings, progress=_say, defer=serve_app)
    table = Table(title="Demoinloggningar", show_lines=False)
    for column in ("Användare", "Lösenord", "Roll"):
        table.add_column(column)
    from kraftsamling.web import translator

    _ = translator("sv")
    for user in info.users:
        table.add_row(user.username, user.password, _(user.role.value))
    console.print(table)
    if catcher is not None:
        _say(f"Larmens e-post till {DEMO_ALERT_EMAIL} tas emot lokalt "
             f"(smtp://{catcher.host}:{catcher.port}) och sparas i {catcher.folder}.")
    _say("Så använder kommandona i README samma demodatabas: "
         f"export KRAFTSAMLING_DATA_DIR={data_dir.resolve()}")
    if not serve_app:
        _say(f"Demodatabasen klar på {time.perf_counter() - started:.0f} s.")
        return
    if info.pending:
        _say("Chattar, ärenden och klasstvilling byggs medan appen redan är igång; "
             "de sidorna fylls när stegen nedan är klara.")
        threading.Thread(target=info.finish, name="kraftsamling-demo", daemon=True).start()
    _say(f"Demon finns på {url}/ (klar på {time.perf_counter() - started:.0f} s)")
    try:
        _serve(settings, host, port)
    finally:
        if catcher is not None:
            catcher.stop()


# -- db --------------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Kör databasmigreringarna fram till aktuell version."""
    from kraftsamling.settings import adopt_legacy_pseudonym_key

    settings = _settings()
    settings.ensure_data_dir()
    database = _database(settings, check=False)
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
    database = _database(_settings(), check=False)
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
    database = _database(_settings())
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

    database = _database(_settings())
    table = Table("Användare", "Namn", "Roll", "Aktiv")
    with database.session() as session:
        for user in session.scalars(select(User).order_by(User.username)):
            table.add_row(user.username, user.display_name, user.role.value,
                          "ja" if user.active else "nej")
    console.print(table)


@users_app.command("unlock")
def users_unlock(username: Annotated[str, typer.Argument(help="Användarnamn.")]) -> None:
    """Lås upp ett konto som låsts efter för många misslyckade inloggningar."""
    from sqlalchemy import select

    from kraftsamling.store import User, unlock_user

    database = _database(_settings())
    with database.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            fail(f"Användaren '{username}' finns inte.")
        unlock_user(session, user, actor="cli")
    console.print(f"{username} är upplåst.")


def _user_command(username: str, action: Any, done: str) -> None:
    """Run one off-boarding step on one user; Swedish errors, no traceback."""
    from kraftsamling.store import UserError, find_user

    database = _database(_settings())
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


# -- config ----------------------------------------------------------------------------------


@config_app.command("show")
def config_show() -> None:
    """Visa inställningarna som gäller, med hemligheter maskerade."""
    settings = _settings()
    table = Table("Inställning", "Värde", "Miljövariabel")
    for name, value in masked_settings(settings).items():
        table.add_row(name, value, f"KRAFTSAMLING_{name.upper()}")
    console.print(table)


# -- data ------------------------------------------------------------------------------------


@data_app.command("import")
def data_import(
    path: Annotated[Path, typer.Argument(help="Fil: .csv, .tsv, .xlsx, .json eller .jsonl.")],
    schema: Annotated[str, typer.Option(help="Schemats namn (se 'data schemas').")],
    name: Annotated[str | None, typer.Option(help="Tabellens namn.")] = None,
) -> None:
    """Importera en fil genom ett schema; vid fel sparas ingenting."""
    from kraftsamling.privacy import table_pseudonymizer
    from kraftsamling.tabular import ReadError, ValidationFailed, get_schema, import_table

    settings = _settings()
    database = _database(settings)
    try:
        table_schema = get_schema(schema)
        with database.session() as session:
            table = import_table(session, path, table_schema, actor="cli", name=name,
                                 transform=table_pseudonymizer(settings))
            rows, table_id = table.n_rows, table.id
    except (ReadError, ValidationFailed) as error:
        fail(str(error))
    except KeyError as error:
        fail(str(error).strip("'\""))
    console.print(f"{rows} rader importerade som tabell {table_id}.")


@data_app.command("schemas")
def data_schemas() -> None:
    """Lista de scheman som filer kan importeras genom."""
    from kraftsamling.tabular import available_schemas

    for table_schema in available_schemas():
        console.print(f"[bold]{table_schema.name}[/]: {table_schema.description}")
        for column in table_schema.columns:
            flags: list[str] = [column.type, column.kind]
            if not column.required:
                flags.append("valfri")
            console.print(f"  {column.name} ({', '.join(flags)})", highlight=False)


# -- audit -----------------------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify() -> None:
    """Kontrollera att granskningsloggen är obruten (hashkedjan)."""
    from sqlalchemy import func, select

    from kraftsamling.store import AuditEvent, verify_chain

    database = _database(_settings())
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

    from kraftsamling.store import KeyRotationError, rotate_audit_key

    new_key = os.environ.get("KRAFTSAMLING_NEW_AUDIT_KEY")
    try:
        rotation = rotate_audit_key(_settings(), new_key=new_key.encode() if new_key else None)
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

    database = _database(_settings())
    with database.session() as session:
        events = query_audit(session, AuditFilter(limit=None))
        output.write_text(audit_csv(events), encoding="utf-8")
        record_event(session, actor="cli", action="export_audit", object_type="audit",
                     detail={"rows": len(events)})
    console.print(f"{len(events)} händelser skrivna till {output}.")


# -- privacy --------------------------------------------------------------------------------


@privacy_app.command("redact")
def privacy_redact(
    source: Annotated[Path, typer.Argument(help="Infil: .jsonl, .csv eller .txt.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Utfil (samma format).")],
    text_field: Annotated[
        list[str] | None,
        typer.Option("--text-field",
                     help="Fält/kolumn med fritext (kan upprepas). Standard: text."),
    ] = None,
    mode: Annotated[str, typer.Option(help="pseudonym, tag eller mask.")] = "pseudonym",
    config: Annotated[
        Path | None, typer.Option("--config", help="TOML-fil med igenkännare.")
    ] = None,
) -> None:
    """Pseudonymisera fritext i en fil; alla andra fält lämnas orörda."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    from kraftsamling.privacy import Analyzer, Mode, Pseudonymizer, analyzer_for, redact_file
    from kraftsamling.settings import pseudonym_key
    from kraftsamling.tabular import ReadError

    settings = _settings()
    try:
        analyzer = Analyzer.from_config(config) if config else analyzer_for(settings)
        pseudonymizer = Pseudonymizer(key=pseudonym_key(settings), mode=cast(Mode, mode),
                                      analyzer=analyzer)
    except ValueError as error:
        fail(str(error))
    size = source.stat().st_size if source.is_file() else 0
    columns = ("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
               TimeRemainingColumn())
    try:
        with Progress(*columns, console=err_console, transient=True) as progress:
            task = progress.add_task("Pseudonymiserar", total=size)
            stats = redact_file(source, output, pseudonymizer=pseudonymizer,
                                text_fields=text_field or ["text"],
                                progress=lambda n: progress.advance(task, n))
    except ReadError as error:
        output.unlink(missing_ok=True)
        fail(str(error))
    found = ", ".join(f"{kind} {count}" for kind, count in sorted(stats.entities.items()))
    console.print(f"{stats.rows} rader skrivna till {output}. Ersatt: {found or 'inget'}.")


@privacy_app.command("resolve")
def privacy_resolve(
    scope: Annotated[str, typer.Argument(help="Datamängd, t.ex. table:3.")],
    pseudonym: Annotated[str, typer.Argument(help="Pseudonym, t.ex. [PERSON_3].")],
) -> None:
    """Visa originalet bakom en pseudonym (loggas i granskningsloggen)."""
    from kraftsamling.privacy import resolve_pseudonym
    from kraftsamling.settings import pseudonym_key

    settings = _settings()
    database = _database(settings)
    try:
        with database.session() as session:
            value = resolve_pseudonym(session, key=pseudonym_key(settings), scope=scope,
                                      pseudonym=pseudonym, actor="cli")
    except ValueError as error:
        fail(str(error))
    if value is None:
        fail(f"Pseudonymen {pseudonym} finns inte i {scope}.")
    console.print(value, highlight=False)


@privacy_app.command("train-names")
def privacy_train_names(
    corpus: Annotated[Path, typer.Argument(help="Korpus: 'ord TAGG' per rad (PER för namn).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Modellfil att skriva.")],
) -> None:
    """Träna namnigenkännaren (CRF) på en märkt korpus."""
    from kraftsamling.privacy import train_name_tagger

    if not corpus.is_file():
        fail(f"Korpusen '{corpus}' finns inte.")
    with console.status("Tränar namnigenkännaren…"):
        try:
            train_name_tagger(corpus, output)
        except ValueError as error:
            fail(str(error))
    console.print(f"Modellen är sparad i {output}. Ange den med model = \"{output}\" "
                  "under type = \"person_name\" i igenkännarfilen.")


# -- autolarm -------------------------------------------------------------------------------


@autolarm_app.command("score")
def autolarm_score(
    source: Annotated[Path, typer.Argument(help="Svar: .csv (, eller ;), .tsv, .jsonl, .xlsx.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="CSV att skriva.")],
    text_column: Annotated[str, typer.Option(help="Kolumn med fritext.")] = "text",
    id_column: Annotated[str, typer.Option(help="Kolumn med svarets id.")] = "id",
    dask: Annotated[
        str | None, typer.Option("--dask", help="Adress till ett Dask-kluster.")
    ] = None,
    lang: Annotated[str, typer.Option(
        "--lang", help="Språk i filen: sv (semikolon och decimalkomma, som svenska Excel "
        "läser) eller en.")] = "sv",
    codes: Annotated[bool, typer.Option(
        "--codes", help="Skriv koder och decimalpunkt för andra program i stället för ord.")
    ] = False,
) -> None:
    """Bedöm en fil med elevsvar: nivå, poäng, kategorier och belägg per svar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from kraftsamling.autolarm import load_detector, score_file
    from kraftsamling.tabular import ReadError

    settings = _settings()
    detector = load_detector(settings, progress=lambda note: err_console.print(note))
    columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    try:
        with Progress(*columns, console=err_console, transient=True) as progress:
            task = progress.add_task("Bedömer svar", total=None)
            stats = score_file(source, output, detector=detector, text_column=text_column,
                               id_column=id_column or None, dask_address=dask,
                               progress=lambda n: progress.advance(task, n),
                               language=None if codes else lang)
    except ReadError as error:
        output.unlink(missing_ok=True)
        fail(str(error))
    console.print(f"{stats.rows} svar bedömda: {stats.urgent} akuta, {stats.concern} oro. "
                  f"Resultat i {output}.")


@autolarm_app.command("train")
def autolarm_train(
    labelled: Annotated[
        Path | None, typer.Argument(help="CSV/XLSX med kolumnerna text, level, categories.")
    ] = None,
    from_reviews: Annotated[
        bool, typer.Option("--from-reviews",
                           help="Ta med granskarnas rättade bedömningar från databasen.")
    ] = False,
    no_seed: Annotated[
        bool, typer.Option("--no-seed", help="Träna bara på era egna svar.")
    ] = False,
) -> None:
    """Träna om autolarm på organisationens egna märkta svar."""
    import csv
    import tempfile

    from kraftsamling.autolarm import train_from_file
    from kraftsamling.autolarm._review import labelled_examples
    from kraftsamling.tabular import ReadError, ValidationFailed, read_table

    if labelled is None and not from_reviews:
        fail("Ange en fil med märkta svar, --from-reviews, eller båda.")
    settings = _settings()
    rows: list[dict[str, str]] = []
    if labelled is not None:
        try:
            rows += [{str(k): str(v) for k, v in r.items()}
                     for r in read_table(labelled).frame.to_dict(orient="records")]
        except ReadError as error:
            fail(str(error))
    if from_reviews:
        with _database(settings).session() as session:
            rows += labelled_examples(session)
    if not rows:
        fail("Det finns inga märkta svar att träna på.")
    with tempfile.TemporaryDirectory() as folder:
        combined = Path(folder) / "etiketter.csv"
        with combined.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["text", "level", "categories"],
                                    extrasaction="ignore")
            writer.writeheader()
            writer.writerows({"categories": "", **row} for row in rows)
        try:
            with console.status("Tränar autolarm…"):
                detector, own = train_from_file(combined, settings, include_seed=not no_seed)
        except (ReadError, ValidationFailed, ValueError) as error:
            # Rows of the given file come first, so row numbers are the file's own.
            source = f"'{labelled.name}' " if labelled is not None else ""
            fail(str(error).replace("'etiketter.csv' ", source))
    console.print(f"Modellen är tränad på {own} egna svar"
                  f"{'' if no_seed else ' och grunduppsättningen'}; tröskel för akut: "
                  f"{detector.urgent_threshold_:.2f}.")


@autolarm_app.command("links")
def autolarm_links() -> None:
    """Lista enkätlänkarna: skola, klass, adress och om länken är öppen."""
    from sqlalchemy import select

    from kraftsamling.autolarm._store import SurveyLink

    settings = _settings()
    database = _database(settings)
    table = Table("Id", "Enkät", "Skola", "Klass", "Token", "Öppen")
    table.columns[4].no_wrap = True
    with database.session() as session:
        for link in session.scalars(select(SurveyLink).order_by(SurveyLink.id)):
            table.add_row(str(link.id), link.survey.name, link.school, link.class_name,
                          link.token, "ja" if link.active else "nej")
    console.print(table)
    console.print(f"Länkarna: {settings.public_url.rstrip('/')}/s/<token>", highlight=False)


def _set_link(link: str, *, open: bool) -> None:
    from sqlalchemy import or_, select

    from kraftsamling.autolarm._review import set_link_open
    from kraftsamling.autolarm._store import SurveyLink

    token = link.rstrip("/").rsplit("/s/", 1)[-1]
    database = _database(_settings())
    with database.session() as session:
        found = session.scalar(select(SurveyLink).where(or_(
            SurveyLink.token == token,
            SurveyLink.id == (int(token) if token.isdigit() else -1))))
        if found is None:
            fail(f"Enkätlänken '{link}' finns inte (se 'kraftsamling autolarm links').")
        changed = set_link_open(session, found, open=open, actor="cli")
        where = f"{found.school} {found.class_name}"
    state = "öppen" if open else "stängd"
    console.print(f"Länken för {where} är {state}." if changed
                  else f"Länken för {where} var redan {state}.")


@autolarm_app.command("close-link")
def autolarm_close_link(
    link: Annotated[str, typer.Argument(help="Länkens id, token eller hela adress.")],
) -> None:
    """Stäng en enkätlänk: den tar inte emot fler svar."""
    _set_link(link, open=False)


@autolarm_app.command("open-link")
def autolarm_open_link(
    link: Annotated[str, typer.Argument(help="Länkens id, token eller hela adress.")],
) -> None:
    """Öppna en stängd enkätlänk igen."""
    _set_link(link, open=True)


@autolarm_app.command("explain")
def autolarm_explain(text: Annotated[str, typer.Argument(help="Ett svar att bedöma.")]) -> None:
    """Visa hur autolarm bedömer ett enskilt svar, med belägg."""
    from kraftsamling.autolarm import CATEGORY_LABELS, LEVEL_LABELS, load_detector, score_texts

    settings = _settings()
    detector = load_detector(settings, progress=lambda note: err_console.print(note))
    redacted, assessment = score_texts(detector, [text])[0]
    console.print(f"Nivå: [bold]{LEVEL_LABELS[assessment.level]}[/] "
                  f"(sannolikhet akut {assessment.score:.2f})", highlight=False)
    if assessment.categories:
        console.print("Kategorier: " + ", ".join(CATEGORY_LABELS[c]
                                                for c in assessment.categories))
    for evidence in assessment.evidence:
        console.print(f"Belägg: \"{redacted[evidence.start:evidence.end]}\" "
                      f"({evidence.source})", highlight=False)
    if assessment.suppressed:
        console.print("Bortsett från träffar på grund av: " + ", ".join(assessment.suppressed))


ChatFormat = Annotated[str, typer.Option("--format", help="canonical eller esconv.")]


def _analyse_chats(source: Path, settings: Settings, format: str, survey: Path | None
                   ) -> tuple[Any, list[Any], bool]:
    """Read, pseudonymise and analyse, with progress; exits with the reason on bad input."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from kraftsamling.chat import load_chat_model, read_conversations, read_survey
    from kraftsamling.chat._service import analyze_with_settings

    try:
        if survey is not None:
            read_survey(survey)  # a bad survey file stops us before the long work
        model, demo = load_chat_model(settings, progress=lambda note: err_console.print(note))
        with err_console.status("Läser och pseudonymiserar samtalen…"):
            conversations = read_conversations(source, settings, format=format)
        columns = ("[progress.description]{task.description}", BarColumn(),
                   MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err_console, transient=True) as progress:
            task = progress.add_task("Analyserar samtal", total=len(conversations))
            analysis = analyze_with_settings(
                conversations, settings, model=model, survey=survey,
                progress=lambda n: progress.advance(task, n))
    except ValueError as error:  # ReadError and ValidationFailed are ValueErrors
        fail(str(error))
    if demo:
        err_console.print("[yellow]Obs:[/] modellen är demomodellen, tränad på syntetiska "
                          "chattar. Träna en riktig med `kraftsamling chat train`.")
    return analysis, conversations, demo


@chat_app.command("analyze")
def chat_analyze(
    source: Annotated[Path, typer.Argument(help="Chattar: .csv, .jsonl (en rad per meddelande) "
                                                "eller ESConv (.jsonl, --format esconv).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="CSV att skriva.")],
    format: ChatFormat = "canonical",
    survey: Annotated[Path | None, typer.Option(
        "--survey", help="Enkät: conversation_id, mood_before, mood_after, experience.")] = None,
    all_columns: Annotated[bool, typer.Option(
        "--all-columns", help="Ta med alla fält (problemtyp, volontär, starttid …).")] = False,
) -> None:
    """Analysera chattar: en rad per samtal med ämnen, mående, upplevelse och belastning."""
    from kraftsamling.chat import write_analysis_csv

    settings = _settings()
    analysis, _, _ = _analyse_chats(source, settings, format, survey)
    write_analysis_csv(analysis, output, all_columns=all_columns)
    demanding = sum(i.demanding for i in analysis.insights)
    console.print(f"{len(analysis.insights)} samtal analyserade, {demanding} krävande; "
                  f"{analysis.share_unassigned:.0%} utan ämne ur ämneslistan "
                  f"({len(analysis.discovered)} nya ämnen upptäckta). Resultat i {output}.")


@chat_app.command("import")
def chat_import(
    source: Annotated[Path, typer.Argument(help="Chattar att analysera och spara.")],
    format: ChatFormat = "canonical",
    survey: Annotated[Path | None, typer.Option("--survey", help="Enkätfil.")] = None,
    user: Annotated[str, typer.Option("--user", help="Vem som importerar (loggas).")] = "cli",
) -> None:
    """Analysera chattar och spara dem (pseudonymiserade) för samordnarnas översikt."""
    from kraftsamling.chat._store import save_analysis
    from kraftsamling.store import record_event

    settings = _settings()
    database = _database(settings)
    analysis, conversations, demo = _analyse_chats(source, settings, format, survey)
    with database.session() as session:
        batch = save_analysis(session, analysis, conversations, filename=source.name,
                              imported_by=user, demo_model=demo)
        record_event(session, actor=user, action="chat.import", object_type="chat_batch",
                     object_id=batch.id, detail={"conversations": batch.conversations})
    console.print(f"{batch.conversations} samtal sparade (import {batch.id}).")


@chat_app.command("train")
def chat_train(
    source: Annotated[Path, typer.Argument(help="Märkta samtal, t.ex. ESConv:s train.jsonl.")],
    format: ChatFormat = "esconv",
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Spara här i stället för som organisationens modell.")] = None,
) -> None:
    """Träna chattmodellen (problem, mående, upplevelse) på märkta samtal."""
    from kraftsamling.chat import train_chat_model

    settings = _settings()
    try:
        with err_console.status("Tränar chattmodellen…"):
            model, target = train_chat_model(source, settings, format=format, output=output)
    except ValueError as error:
        fail(str(error))
    console.print(f"Chattmodellen är tränad på {model.n_training_} samtal och sparad i {target}.")


CaseKind = Annotated[str, typer.Option("--kind", help="economic-assistance eller social-services.")]
ModelPath = Annotated[Path | None, typer.Option(
    "--model", help="Modellfil (annars organisationens, i datakatalogen).")]


def _case_model_path(settings: Settings, kind: str | None, model: Path | None) -> Path:
    from kraftsamling.cases import case_model_path

    if model is not None:
        return model
    try:
        return case_model_path(settings.data_dir, kind or "economic-assistance")
    except ValueError as error:
        fail(str(error))


def _case_table(source: Path) -> Any:
    from kraftsamling.cases import read_case_table

    try:
        return read_case_table(source)
    except ValueError as error:
        fail(str(error))


def _load_case_models(kind: str | None, model: Path | None) -> Any:
    from kraftsamling.cases import CaseModels

    try:
        return CaseModels.load(_case_model_path(_settings(), kind, model))
    except ValueError as error:
        fail(str(error))


@cases_app.command("synth")
def cases_synth(
    output: Annotated[Path, typer.Option("-o", "--output", help="CSV att skriva.")],
    kind: CaseKind = "economic-assistance",
    n: Annotated[int, typer.Option("--n", help="Antal personer eller hushåll.")] = 2000,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    truth: Annotated[Path | None, typer.Option(
        "--truth", help="Skriv de sanna effekterna hit (annars OUTPUT-truth.csv).")] = None,
    panel: Annotated[Path | None, typer.Option(
        "--panel", help="Skriv även hushållsmånader (bara economic-assistance).")] = None,
) -> None:
    """Skapa syntetiska ärenden med kända sanna effekter (för test och övning)."""
    from kraftsamling.cases import (
        household_months,
        synthetic_economic_assistance,
        synthetic_social_services,
    )

    if kind not in ("economic-assistance", "social-services"):
        fail(f"Okänd sort {kind!r}: välj economic-assistance eller social-services.")
    try:
        cases = (synthetic_economic_assistance(n, seed=seed) if kind == "economic-assistance"
                 else synthetic_social_services(n, seed=seed))
    except ValueError as error:
        fail(str(error))
    cases.data.to_csv(output, index=False)
    truth_path = truth or output.with_name(output.stem + "-truth.csv")
    cases.truth.to_csv(truth_path, index=False)
    if panel is not None:
        if kind != "economic-assistance":
            fail("--panel finns bara för economic-assistance.")
        household_months(cases, seed=seed).to_csv(panel, index=False)
    console.print(f"{n} rader ({kind}) i {output}; sanna effekter i {truth_path}.")


@cases_app.command("effect")
def cases_effect(
    source: Annotated[Path, typer.Argument(help="Data: .csv, .tsv eller .xlsx.")],
    treatment: Annotated[str, typer.Option("--treatment", help="Kolumnen med insatsen.")],
    outcome: Annotated[str, typer.Option("--outcome", help="Kolumnen med utfallet.")],
    covariates: Annotated[str | None, typer.Option(
        "--covariates", help="Kommaseparerade kolumner (standard: alla andra).")] = None,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Skriv effekt per rad (CATE) hit.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Sista raden som JSON.")] = False,
    estimand: Annotated[str, typer.Option(
        "--estimand", help="ate (alla) eller att (de som fick insatsen).")] = "ate",
    treated: Annotated[str | None, typer.Option(
        "--treated", help="Värdet som betyder insats, om kolumnen har fler än två.")] = None,
    control: Annotated[str, typer.Option(
        "--control", help="Värdet som betyder ingen insats (med --treated).")] = "ingen",
    per_row: Annotated[bool, typer.Option(
        "--per-row/--no-per-row", help="Skatta effekt per rad.")] = True,
    cate_method: Annotated[str, typer.Option(
        "--cate-method", help="Modell för effekt per rad: auto (alla kandidater, valda på "
        "utelämnade delar efter R-förlust), eller en kandidat: t-learner, s-learner, "
        "x-learner, dr-learner, causal-forest (forest), econml-dr, gaussian-process.")
        ] = "auto",
    selection: Annotated[str, typer.Option(
        "--selection", help="Med auto: best (kandidaten med bäst R-poäng), near-best "
        "(medel av kandidaterna inom ett standardfel från den bästa) eller stack "
        "(viktad efter R-förlust).")] = "near-best",
) -> None:
    """Skatta en insats genomsnittliga effekt med 95 % KI (dubbelt robust)."""
    import json

    import numpy as np

    from kraftsamling.cases import EffectEstimator, OverlapError
    from kraftsamling.cases._effect import CATE_METHODS

    frame = _case_table(source)
    for column in (treatment, outcome):
        if column not in frame.columns:
            fail(f"Kolumnen {column!r} finns inte. Finns: " + ", ".join(map(str, frame.columns)))
    if estimand not in ("ate", "att"):
        fail("--estimand måste vara ate eller att.")
    if cate_method not in CATE_METHODS:
        fail("--cate-method måste vara en av: " + ", ".join(CATE_METHODS) + ".")
    if selection not in ("stack", "best", "near-best"):
        fail("--selection måste vara best, near-best eller stack.")
    names = [c.strip() for c in covariates.split(",")] if covariates else \
        [c for c in frame.columns if c not in (treatment, outcome)]
    unknown = [c for c in names if c not in frame.columns]
    if unknown:
        fail("Okända kovariater: " + ", ".join(unknown))
    values = frame[treatment]
    if treated is not None:
        keep = values.astype(str).isin([treated, control])
        frame = frame[keep].reset_index(drop=True)
        t = (frame[treatment].astype(str) == treated).astype(int)
    else:
        mapping = {"1": 1, "0": 0, "true": 1, "false": 0, "ja": 1, "nej": 0, "1.0": 1, "0.0": 0}
        lowered = values.astype(str).str.strip().str.lower()
        if not lowered.isin(list(mapping)).all():
            levels = ", ".join(sorted(values.astype(str).unique())[:8])
            fail(f"Insatsen {treatment!r} är inte 0/1 (värden: {levels}). Ange --treated VÄRDE.")
        t = lowered.map(mapping).astype(int)
    y = frame[outcome]
    if not np.issubdtype(y.dtype, np.number) or y.isna().any():
        fail(f"Utfallet {outcome!r} måste vara tal utan tomma rader.")
    try:
        x = frame[names]
        with err_console.status("Skattar effekten…"):
            estimator = EffectEstimator(estimand=cast(Any, estimand), cate=per_row,
                                        cate_method=cast(Any, cate_method),
                                        selection=cast(Any, selection)).fit(x, t, y)
            result = estimator.estimate(x)
    except (OverlapError, ValueError) as error:
        fail(str(error))
    console.print(f"Effekt ({result.method}): {result.ate:.4g} "
                  f"(95 % KI {result.ci_low:.4g} till {result.ci_high:.4g}), n = {result.n}.",
                  highlight=False)
    dropped = result.overlap.treated_dropped + result.overlap.control_dropped
    if dropped:
        console.print(f"{dropped} rader utan jämförbara motsvarigheter lämnades utanför.")
    for note in result.notes:
        console.print(note, highlight=False)
    if result.cate_method is not None:
        console.print(f"Effekt per rad: {result.cate_method}.", highlight=False)
        console.print("Kandidater (R-poäng på utelämnade delar, högre är bättre; vikt i "
                      "valet):", highlight=False)
        for candidate in result.candidates:
            console.print(f"  {candidate.label}: {candidate.r_score:.4f}, vikt "
                          f"{candidate.weight:.2f}", highlight=False)
    if output is not None and per_row:
        out = frame.copy()
        out["cate"], out["cate_low"], out["cate_high"] = \
            result.cate, result.cate_low, result.cate_high
        safe_frame(out).to_csv(output, index=False)  # OWASP: no formulas
        console.print(f"Effekt per rad i {output}.")
    if as_json:
        typer.echo(json.dumps(result.summary()))


@cases_app.command("train")
def cases_train(
    source: Annotated[Path, typer.Argument(help="Ärenden (en rad per person/hushåll).")],
    kind: CaseKind = "economic-assistance",
    model: ModelPath = None,
    register: Annotated[Path | None, typer.Option(
        "--register", help="Register över förbjudna variabler (TOML).")] = None,
) -> None:
    """Träna risk-, effekt- och granskningsmodellerna och spara dem."""
    from kraftsamling.cases import FeatureRegister, ForbiddenFeatureError, train_case_models

    settings = _settings()
    frame = _case_table(source)
    try:
        rules = FeatureRegister.from_toml(register or settings.cases_register)
        models = train_case_models(frame, kind=kind, register=rules,
                                   progress=lambda note: err_console.print(note))
    except (ValueError, ForbiddenFeatureError) as error:
        fail(str(error))
    target = models.save(_case_model_path(settings, kind, model))
    m = models.metrics
    console.print(f"Tränad på {models.n_train} rader: AUC {m['auc']:.3f}, Brier "
                  f"{m['brier']:.3f}, kalibreringsfel {m['calibration_error']:.3f}. "
                  f"Sparad i {target}.", highlight=False)
    for name, why in models.refused.items():
        err_console.print(f"[yellow]{name}:[/] {why}", highlight=False)
    for flag in models.audit.flags:
        err_console.print(f"[yellow]Rättvisa:[/] {flag}", highlight=False)


@cases_app.command("predict")
def cases_predict(
    source: Annotated[Path, typer.Argument(help="Ärenden att bedöma.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="CSV att skriva.")],
    kind: CaseKind = "economic-assistance",
    model: ModelPath = None,
) -> None:
    """Risk, skäl i klartext och rekommenderad insats per person."""
    from kraftsamling.cases import predict_cases

    models = _load_case_models(kind, model)
    frame = _case_table(source)
    try:
        with err_console.status("Bedömer…"):
            answer = predict_cases(models, frame)
    except ValueError as error:
        fail(str(error))
    safe_frame(answer).to_csv(output, index=False)  # OWASP: no formulas
    console.print(f"{len(answer)} bedömningar i {output}.")


def _parse_pairs(text: str | None, option: str) -> dict[str, float]:
    pairs: dict[str, float] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, _, value = part.partition("=")
        try:  # without "=", value is "" and does not parse either
            pairs[name.strip()] = float(value)
        except ValueError:
            fail(f"{option}: skriv NAMN=TAL, kommaseparerat (fick {part!r}).")
    return pairs


@cases_app.command("allocate")
def cases_allocate(
    source: Annotated[Path, typer.Argument(help="Ärenden att fördela platser till.")],
    places: Annotated[str, typer.Option(
        "--places", help="Platser per insats, t.ex. jobbtorg=40,studier=10.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Plan (CSV).")],
    kind: CaseKind = "economic-assistance",
    model: ModelPath = None,
    cost: Annotated[str | None, typer.Option(
        "--cost", help="Kostnad per insats, NAMN=TAL.")] = None,
    budget: Annotated[float | None, typer.Option("--budget")] = None,
    fair_by: Annotated[str | None, typer.Option(
        "--fair-by", help="Grupp som ska få likvärdig andel platser (t.ex. district).")] = None,
    min_ratio: Annotated[float, typer.Option(
        "--min-ratio", help="Minsta kvot mellan gruppernas andelar.")] = 0.8,
) -> None:
    """Fördela platser för största förväntade nytta; jämför med nuvarande praxis."""
    from kraftsamling.cases import allocation_plan

    models = _load_case_models(kind, model)
    frame = _case_table(source)
    capacity = {k: int(v) for k, v in _parse_pairs(places, "--places").items()}
    try:
        plan, compared = allocation_plan(
            models, frame, capacity, cost=_parse_pairs(cost, "--cost"), budget=budget,
            fair_by=fair_by, min_ratio=min_ratio if fair_by else None)
    except ValueError as error:
        fail(str(error))
    safe_frame(plan).to_csv(output, index=False)  # OWASP: no formulas
    table = Table("Fördelning", "Förväntad nytta (färre med långvarigt behov)")
    labels = {"optimal": "Optimal plan", "current": "Nuvarande praxis", "random": "Slump",
              "risk_first": "Högst risk först"}
    for key, allocation in compared.items():
        table.add_row(labels[key], f"{allocation.expected_benefit:.1f}")
    console.print(table)
    console.print(f"Plan i {output}. Rekommendation: handläggaren beslutar.")


@cases_app.command("audit")
def cases_audit(
    kind: CaseKind = "economic-assistance",
    model: ModelPath = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Tabell (CSV).")] = None,
) -> None:
    """Rättvisegranskning per grupp: hur ofta modellen väljer ut, hittar rätt och larmar i
    onödan, och hur väl risken stämmer (med konfidensintervall)."""
    models = _load_case_models(kind, model)
    frame = models.audit.to_frame()
    if output is not None:
        safe_frame(frame).to_csv(output, index=False)  # OWASP: no formulas
    for name, part in models.audit.tables.items():
        table = Table(name, "antal", "urvalsandel", "TPR", "FPR", "kalibrering")
        for _, row in part.iterrows():
            table.add_row(str(row["grupp"]), str(int(row["antal"])),
                          f"{row['urvalsandel']:.2f}", f"{row['TPR']:.2f}",
                          f"{row['FPR']:.2f}", f"{row['kalibrering']:+.3f}")
        console.print(table)
    if models.audit.flags:
        for flag in models.audit.flags:
            console.print(f"[yellow]Flagga:[/] {flag}", highlight=False)
    else:
        console.print("Inga skillnader över gränserna.")


@cases_app.command("card")
def cases_card(
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML-fil att skriva.")],
    kind: CaseKind = "economic-assistance",
    model: ModelPath = None,
) -> None:
    """Modellkortet på svenska som HTML."""
    from kraftsamling.cases import render_model_card

    models = _load_case_models(kind, model)
    output.write_text(render_model_card(models), encoding="utf-8")
    console.print(f"Modellkortet i {output}.")


WavePaths = Annotated[list[Path], typer.Argument(
    help="En fil per mätning (termin), i tidsordning: .csv, .tsv eller .xlsx.")]
AutolarmOption = Annotated[bool, typer.Option(
    "--autolarm/--no-autolarm", help="Bedöm fritextsvar med autolarm.")]


def _twin_waves(paths: list[Path], *, autolarm: bool, reveal: bool = False) -> Any:
    from kraftsamling.privacy import text_tagger
    from kraftsamling.settings import pseudonym_key
    from kraftsamling.twin import read_waves, score_alarms

    settings = _settings()
    tagger = text_tagger(settings)
    try:
        waves = read_waves(paths, key=pseudonym_key(settings), redact=tagger.redact,
                           keep_originals=reveal)
    except ValueError as error:
        fail(str(error))
    if autolarm:
        from kraftsamling.autolarm._service import load_detector

        with err_console.status("Bedömer fritextsvar med autolarm…"):
            flagged = score_alarms(waves, load_detector(settings))
        err_console.print(f"Autolarm flaggade {flagged} fritextsvar.")
    return waves


def _reveal(frame: Any, waves: Any) -> Any:
    originals: dict[str, str] = {}
    for wave in waves:
        originals.update(wave.originals)
    frame["pupil_id"] = frame["pupil_id"].map(lambda p: originals.get(p, p))
    return frame


@twin_app.command("predict")
def twin_predict(
    waves: WavePaths,
    output: Annotated[Path, typer.Option("-o", "--output", help="Risk per elev (CSV).")],
    autolarm: AutolarmOption = True,
    reveal_ids: Annotated[bool, typer.Option(
        "--reveal-ids", help="Skriv skolans egna elev-id i filen (annars pseudonymer).")
    ] = False,
) -> None:
    """Sannolikheten att varje elev blir utsatt nästa termin, med skäl i klartext."""
    from kraftsamling.twin import evaluate_prediction, predict_next

    read = _twin_waves(waves, autolarm=autolarm, reveal=reveal_ids)
    try:
        answer = predict_next(read)
    except ValueError as error:
        fail(str(error))
    if reveal_ids:
        answer = _reveal(answer, read)
    safe_frame(answer).to_csv(output, index=False)  # OWASP: no formulas
    console.print(f"Risk för {len(answer)} elever i {output} (lärt från {len(read) - 1} "
                  "övergångar mellan mätningar).")
    if len(read) >= 3:
        try:
            m = evaluate_prediction(read)
        except ValueError as error:
            err_console.print(f"Ingen utvärdering: {error}")
            return
        console.print(f"Utvärdering på sista övergången (tränad på de tidigare): AUC "
                      f"{m['auc']:.3f} mot {m['carry_forward_auc']:.3f} för att föra fram "
                      f"senaste mätningen; Brier {m['brier']:.3f}; kalibreringsfel "
                      f"{m['calibration_error']:.3f}.", highlight=False)


@twin_app.command("simulate")
def twin_simulate(
    waves: WavePaths,
    output: Annotated[Path, typer.Option("-o", "--output", help="Resultat per elev (CSV).")],
    intervention: Annotated[list[str], typer.Option(
        "--intervention", help="NAMN[:ARG]: regroup, defenders[:3|:id,id], adults[:0.3], "
        "buddies. Kan anges flera gånger.")],
    class_name: Annotated[str | None, typer.Option(
        "--class", help="Bara den här klassen (annars alla).")] = None,
    runs: Annotated[int, typer.Option("--runs", help="Simulerade terminer per insats.")] = 1000,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    autolarm: AutolarmOption = False,
    reveal_ids: Annotated[bool, typer.Option(
        "--reveal-ids", help="Skriv skolans egna elev-id i filen (annars pseudonymer).")
    ] = False,
) -> None:
    """Simulera nästa termin med och utan insatser; jämför förväntad utsatthet."""
    import pandas as pd

    from kraftsamling.twin import class_twin, parse_intervention

    try:
        chosen = [parse_intervention(text) for text in intervention]
    except ValueError as error:
        fail(str(error))
    if runs < 10:
        fail("--runs måste vara minst 10.")
    read = _twin_waves(waves, autolarm=autolarm, reveal=reveal_ids)
    if reveal_ids:  # the command line names pupils by the school's own ids
        aliases = {o: a for w in read for a, o in w.originals.items()}
        chosen = [type(c)(c.name, tuple(aliases.get(p, p) for p in c.pupils), c.count,
                          c.amount) for c in chosen]
    classes = [class_name] if class_name else read[-1].classes
    parts = []
    summary = Table("Klass", "Insats", "Förväntat antal utsatta (95 %)",
                    "Förändring mot ingen insats (95 % KI)")
    for name in classes:
        try:
            twin = class_twin(read, name, chosen, runs=runs, seed=seed,
                              note=lambda text: err_console.print(text))
        except ValueError as error:
            fail(str(error))
        for _, row in twin.summary.iterrows():
            summary.add_row(name, str(row["label"]),
                            f"{row['expected_victims']:.1f} ({row['victims_low']:.0f}–"
                            f"{row['victims_high']:.0f})",
                            "–" if row["intervention"] == "none" else
                            f"{row['change']:+.2f} ({row['change_low']:+.2f} till "
                            f"{row['change_high']:+.2f})")
        risks = twin.risks.rename(columns=lambda c: f"risk_{c}").reset_index(
            names="pupil_id")
        for column in [c for c in risks.columns if c.startswith("risk_") and c != "risk_none"]:
            risks[column.replace("risk_", "change_")] = risks[column] - risks["risk_none"]
        parts.append(risks.assign(**{"class": name}))
    table = pd.concat(parts, ignore_index=True)
    table = table[["pupil_id", "class", *[c for c in table.columns
                                          if c not in ("pupil_id", "class")]]].round(4)
    if reveal_ids:
        table = _reveal(table, read)
    safe_frame(table).to_csv(output, index=False)  # OWASP: no formulas
    console.print(summary)
    console.print(f"Risk per elev och insats i {output}. Simuleringen visar förväntningar, "
                  "inte besked om enskilda elever.")


@twin_app.command("import-matrices")
def twin_import_matrices(
    directory: Annotated[Path, typer.Argument(help="Mappen med matrisfilerna (.dat).")],
    prefix: Annotated[str, typer.Option(
        "--prefix", help="Filnamnens början: klas12b-net- läser klas12b-net-1.dat, "
        "klas12b-net-2.dat …")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Mapp för enkätfilerna.")],
    class_name: Annotated[str | None, typer.Option(
        "--class", help="Klassens namn (annars mappens namn).")] = None,
    gender: Annotated[str | None, typer.Option(
        "--gender", help="Kön: ett värde för alla (flicka) eller FIL[:KOLUMN] kodad 1 flicka, "
        "2 pojke.")] = None,
    attribute: Annotated[list[str] | None, typer.Option(
        "--attribute", help="NAMN=FIL[@FÖRSTA_MÄTNINGEN], t.ex. alkohol=klas12b-alcohol.dat@2; "
        "0 betyder saknas. Kan anges flera gånger.")] = None,
) -> None:
    """Läs RSiena-matriser (en .dat per mätning; 9 saknas, 10 inte i klassen) och skriv dem
    som enkätfiler som tvillingen läser, ett beteende per fil."""
    from kraftsamling.twin import (
        read_behaviour_matrix,
        read_matrix_waves,
        write_behaviour,
        write_survey_waves,
    )

    if not directory.is_dir():
        fail(f"Mappen {directory} finns inte.")
    try:
        waves = read_matrix_waves(directory, prefix, class_name=class_name, gender=gender)
        n = len({p for w in waves for p in w.originals})
        behaviours = []
        for spec in attribute or []:
            name, sep, rest = spec.partition("=")
            if not sep or not name.strip() or not rest.strip():
                raise ValueError(f"--attribute {spec!r}: skriv NAMN=FIL eller NAMN=FIL@N.")
            file, _, first = rest.partition("@")
            if first and not first.strip().isdigit():
                raise ValueError(f"--attribute {spec!r}: efter @ kommer mätningens nummer.")
            frame = read_behaviour_matrix(directory / file.strip(), waves,
                                          first_wave=int(first or 1))
            behaviours.append((name.strip(), frame))
    except ValueError as error:
        fail(str(error))
    paths = write_survey_waves(waves, output)
    originals = {a: o for w in waves for a, o in w.originals.items()}
    for name, frame in behaviours:
        write_behaviour(frame, output / f"{name}.csv", name=name, originals=originals)
    console.print(f"{len(paths)} mätningar med {n} elever i {output}: "
                  + ", ".join(p.name for p in paths)
                  + ("; beteenden: " + ", ".join(f"{b}.csv" for b, _ in behaviours)
                     if behaviours else "") + ".", highlight=False)


@twin_app.command("import-edges")
def twin_import_edges(
    edges: Annotated[Path, typer.Argument(help="Kantlista: from,to[,wave][,tie].")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Mapp för enkätfilerna.")],
    pupils: Annotated[Path | None, typer.Option(
        "--pupils", help="Elevlista med kolumnerna 'pupil_id' och valfritt 'wave', 'class' och "
        "'gender' — vem som är med i varje mätning.")] = None,
    class_name: Annotated[str, typer.Option("--class", help="Klassens namn.")] = "klass",
) -> None:
    """Läs en kantlista (en rad per vänskap; tie 9 = okänd) och skriv enkätfiler."""
    from kraftsamling.tabular import read_table
    from kraftsamling.twin import read_edge_list, write_survey_waves

    try:
        roster = read_table(pupils).frame if pupils is not None else None
        waves = read_edge_list(edges, pupils=roster, class_name=class_name)
    except ValueError as error:
        fail(str(error))
    paths = write_survey_waves(waves, output)
    console.print(f"{len(paths)} mätningar i {output}: " + ", ".join(p.name for p in paths)
                  + ".", highlight=False)


@twin_app.command("evaluate")
def twin_evaluate(
    waves: WavePaths,
    behaviour: Annotated[Path | None, typer.Option(
        "--behaviour", help="Ett beteende per mätning: kolumnen 'pupil_id' och en kolumn per "
        "mätning.")] = None,
    class_name: Annotated[str | None, typer.Option(
        "--class", help="Bara den här klassen (annars alla).")] = None,
    runs: Annotated[int, typer.Option("--runs", help="Simulerade terminer.")] = 1000,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Skriv också måtten som en rad JSON sist, för skript.")] = False,
    quick: Annotated[bool, typer.Option(
        "--quick", help="Snabbare, grövre anpassning (som webbsidan).")] = False,
) -> None:
    """Hur väl terminsmodellen stämmer med verkliga mätningar: anpassad på näst sista
    övergången, prövad på den sista (goodness of fit som RSiena:s sienaGOF, och AUC)."""
    import json

    import numpy as np

    from kraftsamling.settings import pseudonym_key
    from kraftsamling.twin import (
        QUICK_FIT,
        evaluate_classes,
        evaluate_prediction,
        pooled_summary,
    )
    from kraftsamling.twin import read_behaviour as read_behaviour_file

    if runs < 10:
        fail("--runs måste vara minst 10.")
    read = _twin_waves(waves, autolarm=False)
    levels, name = None, None
    try:
        if behaviour is not None:
            name, levels = read_behaviour_file(behaviour, key=pseudonym_key(_settings()))
        with err_console.status("Anpassar och simulerar …"):
            evaluations = evaluate_classes(read, behaviour=levels, behaviour_name=name,
                                           class_name=class_name, runs=runs, seed=seed,
                                           fit_options=QUICK_FIT if quick else None)
    except ValueError as error:
        fail(str(error))
    for evaluation in evaluations:
        m = evaluation.metrics
        head = (f"Klass {evaluation.class_name}: anpassad på mätning "
                f"{evaluation.fitted_on[0]}→{evaluation.fitted_on[1]}, prövad på "
                f"{evaluation.tested_on[0]}→{evaluation.tested_on[1]} ({evaluation.pupils} "
                f"elever, {evaluation.runs} simulerade terminer)")
        fit = Table("Statistik", "Observerat", "Simulerat medel (90 %)", "p", title=head)
        for statistic in evaluation.statistics:
            table = statistic.table()
            shown = table if len(table) <= 3 else table.iloc[[0, len(table) // 2, -1]]
            observed = ", ".join(f"{v:g}" for v in np.round(shown["observed"], 3))
            simulated = ", ".join(f"{a:.3g} ({lo:.3g}–{hi:.3g})" for a, lo, hi in zip(
                shown["simulated_mean"], shown["simulated_5"], shown["simulated_95"],
                strict=True))
            fit.add_row(statistic.label, observed, simulated, f"{statistic.p:.3f}")
        console.print(fit)
        prediction = Table("Förutsägelse", "Tvillingen", "För fram senaste", "Logistisk (par)")
        prediction.add_row("Vänskap nästa mätning (AUC)", f"{m['tie_auc']:.3f}",
                           f"{m['tie_auc_carry_forward']:.3f}", f"{m['tie_auc_logistic']:.3f}")
        prediction.add_row("Isolerad nästa mätning (AUC)", f"{m['isolation_auc']:.3f}",
                           f"{m['isolation_auc_carry_forward']:.3f}", "–")
        console.print(prediction)
        for note in evaluation.notes:
            err_console.print(note)
    summary = pooled_summary(evaluations)
    try:
        victimisation = evaluate_prediction(read)
        summary["victimisation_auc"] = round(victimisation["auc"], 4)
        summary["victimisation_auc_carry_forward"] = round(
            victimisation["carry_forward_auc"], 4)
        console.print(f"Utsatthet nästa mätning: AUC {victimisation['auc']:.3f} mot "
                      f"{victimisation['carry_forward_auc']:.3f} för att föra fram senaste.",
                      highlight=False)
    except ValueError:
        console.print("Utsatthet: mätningarna saknar nomineringar av elaka elever.")
    if as_json:
        print(json.dumps(summary, ensure_ascii=False, allow_nan=False, default=str))
# -- model cards, compliance papers, retention --------------------------------------------


@app.command("card")
def card(
    module: Annotated[str, typer.Argument(
        help="Modul: privacy, autolarm, chat, twin eller cases.")],
    lang: Annotated[str, typer.Option("--lang", help="Språk: sv eller en.")] = "sv",
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="HTML-fil att skriva; utan den skrivs sidan ut.")] = None,
) -> None:
    """Modellkorten för en moduls modeller som en HTML-sida (svenska, engelska med --lang en)."""
    from kraftsamling.compliance import installation_live, render_cards

    if lang not in ("sv", "en"):
        fail(f"Okänt språk '{lang}'. Välj sv eller en.")
    try:
        html = render_cards(module, lang,
                            live=installation_live(_settings().data_dir, module))
    except ValueError as error:
        fail(str(error))
    if output is None:
        sys.stdout.write(html)
        return
    output.write_text(html, encoding="utf-8")
    console.print(f"Modellkorten för {module} i {output}.")


@compliance_app.command("report")
def compliance_report(
    output: Annotated[Path, typer.Option("-o", "--output", help="Mapp att skriva till.")],
    module: Annotated[list[str] | None, typer.Option(
        "--module", help="Modul (kan upprepas); utan den alla moduler.")] = None,
) -> None:
    """Konsekvensbedömning (utkast), register över behandling och AI-förordningens checklista
    per modul, som HTML och DOCX, skrivna ur installationens inställningar och modeller."""
    from kraftsamling.compliance import write_report

    settings = _settings()
    database = _database(settings)
    try:
        written = write_report(settings, database, modules=module or [], output=output,
                               actor="cli")
    except ValueError as error:
        fail(str(error))
    for path in written:
        console.print(f"  {path}", highlight=False)
    console.print(f"{len(written)} filer i {output}. Delar märkta \"Att avgöra av "
                  "organisationen\" fyller ni i.")


@retention_app.command("apply")
def retention_apply(
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Räkna bara; radera inget.")] = False,
) -> None:
    """Radera rader äldre än tabellens gallringsfrist (inställningen 'retention_days'); varje
    tabell loggas.
    Granskningsloggen gallras aldrig."""
    from kraftsamling.compliance import apply_retention

    settings = _settings()
    results = apply_retention(settings, _database(settings), actor="cli", dry_run=dry_run)
    if not results:
        console.print("Ingen gallringsfrist är satt (retention_days): inget raderat.")
        return
    table = Table("Tabell", "Frist (dagar)", "Äldre än", "Rader" if dry_run else "Raderade")
    for result in results:
        table.add_row(result.table, str(result.days), f"{result.cutoff:%Y-%m-%d %H:%M}",
                      str(result.rows))
    console.print(table)
    if dry_run:
        console.print("Provkörning: inget raderat.")


def main() -> None:
    from kraftsamling._cli_text import translate_command

    command = translate_command(typer.main.get_command(app))
    command(prog_name="kraftsamling")
