"""One ingest function every reader calls: read → validate → pseudonymise → store, in one
transaction with its audit event.

A module passes in its own parts. ``read`` is its reader: the file parsed and validated
against the module's declared ``TableSchema``, pseudonymised through the installation's
``Pseudonymization`` (and, for a module that assesses on import, its model's answers);
everything that can refuse the file happens there, before the first write. ``store`` writes
the module's tables and says what was stored (:class:`Stored`). ``ingest`` then writes the
import's audit event itself, in the caller's transaction, so it lands only if the rows do:
no module writes an import's event (``tests/test_guards.py`` fails naming one that does),
and the CLI, the web app and the demo are audited the same way by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from kraftsamling.store.audit import record_event

__all__ = ["IMPORT_ACTIONS", "Stored", "ingest"]

# The audit actions of imports: written by ingest alone (the guards check every other file).
IMPORT_ACTIONS = frozenset({"import", "chat.import", "cases.import", "twin.import",
                            "survey_response"})

Read = TypeVar("Read")
Row = TypeVar("Row")


@dataclass(frozen=True)
class Stored(Generic[Row]):
    """What a module's storer hands back: the row that stands for the import and what its
    audit event records about it (``object_id`` defaults to the row's id)."""

    row: Row
    object_type: str
    detail: Mapping[str, Any] = field(default_factory=dict)
    object_id: str | int | None = None


def ingest(session: Session, *, action: str, actor: str, read: Callable[[], Read],
           store: Callable[[Session, Read], Stored[Row]], client: str = "") -> Row:
    """Read (validate, pseudonymise), store and audit one import in ``session``'s transaction.

    ``read`` raises (``ReadError``, ``ValidationFailed``, a Swedish ``ValueError``) before
    anything is written; the caller's transaction makes the rest all-or-nothing. ``action``
    is one of :data:`IMPORT_ACTIONS`; ``actor`` and ``client`` say who and from where.
    """
    if action not in IMPORT_ACTIONS:
        raise ValueError(f"Okänd importhändelse {action!r}.")
    data = read()
    stored = store(session, data)
    session.flush()  # the row has its id
    object_id = stored.object_id
    if object_id is None:
        object_id = getattr(stored.row, "id", "")
    record_event(session, actor=actor, action=action, object_type=stored.object_type,
                 object_id=object_id if object_id is not None else "",
                 detail=dict(stored.detail), client=client)
    session.flush()
    return stored.row
