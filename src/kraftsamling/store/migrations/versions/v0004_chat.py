"""Chat insights: imported batches, analysed conversations and their pseudonymised messages.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_batches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("filename", sa.String(300), nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("conversations", sa.Integer(), nullable=False),
        sa.Column("share_unassigned", sa.Float(), nullable=False),
        sa.Column("discovered", sa.JSON(), nullable=False),
        sa.Column("demo_model", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "chat_conversations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("batch_id", sa.Integer(),
                  sa.ForeignKey("chat_batches.id", ondelete="CASCADE"), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("volunteer_id", sa.String(200), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("problem_type", sa.String(100), nullable=False),
        sa.Column("mood_before", sa.Float(), nullable=False),
        sa.Column("mood_after", sa.Float(), nullable=False),
        sa.Column("mood_change", sa.Float(), nullable=False),
        sa.Column("mood_change_beyond_expected", sa.Float(), nullable=False),
        sa.Column("mood_source", sa.String(10), nullable=False),
        sa.Column("experience", sa.Float(), nullable=False),
        sa.Column("demand_score", sa.Float(), nullable=False),
        sa.Column("demanding", sa.Boolean(), nullable=False),
        sa.Column("demand_parts", sa.JSON(), nullable=False),
        sa.Column("risk_flags", sa.JSON(), nullable=False),
        sa.Column("n_messages", sa.Integer(), nullable=False),
        sa.Column("duration_min", sa.Float(), nullable=True),
    )
    op.create_index("ix_chat_conversations_batch_id", "chat_conversations", ["batch_id"])
    op.create_table(
        "chat_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.Integer(),
                  sa.ForeignKey("chat_conversations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
    )
    op.create_index("ix_chat_messages_conversation_id", "chat_messages", ["conversation_id"])


def downgrade() -> None:
    op.drop_table("chat_messages")
    op.drop_table("chat_conversations")
    op.drop_table("chat_batches")
