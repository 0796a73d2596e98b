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

Progress comes back on a queue of its own (one per worker process): the work calls
:func:`report_progress` with its job's id, a thread in the server hands each report to the
sink the job registry set with :func:`set_progress_sink`. A killed worker takes its queue
with it; the next worker gets a new one.
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

__all__ = ["WORKER_NICENESS", "ProgressSink", "report_progress", "run_in_worker_process",
           "set_progress_sink", "shutdown_workers", "submit_to_worker_process"]

T = TypeVar("T")
ProgressSink = Callable[[str, str, int, "int | None"], None]
_pool: ProcessPoolExecutor | None = None
_queue: Any = None  # the current worker's progress queue (server side)
_lock = threading.Lock()
_sink: ProgressSink | None = None
_worker_queue: Any = None  # in the worker process: where progress reports go


# How much lower than the server the worker runs: on a busy machine the scheduler then gives
# the server's event loop the CPU first, and the import takes what is left (issue 19: the
# /healthz p99 during a million-row import).
WORKER_NICENESS = 10


def _start_worker(parent: int, progress: Any = None) -> None:
    """The worker's initializer: a lower priority than the server, and a watch on it."""
    global _worker_queue
    _worker_queue = progress
    with contextlib.suppress(OSError):  # not permitted here: run at the server's priority
        os.nice(WORKER_NICENESS)
    _watch_parent(parent)


def report_progress(job: str, stage: str, done: int, total: int | None = None) -> None:
    """In the worker process: tell the server how far job ``job`` is (a no-op elsewhere)."""
    if _worker_queue is not None and job:
        with contextlib.suppress(Exception):  # progress is never worth failing an import
            _worker_queue.put_nowait((job, stage, done, total))


def set_progress_sink(sink: ProgressSink | None) -> None:
    """Where the server delivers the worker's progress reports (the job registry)."""
    global _sink
    _sink = sink


def _listen(queue: Any) -> None:
    """In the server: deliver the worker's progress until that worker's queue is retired."""
    import queue as queues

    while queue is _queue:
        try:
            job, stage, done, total = queue.get(timeout=0.25)
        except queues.Empty:
            continue
        except (EOFError, OSError, ValueError):  # the queue was closed under us
            return
        if _sink is not None:
            with contextlib.suppress(Exception):
                _sink(job, stage, done, total)


def _watch_parent(parent: int) -> None:
    """In the worker: exit as soon as the server is gone (killed, crashed), never linger."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="kraftsamling-parent-watch", daemon=True).start()


def _executor() -> ProcessPoolExecutor:
    global _pool, _queue
    with _lock:
        if _pool is None:
            context = multiprocessing.get_context("spawn")
            _queue = context.Queue()
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=context,
                                        initializer=_start_worker,
                                        initargs=(os.getpid(), _queue))
            threading.Thread(target=_listen, args=(_queue,), name="kraftsamling-progress",
                             daemon=True).start()
        return _pool


def _retire() -> None:
    """Forget the pool and its queue (the caller holds ``_lock``)."""
    global _pool, _queue
    _pool = None
    _queue = None  # its listener sees this and ends


WORKER_DIED = "Importprocessen avbröts oväntat; ingenting sparades."


def submit_to_worker_process(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in the worker process, from a thread: waits for the result.

    A worker that dies (killed, out of memory) raises ``RuntimeError`` with a Swedish
    message; its transaction was never committed, so nothing of the import is stored."""
    pool = _executor()
    try:
        return pool.submit(function, *args).result()
    except BrokenProcessPool:
        with _lock:
            if _pool is pool:
                _retire()
        raise RuntimeError(WORKER_DIED) from None


async def run_in_worker_process(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in the worker process (a top-level function, picklable args)."""
    loop = asyncio.get_running_loop()
    pool = _executor()
    try:
        return await loop.run_in_executor(pool, partial(function, *args))
    except BrokenProcessPool:
        with _lock:
            if _pool is pool:  # the worker died: the next call starts anew
                _retire()
        raise RuntimeError(WORKER_DIED) from None


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
            _retire()
