"""The import worker runs below the server's priority, so a long import cannot starve the
event loop of CPU on a busy machine (issue 19: /healthz during a million-row import)."""

from __future__ import annotations

import asyncio
import os

from kraftsamling.web.framework import WORKER_NICENESS, run_in_worker_process, shutdown_workers


def test_the_import_worker_is_niced_below_the_server() -> None:
    server = os.nice(0)
    try:
        worker = asyncio.run(run_in_worker_process(os.nice, 0))
        worker_pid = asyncio.run(run_in_worker_process(os.getpid))
    finally:
        shutdown_workers()
    assert worker_pid != os.getpid()
    assert worker == min(19, server + WORKER_NICENESS)
    assert os.nice(0) == server  # the server itself is left as it was
