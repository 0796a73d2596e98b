"""The ``kraftsamling`` command: the core's own commands (serve, demo, config) and every
plugin's (``register_commands``: db, users, data, audit, privacy, autolarm, chat, cases, twin,
card, compliance, retention). Thin by design: parse options, call the library, report."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from kraftsamling import __version__, shell
from kraftsamling.plugins import plugin_manager
from kraftsamling.settings import CONFIG_ENV, Settings, load_settings, masked_settings
from kraftsamling.shell import console, fail, say
from kraftsamling.store import SchemaOutOfDateError

__all__ = ["app", "main"]

app = typer.Typer(
    name="kraftsamling",
    help="Kraftsamling: AI på välfärdsdata, på egen maskin, lagligt och säkert.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
config_app = typer.Typer(help="Inställningar: visa vad som gäller.", no_args_is_help=True)
app.add_typer(config_app, name="config")


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


# How long the server keeps an idle connection open (uvicorn's default is 5 s). Longer than
# a client's own idle expiry (httpx: 5 s), so a client never sends a request on a connection
# the server closes at that same moment: that race answered 19 of 100 logins under load with
# a reset connection (issue 19). Browsers keep idle connections longer and retry a request
# whose reused connection was closed.
KEEP_ALIVE_SECONDS = 75


def _serve(settings: Settings, host: str | None, port: int | None, *,
           when_serving: Callable[[], None] | None = None) -> None:
    """Serve the web app; ``when_serving`` runs once it answers (the demo's background
    steps start then, so they do not slow the server's own start)."""
    import logging

    import uvicorn

    from kraftsamling.privacy import Pseudonymization, install_log_redaction
    from kraftsamling.web import create_app

    try:
        web_app = create_app(settings)
    except SchemaOutOfDateError as error:
        fail(str(error))
    config = uvicorn.Config(web_app, host=host or settings.host, port=port or settings.port,
                            log_level="warning", server_header=False,
                            timeout_keep_alive=KEEP_ALIVE_SECONDS)
    analyzer = Pseudonymization.for_settings(settings).analyzer
    for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        if logger.handlers or name == "":
            install_log_redaction(logger, analyzer)
    server = uvicorn.Server(config)
    if when_serving is not None:
        def watch() -> None:
            while not server.started and not server.should_exit:
                time.sleep(0.05)
            if server.started:
                when_serving()

        threading.Thread(target=watch, name="kraftsamling-started", daemon=True).start()
    server.run()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Adress att lyssna på.")] = None,
    port: Annotated[int | None, typer.Option(help="Port att lyssna på.")] = None,
) -> None:
    """Starta webbappen."""
    settings = shell.settings()
    console.print(f"Kraftsamling på http://{host or settings.host}:{port or settings.port}/")
    _serve(settings, host, port)


DEMO_ALERT_EMAIL = "elevhalsan@demoskolan.example"


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
    from kraftsamling.demo import MailCatcher, build_demo

    started = time.perf_counter()
    base = load_settings(data_dir=data_dir)
    url = f"http://{host or base.host}:{port or base.port}"
    overrides: dict[str, Any] = {"data_dir": data_dir, "public_url": url}
    catcher: MailCatcher | None = None
    if mail_catcher and serve_app:
        try:
            catcher = MailCatcher(data_dir.resolve() / "e-post", told=say).start()
        except ImportError:
            say("Ingen lokal e-post: installera aiosmtpd (pip install 'kraftsamling[demo]').")
        else:
            overrides.update(smtp_host=catcher.host, smtp_port=catcher.port,
                             alert_email_to=[DEMO_ALERT_EMAIL])
    settings = load_settings(**overrides)
    say(f"Bygger demodatabasen i {data_dir.resolve()} …")
    info = build_demo(settings, progress=say, defer=serve_app)
    table = Table(title="Demoinloggningar", show_lines=False)
    for column in ("Användare", "Lösenord", "Roll"):
        table.add_column(column)
    from kraftsamling.web import label

    for user in info.users:
        table.add_row(user.username, user.password, label(user.role.value, "role"))
    console.print(table)
    if catcher is not None:
        say(f"Larmens e-post till {DEMO_ALERT_EMAIL} tas emot lokalt "
             f"(smtp://{catcher.host}:{catcher.port}) och sparas i {catcher.folder}.")
    say("Så använder kommandona i README samma demodatabas: "
         f"export KRAFTSAMLING_DATA_DIR={data_dir.resolve()}")
    if not serve_app:
        say(f"Demodatabasen klar på {time.perf_counter() - started:.0f} s.")
        return

    def serving() -> None:
        say(f"Demon finns på {url}/ (klar på {time.perf_counter() - started:.0f} s)")
        if info.pending:
            say("Elevsvaren i granskningskön, chattar, ärenden och klasstvilling byggs medan "
                "appen redan är igång; de sidorna fylls när stegen nedan är klara.")
            threading.Thread(target=info.finish, name="kraftsamling-demo", daemon=True).start()

    try:
        _serve(settings, host, port, when_serving=serving)
    finally:
        if catcher is not None:
            catcher.stop()



# -- config ----------------------------------------------------------------------------------


@config_app.command("show")
def config_show() -> None:
    """Visa inställningarna som gäller, med hemligheter maskerade."""
    settings = shell.settings()
    table = Table("Inställning", "Värde", "Miljövariabel")
    for name, value in masked_settings(settings).items():
        table.add_row(name, value, f"KRAFTSAMLING_{name.upper()}")
    console.print(table)


plugin_manager().hook.register_commands(cli=app)


def main() -> None:
    from kraftsamling._cli_text import translate_command

    command = translate_command(typer.main.get_command(app))
    command(prog_name="kraftsamling")
