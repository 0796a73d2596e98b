"""Imports in a worker process, so the server's event loop never waits for one.

A worker thread keeps the loop free in principle, but a CPU-bound thread still holds the
interpreter's lock most of the time: every time the loop wants it back it waits up to the
switch interval, and a long C call (building a frame of a million rows) can hold it for
seconds. A separate process has its own interpreter: ``/healthz`` and every page keep
answering while a million rows are read, validated, pseudonymised and stored.

One process, started on first use (``spawn``: nothing of the server's threads or
connections is inherited) and shared by every app in this interpreter; the upload reaches it
through a pipe, never a temporary file. Errors come back as the same exceptions. The worker
runs ``WORKER_NICENESS`` below the server, so an import never starves the pages.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any, TypeVar

__all__ = ["WORKER_NICENESS", "run_in_worker_process", "shutdown_workers"]

T = TypeVar("T")
_pool: ProcessPoolExecutor | None = None
_lock = threading.Lock()


# How much lower than the server the worker runs: on a busy machine the scheduler then gives
# the server's event loop the CPU first, and the import takes what is left (issue 19: the
# /healthz p99 during a million-row import).
WORKER_NICENESS = 10


def _start_worker(parent: int) -> None:
    """The worker's initializer: a lower priority than the server, and a watch on it."""
    with contextlib.suppress(OSError):  # not permitted here: run at the server's priority
        os.nice(WORKER_NICENESS)
    _watch_parent(parent)


def _watch_parent(parent: int) -> None:
    """In the worker: exit as soon as the server is gone (killed, crashed), never linger."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="kraftsamling-parent-watch", daemon=True).start()


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=1,
                                        mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_start_worker, initargs=(os.getpid(),))
        return _pool


async def run_in_worker_process(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in the worker process (a top-level function, picklable args)."""
    global _pool
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_executor(), partial(function, *args))
    except BrokenProcessPool:
        with _lock:
            _pool = None  # the worker died (killed, out of memory): the next call starts anew
        raise RuntimeError("Importprocessen avbröts oväntat; ingenting sparades.") from None


def shutdown_workers() -> None:
    """Stop the worker, an import under way included (its transaction is never committed,
    so nothing of it is stored): the server must not wait minutes to stop."""
    global _pool
    with _lock:
        if _pool is not None:
            processes = list(getattr(_pool, "_processes", {}).values())
            _pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            _pool = None
