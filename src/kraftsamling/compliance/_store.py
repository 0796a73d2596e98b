"""Which papers were made, when, by whom, and from what (the fingerprint and its sources)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kraftsamling.store.models import Base, utcnow

__all__ = ["ComplianceReport"]


class ComplianceReport(Base):
    """One module's papers as generated: the fingerprint says whether they are still true."""

    __tablename__ = "compliance_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    module: Mapped[str] = mapped_column(String(30), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    fingerprint: Mapped[str] = mapped_column(String(64))
    sources: Mapped[list[str]] = mapped_column()
    files: Mapped[list[str]] = mapped_column()
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
