"""Surveys, anonymous responses, assessed answers and their review, and notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kraftsamling.store.models import Base, utcnow

__all__ = ["AnswerReview", "Notification", "Survey", "SurveyLink", "SurveyResponse"]


class Survey(Base):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    questions: Mapped[list[dict[str, Any]]] = mapped_column()  # [{id, text, kind}]
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(default=True)

    links: Mapped[list[SurveyLink]] = relationship(back_populates="survey",
                                                   order_by="SurveyLink.id")


class SurveyLink(Base):
    """One link per school and class: the only thing a response is tied to."""

    __tablename__ = "survey_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    school: Mapped[str] = mapped_column(String(200))
    class_name: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(default=True)

    survey: Mapped[Survey] = relationship(back_populates="links")


class SurveyResponse(Base):
    """An anonymous response: no name, no IP address, no cookie identifier is stored."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("survey_links.id", ondelete="CASCADE"),
                                         index=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    answers: Mapped[dict[str, Any]] = mapped_column()  # question id -> pseudonymised answer

    link: Mapped[SurveyLink] = relationship()


class AnswerReview(Base):
    """One free-text answer as autolarm assessed it, and what people then decided."""

    __tablename__ = "autolarm_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True, default=None)
    question: Mapped[str] = mapped_column(String(500), default="")
    text: Mapped[str] = mapped_column(Text)  # pseudonymised
    level: Mapped[str] = mapped_column(String(20), index=True)
    score: Mapped[float] = mapped_column()
    categories: Mapped[list[str]] = mapped_column(default=list)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    uncertainty: Mapped[float] = mapped_column(default=0.0)
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100), default=None)
    escalated_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by: Mapped[str | None] = mapped_column(String(100), default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    label_level: Mapped[str | None] = mapped_column(String(20), default=None)
    label_categories: Mapped[list[str] | None] = mapped_column(default=None)
    labelled_by: Mapped[str | None] = mapped_column(String(100), default=None)


class Notification(Base):
    """An e-mail or webhook about an urgent answer; retried until delivered."""

    __tablename__ = "autolarm_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("autolarm_answers.id", ondelete="CASCADE"),
                                           index=True)
    channel: Mapped[str] = mapped_column(String(20))  # email or webhook
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
