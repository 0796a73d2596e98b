"""``kraftsamling chat``: analyse, import and train on support chats.

Each command parses its options, calls one :class:`ChatService` method and renders.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from kraftsamling import shell
from kraftsamling.shell import console, err_console, fail

if TYPE_CHECKING:
    from kraftsamling.chat._facade import ChatRun, ChatService

__all__ = ["chat_app"]

chat_app = shell.group("Chattanalys: ämnen, mående före och efter, belastning.")


ChatFormat = Annotated[str, typer.Option("--format", help="canonical eller esconv.")]


def _analyse(service: ChatService, source: Path, format: str, survey: Path | None) -> ChatRun:
    """Read, pseudonymise and analyse, with progress; exits with the reason on bad input."""
    columns = ("[progress.description]{task.description}", BarColumn(),
               MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=err_console, transient=True) as bar:
            task = bar.add_task("Läser och pseudonymiserar samtalen…", total=None)
            run = service.analyse(
                source, format=format, survey=survey,
                progress=lambda done, total: bar.update(
                    task, completed=done, total=total, description="Analyserar samtal"))
    except ValueError as error:  # ReadError and ValidationFailed are ValueErrors
        fail(str(error))
    if run.demo:
        err_console.print("[yellow]Obs:[/] modellen är demomodellen, tränad på syntetiska "
                          "chattar. Träna en riktig med `kraftsamling chat train`.")
    return run


def _service(*, database: bool = False) -> ChatService:
    from kraftsamling.chat._facade import ChatService  # model code only when used

    return shell.service(ChatService, with_database=database)


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
    service = _service()
    run = _analyse(service, source, format, survey)
    service.analyse_to_csv(run, output, all_columns=all_columns)
    analysis = run.analysis
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
    service = _service(database=True)
    batch, stored = service.store(_analyse(service, source, format, survey),
                                  filename=source.name, actor=user)
    console.print(f"{stored} samtal sparade (import {batch}).")


@chat_app.command("train")
def chat_train(
    source: Annotated[Path, typer.Argument(help="Märkta samtal, t.ex. ESConv:s train.jsonl.")],
    format: ChatFormat = "esconv",
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Spara här i stället för som organisationens modell.")] = None,
) -> None:
    """Träna chattmodellen (problem, mående, upplevelse) på märkta samtal."""
    try:
        with err_console.status("Tränar chattmodellen…"):
            model, target = _service().train(source, format=format, output=output)
    except ValueError as error:
        fail(str(error))
    console.print(f"Chattmodellen är tränad på {model.n_training_} samtal och sparad i {target}.")
