"""Rate limits for the login and the public survey: token buckets held in memory.

A bucket per key (a client address, a survey link) holds up to ``capacity`` tokens and
refills evenly over ``window_seconds``; each counted request takes one. The state is per
process, bounded in size, and starts empty after a restart; the app itself uses
``store.DatabaseRateLimiter`` (the same contract, in the database), which every process shares.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from kraftsamling.store import TokenBuckets

__all__ = ["Limiter", "RateLimiter"]


class Limiter(Protocol):
    """What the login and the survey need of a limit: this in-memory one or the app's
    ``store.DatabaseRateLimiter``, which every server process shares."""

    def take(self, key: str) -> bool: ...
    def allows(self, key: str) -> bool: ...
    def give_back(self, key: str) -> None: ...
    def retry_after(self, key: str) -> float: ...


class RateLimiter(TokenBuckets):
    """``take(key)`` is True while ``key`` has a token left; thread-safe, one process."""

    def __init__(self, *, capacity: int, window_seconds: float, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(capacity=capacity, window_seconds=window_seconds, clock=clock)
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def _level(self, key: str, now: float) -> float:
        tokens, at = self._buckets.get(key, (float(self.capacity), now))
        return min(float(self.capacity), tokens + (now - at) * self._rate)

    def _store(self, key: str, tokens: float, now: float) -> None:
        self._buckets[key] = (tokens, now)
        self._buckets.move_to_end(key)
        while len(self._buckets) > self.max_keys:  # the least recently used go first
            self._buckets.popitem(last=False)

    def take(self, key: str) -> bool:
        with self._lock:
            now = self._clock()
            tokens = self._level(key, now)
            if tokens < 1:
                self._store(key, tokens, now)
                return False
            self._store(key, tokens - 1, now)
            return True

    def allows(self, key: str) -> bool:
        """Whether ``key`` has a token now, without taking it."""
        with self._lock:
            return self._level(key, self._clock()) >= 1

    def give_back(self, key: str) -> None:
        """Undo one ``take`` (a login that turned out to be right is not counted)."""
        with self._lock:
            now = self._clock()
            self._store(key, min(float(self.capacity), self._level(key, now) + 1), now)

    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` has a token again (0 when it has one now)."""
        with self._lock:
            missing = 1 - self._level(key, self._clock())
        return max(0.0, missing / self._rate)
