"""Imports as jobs: the upload answers at once with a page that shows how far it has come.

An upload that passed the cheap checks (size, schema name) becomes a :class:`Job` and is
answered with ``303 → /jobs/<id>``. The work runs in a thread of its own (which waits for the
worker process, for table imports); the job page shows rows read, validated and stored, a
progress line and a ``<progress>`` bar, polled with htmx every second (``286`` stops the
polling when the job is over), and then the result or the Swedish error. The page can be
reloaded at any time: jobs live in the server process (the last ``MAX_JOBS``), visible only
to the user who started them, on the database they were started on. A worker that dies
(killed, out of memory) fails its job with "nothing stored": the import's transaction was
never committed. A server restart forgets its jobs, and its imports under way with them.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse

from kraftsamling.errors import error_text
from kraftsamling.store import Database, User
from kraftsamling.web._app import render, request_language
from kraftsamling.web._i18n import N_, translator
from kraftsamling.web._security import require_user
from kraftsamling.web._workers import set_progress_sink

__all__ = ["Job", "find_job", "router", "start_job"]

logger = logging.getLogger("kraftsamling.web.jobs")
MAX_JOBS = 200
POLL_SECONDS = 1
STOP_POLLING = 286  # htmx: swap this answer, then poll no more
FAILED_UNEXPECTEDLY = "Importen misslyckades oväntat; ingenting sparades."
JobState = Literal["running", "done", "failed"]

# What the progress line says in each stage (%(done)s and %(total)s are rows, by locale).
STAGE_LINES = {
    "queued": N_("Waiting for the import to start …"),
    "started": N_("Importing and analysing the file …"),
    "read": N_("Reading the file: %(done)s rows read …"),
    "validated": N_("Checked %(done)s rows against the schema; pseudonymising …"),
    "pseudonymised": N_("Pseudonymised %(done)s rows; storing …"),
    "analysed": N_("Analysed %(done)s rows; storing …"),
    "stored": N_("Storing: %(done)s of %(total)s rows stored …"),
    "done": N_("Done: %(stored)s rows stored."),
    "failed": N_("The import failed; nothing was stored."),
}
# How far along the bar each stage is, in per cent (storing fills the last 40).
STAGE_PERCENT = {"queued": 0, "started": 5, "read": 5, "validated": 40, "pseudonymised": 55,
                 "analysed": 55, "stored": 60, "done": 100, "failed": 0}
DONE_WITHOUT_ROWS = N_("Done: the import is stored.")  # a job that does not count rows
RESULT_LABELS = (N_("Show the table"), N_("Show the dashboard"), N_("Show the overview"))


@dataclass
class Job:
    """One import: who started it, where, how far it is and how it ended."""

    id: str
    owner: str
    scope: str  # the database's URL: a job belongs to the app it was started in
    filename: str
    back: str  # the form it was started from
    result_label: str
    stage: str = "queued"
    read: int = 0
    validated: int = 0
    stored: int = 0
    total: int | None = None
    state: JobState = "running"
    result_url: str = ""
    error: str = ""
    problems: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    _guard: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False,
                                   compare=False)

    def snapshot(self) -> Job:
        """A copy that does not change while a page is rendered from it: its status code
        and its words agree even when the job ends in between."""
        with self._guard:
            return replace(self, problems=list(self.problems))

    def update(self, stage: str, done: int, total: int | None = None) -> None:
        """A progress report: ``done`` rows of ``total`` in ``stage``."""
        with self._guard:
            self._update(stage, done, total)

    def _update(self, stage: str, done: int, total: int | None) -> None:
        if self.state != "running" or stage not in STAGE_LINES:
            return
        self.stage = stage
        if stage == "read":
            self.read = max(self.read, done)
        elif stage in {"validated", "pseudonymised", "analysed"}:
            self.read = max(self.read, done)
            self.validated = max(self.validated, done)
        elif stage == "stored":
            self.stored = max(self.stored, done)
        if total is not None:
            self.total = total

    def finish(self, result_url: str) -> None:
        """Done: every row was stored (an import is all or nothing), whatever progress
        report is still on its way."""
        with self._guard:
            if self.total is not None:
                self.read = self.validated = self.stored = self.total
            self.stage, self.state, self.result_url = "done", "done", result_url
            self.finished = time.monotonic()

    def fail(self, error: str, problems: list[str] | None = None) -> None:
        with self._guard:
            self.stage, self.state, self.error = "failed", "failed", error
            self.problems = problems or []
            self.stored = 0  # whatever was written was rolled back
            self.finished = time.monotonic()

    def line(self, language: str) -> str:
        """The progress line, in the reader's language, numbers as they write them."""
        from kraftsamling.web._format import number

        _ = translator(language)
        values = {"done": number(self._done(), language, 0),
                  "total": number(self.total, language, 0), "stored": number(self.stored,
                                                                             language, 0)}
        if self.stage == "done" and not self.stored:
            return _(DONE_WITHOUT_ROWS)
        return _(STAGE_LINES[self.stage], **values)

    def _done(self) -> int:
        return {"read": self.read, "stored": self.stored}.get(self.stage, self.validated)

    def percent(self) -> int | None:
        """How far the bar is; ``None`` (an indeterminate bar) before the first report."""
        if self.stage == "queued":
            return None
        base = STAGE_PERCENT[self.stage]
        if self.stage == "stored" and self.total:
            return base + round(40 * self.stored / self.total)
        return base


