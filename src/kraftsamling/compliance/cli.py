"""``kraftsamling card``, ``compliance report`` and ``retention apply``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kraftsamling import shell
from kraftsamling.shell import console, fail

__all__ = ["card", "compliance_app", "retention_app"]

compliance_app = shell.group("Papper för dataskydd och AI-förordningen, ur installationen.")
retention_app = shell.group("Gallring: radera det som passerat sin frist (loggas).")


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
                            live=installation_live(shell.settings().data_dir, module))
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

    settings = shell.settings()
    database = shell.database(settings)
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

    settings = shell.settings()
    results = apply_retention(settings, shell.database(settings), actor="cli", dry_run=dry_run)
    if not results:
        console.print("Ingen gallringsfrist är satt (inställningen 'retention_days'): "
                      "inget raderat.")
        return
    table = Table("Tabell", "Frist (dagar)", "Äldre än", "Rader" if dry_run else "Raderade")
    for result in results:
        table.add_row(result.table, str(result.days), f"{result.cutoff:%Y-%m-%d %H:%M}",
                      str(result.rows))
    console.print(table)
    if dry_run:
        console.print("Provkörning: inget raderat.")
