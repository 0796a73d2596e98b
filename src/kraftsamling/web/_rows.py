"""One stored row for a page, or the page's 404."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

__all__ = ["row_or_404"]

Row = TypeVar("Row")


def row_or_404(session: Session, model: type[Row], row_id: int, *related: Any) -> Row:
    """The ``model`` row with ``row_id``, its ``related`` rows loaded with it (so a template
    can read them after the session), or an ``HTTPException`` 404."""
    query = select(model).where(model.id == row_id)  # type: ignore[attr-defined]
    row = session.scalar(query.options(*(selectinload(r) for r in related)))
    if row is None:
        raise HTTPException(status_code=404)
    return row
