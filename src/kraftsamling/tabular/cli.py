"""``kraftsamling data``: import a file through a declared schema, list the schemas."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kraftsamling import shell
from kraftsamling.errors import error_text
from kraftsamling.shell import console, fail

__all__ = ["data_app"]

data_app = shell.group("Data: importera tabeller genom ett schema.")


@data_app.command("import")
def data_import(
    path: Annotated[Path, typer.Argument(help="Fil: .csv, .tsv, .xlsx, .json eller .jsonl.")],
    schema: Annotated[str, typer.Option(help="Schemats namn (se 'data schemas').")],
    name: Annotated[str | None, typer.Option(help="Tabellens namn.")] = None,
) -> None:
    """Importera en fil genom ett schema; vid fel sparas ingenting."""
    from kraftsamling.privacy import Pseudonymization
    from kraftsamling.tabular import ReadError, ValidationFailed, get_schema, import_table

    settings = shell.settings()
    database = shell.database(settings)
    try:
        table_schema = get_schema(schema)
        with database.session() as session:
            table = import_table(session, path, table_schema, actor="cli", name=name,
                                 transform=Pseudonymization.for_settings(settings).table())
            rows, table_id = table.n_rows, table.id
    except (ReadError, ValidationFailed) as error:
        fail(str(error))
    except KeyError as error:
        fail(error_text(error))
    console.print(f"{rows} rader importerade som tabell {table_id}.")


@data_app.command("schemas")
def data_schemas() -> None:
    """Lista de scheman som filer kan importeras genom."""
    from kraftsamling.tabular import TYPE_WORDS, available_schemas

    for table_schema in available_schemas():
        console.print(f"[bold]{table_schema.name}[/]: {table_schema.description}")
        for column, shown in zip(table_schema.columns, table_schema.help(), strict=True):
            flags: list[str] = [TYPE_WORDS[column.type]]
            if not column.required:
                flags.append("valfri")
            values = "; ".join(" / ".join((value, *other)) for value, other in shown.allowed)
            print_line = f"  {' eller '.join(shown.names)} ({', '.join(flags)})"
            console.print(print_line + (f": {values}" if values else ""), highlight=False)
