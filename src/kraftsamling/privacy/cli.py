"""``kraftsamling privacy``: redact files, resolve a pseudonym, train the name tagger."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, cast

import typer

from kraftsamling import shell
from kraftsamling.shell import console, err_console, fail

__all__ = ["privacy_app"]

privacy_app = shell.group("Personuppgifter: hitta, pseudonymisera, avpseudonymisera.")


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

    from kraftsamling.privacy import Analyzer, Mode, Pseudonymization, redact_file
    from kraftsamling.tabular import ReadError

    settings = shell.settings()
    try:
        privacy = Pseudonymization.for_settings(settings)
        if config is not None:
            privacy = Pseudonymization(key=privacy.key, analyzer=Analyzer.from_config(config))
        pseudonymizer = privacy.pseudonymizer(mode=cast(Mode, mode))
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

    settings = shell.settings()
    database = shell.database(settings)
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
