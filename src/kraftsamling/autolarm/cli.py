"""``kraftsamling autolarm``: score files, explain one answer, train, survey links.

Each command parses its options, calls one :class:`AutolarmService` method and renders.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from kraftsamling import shell
from kraftsamling.errors import error_text
from kraftsamling.shell import console, err_console, fail

if TYPE_CHECKING:
    from kraftsamling.autolarm._facade import AutolarmService

__all__ = ["autolarm_app"]

autolarm_app = shell.group("Autolarm: hitta elevsvar som tyder på fara.")
LinkArgument = Annotated[str, typer.Argument(help="Länkens id, token eller hela adress.")]


def _service(*, database: bool = False) -> AutolarmService:
    from kraftsamling.autolarm._facade import AutolarmService  # model code only when used

    return shell.service(AutolarmService, with_database=database)


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
    service = _service()
    service.detector()  # trains the seed model first, if needed, before the progress bar
    columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    try:
        with Progress(*columns, console=err_console, transient=True) as progress:
            task = progress.add_task("Bedömer svar", total=None)
            stats = service.score_file(source, output, text_column=text_column,
                                       id_column=id_column, dask_address=dask,
                                       progress=lambda n: progress.advance(task, n),
                                       language=None if codes else lang)
    except ValueError as error:
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
    service = _service(database=from_reviews)
    try:
        with console.status("Tränar autolarm…"):
            detector, own = service.train(labelled, from_reviews=from_reviews,
                                          include_seed=not no_seed)
    except ValueError as error:  # ReadError and ValidationFailed too
        fail(str(error))
    console.print(f"Modellen är tränad på {own} egna svar"
                  f"{'' if no_seed else ' och grunduppsättningen'}; tröskel för akut: "
                  f"{detector.urgent_threshold_:.2f}.")


@autolarm_app.command("links")
def autolarm_links() -> None:
    """Lista enkätlänkarna: skola, klass, adress och om länken är öppen."""
    service = _service(database=True)
    table = Table("Id", "Enkät", "Skola", "Klass", "Token", "Öppen")
    table.columns[4].no_wrap = True
    for ident, survey, school, class_name, token, active in service.links():
        table.add_row(str(ident), survey, school, class_name, token, "ja" if active else "nej")
    console.print(table)
    console.print(f"Länkarna: {service.settings.public_url.rstrip('/')}/s/<token>",
                  highlight=False)


def _set_link(link: str, *, open: bool) -> None:
    try:
        where, changed = _service(database=True).set_link_open(link, open=open, actor="cli")
    except LookupError as error:
        fail(error_text(error))
    state = "öppen" if open else "stängd"
    console.print(f"Länken för {where} är {state}." if changed
                  else f"Länken för {where} var redan {state}.")


@autolarm_app.command("close-link")
def autolarm_close_link(link: LinkArgument) -> None:
    """Stäng en enkätlänk: den tar inte emot fler svar."""
    _set_link(link, open=False)


@autolarm_app.command("open-link")
def autolarm_open_link(link: LinkArgument) -> None:
    """Öppna en stängd enkätlänk igen."""
    _set_link(link, open=True)


@autolarm_app.command("explain")
def autolarm_explain(text: Annotated[str, typer.Argument(help="Ett svar att bedöma.")]) -> None:
    """Visa hur autolarm bedömer ett enskilt svar, med belägg."""
    from kraftsamling.autolarm import CATEGORY_LABELS, LEVEL_LABELS

    redacted, assessment = _service().explain(text)
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
