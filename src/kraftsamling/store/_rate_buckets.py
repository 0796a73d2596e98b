"""Token buckets in the database, so every server process shares one budget per key.

The same contract as the in-memory ``RateLimiter`` of the web app: a bucket per key holds up
to ``capacity`` tokens and refills evenly over ``window_seconds``; ``take`` takes one. Each
call is one short transaction that holds a lock while it reads and writes the bucket
(``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL), so concurrent processes never
both spend the last token. Keys are stored as an HMAC under the server's secret (an address
never lands in the database in clear), and buckets that have refilled are deleted.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable

from sqlalchemy import Float, String, delete, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from kraftsamling.store.db import Database
from kraftsamling.store.models import Base

__all__ = ["DatabaseRateLimiter", "RateBucket", "TokenBuckets"]

_ADVISORY_LOCK = 770078  # the audit chain uses 770077


class RateBucket(Base):
    __tablename__ = "rate_limit_buckets"

    limit_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated: Mapped[float] = mapped_column(Float)
    full_at: Mapped[float] = mapped_column(Float, index=True)


def _lock(session: Session) -> None:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        session.execute(text(f"SELECT pg_advisory_xact_lock({_ADVISORY_LOCK})"))
    elif connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            raw.execute("BEGIN IMMEDIATE")


class TokenBuckets:
    """What every rate limiter shares: ``capacity`` tokens a key, refilled evenly over
    ``window_seconds`` by ``clock``."""

    def __init__(self, *, capacity: int, window_seconds: float,
                 clock: Callable[[], float]) -> None:
        if capacity < 1 or window_seconds <= 0:
            raise ValueError("capacity must be ≥ 1 and window_seconds > 0")
        self.capacity = capacity
        self.window_seconds = window_seconds
        self._rate = capacity / window_seconds
        self._clock = clock


class DatabaseRateLimiter(TokenBuckets):
    """``take(key)`` is True while ``key`` has a token left; shared by every process."""

    def __init__(self, database: Database, *, name: str, capacity: int,
                 window_seconds: float, secret: bytes,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(capacity=capacity, window_seconds=window_seconds, clock=clock)
        self.database = database
        self.name = name
        self._secret = secret

    def _hash(self, key: str) -> str:
        return hmac.new(self._secret, f"{self.name}:{key}".encode(), hashlib.sha256).hexdigest()

    def _change(self, key: str, change: Callable[[float], float | None]) -> float:
        """Lock, read the bucket's level now, store ``change(level)`` if not None; returns
        the level before the change."""
        now = self._clock()
        with self.database.session() as session:
            _lock(session)
            session.execute(delete(RateBucket).where(RateBucket.full_at < now))
            bucket = session.get(RateBucket, (self.name, self._hash(key)))
            level = float(self.capacity) if bucket is None else min(
                float(self.capacity), bucket.tokens + (now - bucket.updated) * self._rate)
            new = change(level)
            if new is not None:
                full_at = now + (self.capacity - new) / self._rate
                if bucket is None:
                    session.add(RateBucket(limit_name=self.name, key_hash=self._hash(key),
                                           tokens=new, updated=now, full_at=full_at))
                else:
                    bucket.tokens, bucket.updated, bucket.full_at = new, now, full_at
        return level

    def take(self, key: str) -> bool:
        return self._change(key, lambda level: level - 1 if level >= 1 else None) >= 1

    def allows(self, key: str) -> bool:
        """Whether ``key`` has a token now, without taking it."""
        return self._level(key) >= 1

    def _level(self, key: str) -> float:
        now = self._clock()
        with self.database.session() as session:
            bucket = session.get(RateBucket, (self.name, self._hash(key)))
            if bucket is None:
                return float(self.capacity)
            return min(float(self.capacity), bucket.tokens + (now - bucket.updated) * self._rate)

    def give_back(self, key: str) -> None:
        """Undo one ``take``."""
        self._change(key, lambda level: min(float(self.capacity), level + 1))

    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` has a token again (0 when it has one now)."""
        return max(0.0, (1 - self._level(key)) / self._rate)
