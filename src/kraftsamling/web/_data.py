"""Imported tables: upload through a schema, browse, view a record, export — all audited."""

from __future__ import annotations

import csv
import io
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import func, select

from kraftsamling._cells import FormulaSafeWriter, formula_safe
from kraftsamling.errors import error_text
from kraftsamling.privacy import Pseudonymization
from kraftsamling.settings import Settings
from kraftsamling.store import Database, ImportedRow, ImportedTable, Role, User, record_event
from kraftsamling.tabular import (
    ReadError,
    TableSchema,
    available_schemas,
    get_schema,
)
from kraftsamling.tabular import import_table as store_table
from kraftsamling.web._app import attachment, render, request_language
from kraftsamling.web._format import csv_cell
from kraftsamling.web._jobs import Job, start_job
from kraftsamling.web._labels import label
from kraftsamling.web._security import client_address, csrf_protect, require_roles
from kraftsamling.web._workers import report_progress, submit_to_worker_process

router = APIRouter(prefix="/data", dependencies=[Depends(csrf_protect)])

PersonDataReader = Annotated[User, Depends(require_roles(Role.analyst, Role.reviewer))]
Importer = Annotated[User, Depends(require_roles(Role.analyst))]
PAGE_SIZE = 50
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def import_in_worker(settings: Settings, url: str, audit_key: bytes | None, filename: str,
                     schema: TableSchema, actor: str, name: str | None, content: bytes,
                     job: str = "") -> tuple[int, int]:
    """Read, validate, pseudonymise and store an upload; runs in the worker process, with
    the app's own audit key (the import's audit event joins the keyed chain). Progress goes
    to job ``job``'s page. Returns the table's id and its number of rows."""
    database = Database(url, audit_key=audit_key)
    try:
        with database.session() as session:
            table = store_table(session, filename, schema, actor=actor,
                                name=name, content=content,
                                transform=Pseudonymization.for_settings(settings).table(),
                                progress=partial(report_progress, job))
            return table.id, table.n_rows
    finally:
        database.dispose()


def _table_or_404(db: Database, table_id: int) -> ImportedTable:
    with db.session() as session:
        table = session.get(ImportedTable, table_id)
        if table is None:
            raise HTTPException(status_code=404)
        session.expunge(table)
        return table


@router.get("", response_class=HTMLResponse)
def list_tables(request: Request, user: PersonDataReader) -> Response:
    db: Database = request.app.state.db
    with db.session() as session:
        tables = session.scalars(select(ImportedTable).order_by(ImportedTable.id.desc())).all()
        session.expunge_all()
    return render(request, "data/tables.html", {"tables": tables})


@router.get("/import", response_class=HTMLResponse)
def import_form(request: Request, user: Importer) -> Response:
    return render(request, "data/import.html", {"schemas": available_schemas()})


@router.post("/import")
async def import_upload(
    request: Request,
    user: Importer,
    file: Annotated[UploadFile, File()],
    schema_name: Annotated[str, Form()],
    name: Annotated[str, Form()] = "",
) -> Response:
    """Cheap checks answer at once (422); the import itself becomes a job (303 → its page)."""
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    filename = file.filename or "fil"
    table_name = name.strip()[:200] or None
    try:
        table_schema = get_schema(schema_name)
        if len(content) > MAX_UPLOAD_BYTES:
            raise ReadError(f"Filen är större än {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    except (ReadError, KeyError) as error:
        return render(
            request, "data/import.html",
            {"schemas": available_schemas(), "error": error_text(error), "problems": [],
             "chosen_schema": schema_name, "name": name},
            status=422)

    def work(job: Job) -> str:
        # in the worker process: the event loop (and its interpreter lock) keeps serving
        table_id, rows = submit_to_worker_process(
            import_in_worker, settings, db.url, db.audit_key, filename, table_schema,
            user.username, table_name, content, job.id)
        job.update("stored", rows, rows)  # the result's own count: reports may still travel
        return f"/data/{table_id}"

    job = start_job(request, user, filename=filename, back="/data/import",
                    result_label="Show the table", work=work)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/{table_id}", response_class=HTMLResponse)
def view_table(request: Request, table_id: int, user: PersonDataReader, page: int = 1) -> Response:
    db: Database = request.app.state.db
    table = _table_or_404(db, table_id)
    page = max(page, 1)
    with db.session() as session:
        total = session.scalar(
            select(func.count()).select_from(ImportedRow).where(ImportedRow.table_id == table_id)
        ) or 0
        rows = session.scalars(
            select(ImportedRow)
            .where(ImportedRow.table_id == table_id)
            .order_by(ImportedRow.row_number)
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        ).all()
        session.expunge_all()
        record_event(session, actor=user.username, action="view_table", object_type="table",
                     object_id=table_id, detail={"page": page, "rows": len(rows)},
                     client=client_address(request))
    columns = list(rows[0].data) if rows else []
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render(request, "data/table.html", {"table": table, "rows": rows, "columns": columns,
                                               "page": page, "pages": pages, "total": total})


@router.get("/{table_id}/rows/{row_id}", response_class=HTMLResponse)
def view_record(request: Request, table_id: int, row_id: int, user: PersonDataReader) -> Response:
    db: Database = request.app.state.db
    table = _table_or_404(db, table_id)
    with db.session() as session:
        row = session.get(ImportedRow, row_id)
        if row is None or row.table_id != table_id:
            raise HTTPException(status_code=404)
        session.expunge(row)
        record_event(session, actor=user.username, action="view_record",
                     object_type="imported_row", object_id=row_id,
                     detail={"table": table_id}, client=client_address(request))
    return render(request, "data/record.html", {"table": table, "row": row})


@router.get("/{table_id}/export.csv")
def export_table(request: Request, table_id: int, user: Importer) -> Response:
    """Analysts only (the role table): reviewers read tables but do not take them away.

    The response is complete before the ``export`` event is written, and both happen in one
    transaction: an export that fails is not logged as one.
    """
    db: Database = request.app.state.db
    table = _table_or_404(db, table_id)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer: FormulaSafeWriter | None = None
    with db.session() as session:
        rows = session.scalars(
            select(ImportedRow).where(ImportedRow.table_id == table_id)
            .order_by(ImportedRow.row_number)
        )
        count = 0
        language = request_language(request)
        for row in rows:
            if writer is None:
                # Swedish Excel: ';' between cells, decimal commas, headers in words (they
                # import again: the schema matches "Födelseår" to fodelsear).
                writer = formula_safe(csv.writer(buffer, delimiter=";"))
                columns = list(row.data)
                writer.writerow([label(c, "column", language) for c in columns])
            writer.writerow(["" if row.data.get(c) is None else csv_cell(row.data[c], language)
                             for c in columns])
            count += 1
        response = Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                            headers=attachment(f"{table.name}.csv"))
        record_event(session, actor=user.username, action="export", object_type="table",
                     object_id=table_id, detail={"rows": count, "format": "csv"},
                     client=client_address(request))
    return response