_jobs: dict[str, Job] = {}
_lock = threading.Lock()


def _deliver(job_id: str, stage: str, done: int, total: int | None) -> None:
    """The worker process's progress reports arrive here (in the server's listener thread)."""
    with _lock:
        job = _jobs.get(job_id)
    if job is not None:
        job.update(stage, done, total)


set_progress_sink(_deliver)


def _run(job: Job, work: Callable[[Job], str]) -> None:
    try:
        result_url = work(job)
    except (ValueError, KeyError, RuntimeError) as error:  # ReadError and our Swedish refusals
        # a refusal with a list (ValidationFailed, the twin's WaveError): its first line, then
        # each problem
        problems = [str(p) for p in getattr(error, "problems", None) or []]
        message = error_text(error)
        job.fail(message.split("\n", 1)[0] if problems else message, problems)
    except Exception as error:  # never a traceback on the page, never raw data in the log
        logger.error("import job failed: %s", type(error).__name__)
        job.fail(FAILED_UNEXPECTEDLY)
    else:
        job.finish(result_url)


def start_job(request: Request, user: User, *, filename: str, back: str, result_label: str,
              work: Callable[[Job], str]) -> Job:
    """Run ``work(job)`` in a thread of its own; it returns the result's URL, reports progress
    with ``job.update`` (or from the worker process through ``report_progress(job.id, …)``)
    and raises the same Swedish errors the upload would have answered with."""
    db: Database = request.app.state.db
    job = Job(id=secrets.token_urlsafe(16), owner=user.username, scope=db.url,
              filename=filename, back=back, result_label=result_label)
    with _lock:
        finished = [j for j in _jobs.values() if j.state != "running"]
        for old in finished[:max(len(_jobs) + 1 - MAX_JOBS, 0)]:
            del _jobs[old.id]
        _jobs[job.id] = job
    threading.Thread(target=_run, args=(job, work), name="kraftsamling-import-job",
                     daemon=True).start()
    return job


def find_job(request: Request, user: User, job_id: str) -> Job:
    """A snapshot of the user's own job on this app's database, or 404 (no one else's, not
    even its id)."""
    db: Database = request.app.state.db
    with _lock:
        job = _jobs.get(job_id)
    if job is None or job.owner != user.username or job.scope != db.url:
        raise HTTPException(status_code=404)
    return job.snapshot()


router = APIRouter(prefix="/jobs")
Reader = Annotated[User, Depends(require_user)]


def _context(request: Request, job: Job) -> dict[str, object]:
    language = request_language(request)
    return {"job": job, "line": job.line(language), "percent": job.percent(),
            "poll_seconds": POLL_SECONDS}


@router.get("/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str, user: Reader) -> Response:
    """The job's page; a failed job answers 422 (what the upload used to answer)."""
    job = find_job(request, user, job_id)
    return render(request, "jobs/job.html", _context(request, job),
                  status=422 if job.state == "failed" else 200)


@router.get("/{job_id}/status", response_class=HTMLResponse)
def job_status(request: Request, job_id: str, user: Reader) -> Response:
    """The part of the page that changes, for htmx; 286 once the job is over."""
    job = find_job(request, user, job_id)
    return render(request, "jobs/_status.html", _context(request, job),
                  status=200 if job.state == "running" else STOP_POLLING)
