"""What every module's commands share: the consoles, a Swedish failure, settings, database.

Each module's ``cli.py`` parses its options, calls one library method and renders with
these; none of them holds domain logic.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NoReturn, TypeVar

import typer
from rich.console import Console

from kraftsamling._cli_text import translate_command
from kraftsamling.settings import Settings, load_settings
from kraftsamling.store import Database, SchemaOutOfDateError

if TYPE_CHECKING:
    from kraftsamling.services import ModuleService

__all__ = ["console", "database", "err_console", "fail", "group", "say", "service", "settings",
           "translate_command"]

Service = TypeVar("Service", bound="ModuleService")

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``Fel: message`` on standard error and exit (no traceback)."""
    err_console.print(f"[bold red]Fel:[/] {message}", highlight=False)
    raise typer.Exit(code)


def settings() -> Settings:
    """The installation's settings; a bad file or variable is a Swedish error."""
    try:
        return load_settings()
    except Exception as error:  # pydantic ValidationError or a missing config file
        fail(f"Inställningarna kunde inte läsas: {error}")


def database(current: Settings | None = None, *, check: bool = True) -> Database:
    """The installation's database, refused when its schema is out of date."""
    opened = Database.for_settings(current or settings())
    if check:
        try:
            opened.check_schema()
        except SchemaOutOfDateError as error:
            fail(str(error))
    return opened


def service(kind: type[Service], *, with_database: bool = False) -> Service:
    """A module's service for this installation, its progress notes on standard error; with
    the database (checked) when the command stores or reads records."""
    current = settings()
    return kind(current, database(current) if with_database else None,
                note=lambda text: err_console.print(text))


def say(text: str) -> None:
    """One progress line, flushed: readable in a terminal, a pipe or a log file alike."""
    console.print(text, highlight=False, soft_wrap=True)
    sys.stdout.flush()


def group(help: str) -> typer.Typer:
    """A module's command group (``kraftsamling chat …``): its help, and help when bare."""
    return typer.Typer(help=help, no_args_is_help=True)
