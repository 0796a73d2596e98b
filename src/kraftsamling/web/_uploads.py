"""What every upload page shares: reading the files with a size limit, the Swedish checks,
the work as an import job and the answer (the page again with the error and 422, or a
redirect to the job's page, which shows its progress and then where the import shows)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fastapi import Request, Response, UploadFile
from fastapi.responses import RedirectResponse

from kraftsamling.errors import error_text
from kraftsamling.store import User
from kraftsamling.web._jobs import Job, start_job

__all__ = ["MAX_UPLOAD_BYTES", "check_upload", "handle_upload", "read_uploads"]

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


async def read_uploads(files: Sequence[UploadFile | None], *,
                       limit: int = MAX_UPLOAD_BYTES) -> list[bytes]:
    """Each file's bytes, at most one past ``limit`` (so too large is seen); none: empty."""
    return [await file.read(limit + 1) if file is not None else b"" for file in files]


def check_upload(content: bytes, *, empty: str, limit: int = MAX_UPLOAD_BYTES,
                 also: Sequence[bytes] = (), subject: str = "Filen", filename: str = "") -> None:
    """Refuse, in Swedish, a file (or one of ``also``) over ``limit`` or an empty one: a
    chosen file that is empty is named as such (``empty`` says what to choose)."""
    if any(len(c) > limit for c in (content, *also)):
        raise ValueError(f"{subject} är större än {limit // (1024 * 1024)} MB.")
    if not content:
        raise ValueError(f"'{filename}' är tom. {empty}" if filename else empty)


async def handle_upload(request: Request, user: User, work: Callable[[Job], str], *,
                        check: Callable[[], None], page: Callable[[], Response],
                        filename: str, back: str, result_label: str,
                        error_state: str) -> Response:
    """``check`` the upload at once (a ``ValueError`` is the user's: its message goes on
    ``request.state`` as ``error_state`` and ``page()`` is answered with 422); then run
    ``work(job)`` as an import job (its own thread, progress on the job page, the event loop
    keeps serving) and redirect to that page."""
    try:
        check()
    except ValueError as error:
        setattr(request.state, error_state, error_text(error))
        response = page()
        response.status_code = 422
        return response
    job = start_job(request, user, filename=filename, back=back, result_label=result_label,
                    work=work)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)
