"""Keep freed memory in the process while a Gaussian process is fitted (Linux, glibc only).

scikit-learn's kernel gradient is a rows × rows × parameters array (about 78 MB on IHDP),
built again at every optimiser step. glibc serves an allocation that large with ``mmap`` and
returns it to the system when it is freed, so the kernel has to hand over (and zero) fresh
pages at the next step: session 32 measured one fit's system time at 9.6 s against 1.2 s
with the memory kept. ``mallopt`` sets that for the whole process, so :func:`kept_heap`
sets it only around a fit and returns what the heap kept (``malloc_trim``) afterwards.
glibc cannot be given back its *dynamic* threshold once ``mallopt`` has set one (mallopt(3)):
a fixed 128 KiB would map and unmap every array above it for the rest of the process, about
23 times slower for a 4 MB array freed and made again (second reading, session 33). So the
thresholds are left where the dynamic scheme ends after a large free: 32 MiB for mmap
(``DEFAULT_MMAP_THRESHOLD_MAX`` on 64-bit) and twice that for trimming. Nested and
concurrent fits (threads) share one setting: it is put back when the last one ends.
Elsewhere (macOS, Windows, musl) it does nothing.
"""

from __future__ import annotations

import ctypes
import platform
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["kept_heap"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
# Where glibc's dynamic thresholds end after a large free (64-bit): what is put back.
_AFTER_MMAP = 32 * 1024 * 1024
_AFTER_TRIM = 2 * _AFTER_MMAP
# mallopt takes a C int: 2**31 - 1 is the largest trim threshold it can be given.
_KEEP_TRIM = 2**31 - 1
_KEEP_MMAP = 2**30

_lock = threading.Lock()
_depth = 0
_applied = False


def _glibc() -> Any | None:
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.mallopt.restype = ctypes.c_int
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        return libc
    except (OSError, AttributeError):
        return None


@contextmanager
def kept_heap(enabled: bool = True) -> Iterator[bool]:
    """Inside, large freed arrays stay in the heap; yields whether that was applied."""
    global _depth, _applied
    libc = _glibc() if enabled else None
    if libc is None:
        yield False
        return
    with _lock:
        if _depth == 0:
            _applied = bool(libc.mallopt(_M_MMAP_THRESHOLD, _KEEP_MMAP)) \
                and bool(libc.mallopt(_M_TRIM_THRESHOLD, _KEEP_TRIM))
        applied = _applied  # a nested or concurrent fit shares what the first one set
        _depth += 1
    try:
        yield applied
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                libc.mallopt(_M_MMAP_THRESHOLD, _AFTER_MMAP)
                libc.mallopt(_M_TRIM_THRESHOLD, _AFTER_TRIM)
                libc.malloc_trim(0)
