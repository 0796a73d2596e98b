"""The reversible mapping, stored encrypted; resolving a pseudonym is admin-only and audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kraftsamling.privacy._pseudonymize import PseudonymVault
from kraftsamling.store.audit import record_event
from kraftsamling.store.models import Pseudonym, Role, User

__all__ = ["resolve_pseudonym", "store_mapping"]


def store_mapping(session: Session, *, scope: str, mapping: dict[str, str]) -> int:
    """Store encrypted originals (already encrypted by the Pseudonymizer) for a scope."""
    session.add_all(Pseudonym(scope=scope, pseudonym=p, encrypted_value=v)
                    for p, v in mapping.items())
    session.flush()
    return len(mapping)


def resolve_pseudonym(session: Session, *, key: bytes, scope: str, pseudonym: str,
                      actor: User | str, client: str = "") -> str | None:
    """The original behind a pseudonym, or None if the dataset has no such pseudonym.

    Admins only (``actor`` a User) or the machine's own operator (``actor`` a string, from
    the CLI). Every attempt is audited — found, not found, or refused — in the caller's
    transaction, which this function never rolls back by raising after the event.
    """
    target = f"{scope}/{pseudonym.strip()}"[:100]
    if isinstance(actor, User):
        if actor.role is not Role.admin:
            record_event(session, actor=actor.username, action="resolve_denied",
                         object_type="pseudonym", object_id=target, client=client)
            session.flush()
            raise PermissionError("Bara administratörer får avpseudonymisera.")
        actor_name = actor.username
    else:
        actor_name = actor
    found = session.scalar(select(Pseudonym).where(Pseudonym.scope == scope,
                                                   Pseudonym.pseudonym == pseudonym.strip()))
    vault = PseudonymVault(key)
    value = vault.decrypt(found.encrypted_value) if found is not None else None
    record_event(session, actor=actor_name, action="resolve_pseudonym", object_type="pseudonym",
                 object_id=target, detail={"found": value is not None}, client=client)
    return value
