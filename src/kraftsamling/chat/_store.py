"""Analysed chats in the database: pseudonymised messages and one row of answers each.

Only pseudonymised text is stored (names, numbers and addresses already replaced on import);
reading a conversation's messages is audited by the web app.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from kraftsamling.store.audit import record_event
from kraftsamling.store.models import Base, utcnow

if TYPE_CHECKING:  # the tables load without the analysis code (migrations, the demo's start)
    from kraftsamling.chat._analysis import ChatAnalysis
    from kraftsamling.chat._io import Conversation

__all__ = ["ChatBatch", "ChatConversation", "ChatMessage", "save_analysis"]


class ChatBatch(Base):
    """One imported file: who imported it, when, and what topic discovery found."""

    __tablename__ = "chat_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(300))
    imported_by: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    conversations: Mapped[int] = mapped_column(Integer)
    share_unassigned: Mapped[float] = mapped_column(Float)
    discovered: Mapped[list[dict[str, Any]]] = mapped_column()
    demo_model: Mapped[bool] = mapped_column(Boolean, default=False)


class ChatConversation(Base):
    __tablename__ = "chat_conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("chat_batches.id", ondelete="CASCADE"),
                                          index=True)
    external_id: Mapped[str] = mapped_column(String(200))
    volunteer_id: Mapped[str | None] = mapped_column(String(200), default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    language: Mapped[str] = mapped_column(String(5))
    topics: Mapped[list[str]] = mapped_column()
    problem_type: Mapped[str] = mapped_column(String(100))
    mood_before: Mapped[float] = mapped_column(Float)
    mood_after: Mapped[float] = mapped_column(Float)
    mood_change: Mapped[float] = mapped_column(Float)
    mood_change_beyond_expected: Mapped[float] = mapped_column(Float)
    mood_source: Mapped[str] = mapped_column(String(10))
    experience: Mapped[float] = mapped_column(Float)
    # How the chat ended: well, badly or unclear, with the closing sentences that decided it.
    ending: Mapped[str] = mapped_column(String(10), default="unclear")
    ending_evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    demand_score: Mapped[float] = mapped_column(Float)
    demanding: Mapped[bool] = mapped_column(Boolean)
    demand_parts: Mapped[dict[str, Any]] = mapped_column()
    risk_flags: Mapped[list[str]] = mapped_column()
    n_messages: Mapped[int] = mapped_column(Integer)
    duration_min: Mapped[float | None] = mapped_column(Float, default=None)

    messages: Mapped[list[ChatMessage]] = relationship(order_by="ChatMessage.position",
                                                       cascade="all, delete-orphan")


class ChatMessage(Base):
    __tablename__ = "chat_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("chat_conversations.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(10))
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    text: Mapped[str] = mapped_column(Text)  # pseudonymised


def save_analysis(session: Session, analysis: ChatAnalysis,
                  conversations: Sequence[Conversation], *, filename: str, imported_by: str,
                  demo_model: bool = False, client: str = "") -> ChatBatch:
    """Store a batch: its conversations' answers and pseudonymised messages, with its
    ``chat.import`` audit event in the same transaction (every door, by construction)."""
    by_id = {c.conversation_id: c for c in conversations}
    batch = ChatBatch(filename=filename, imported_by=imported_by,
                      conversations=len(analysis.insights),
                      share_unassigned=analysis.share_unassigned,
                      discovered=[{"label": d.label, "words": list(d.words), "size": d.size}
                                  for d in analysis.discovered], demo_model=demo_model)
    session.add(batch)
    session.flush()
    for insight in analysis.insights:
        source = by_id[insight.conversation_id]
        row = ChatConversation(
            batch_id=batch.id, external_id=insight.conversation_id,
            volunteer_id=insight.volunteer_id, started_at=insight.started_at,
            language=insight.language, topics=insight.topics,
            problem_type=insight.problem_type, mood_before=insight.mood_before,
            mood_after=insight.mood_after, mood_change=insight.mood_change,
            mood_change_beyond_expected=insight.mood_change_beyond_expected,
            mood_source=insight.mood_source, experience=insight.experience,
            ending=insight.ending, ending_evidence=insight.ending_evidence,
            demand_score=insight.demand_score, demanding=insight.demanding,
            demand_parts=insight.demand_parts, risk_flags=insight.risk_flags,
            n_messages=insight.n_messages, duration_min=insight.duration_min)
        row.messages = [ChatMessage(position=i, role=m.role, sent_at=m.timestamp, text=m.text)
                        for i, m in enumerate(source.messages)]
        session.add(row)
    session.flush()
    record_event(session, actor=imported_by, action="chat.import", object_type="chat_batch",
                 object_id=batch.id, detail={"conversations": batch.conversations},
                 client=client)
    return batch
