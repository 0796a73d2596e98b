"""Cases: assessed batches, one row per assessed person, and caseworkers' decisions.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_batches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("filename", sa.String(300), nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.JSON(), nullable=False),
        sa.Column("compared", sa.JSON(), nullable=False),
        sa.Column("fair_by", sa.String(60), nullable=True),
        sa.Column("model_trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("demo_model", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "case_persons",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("batch_id", sa.Integer(),
                  sa.ForeignKey("case_batches.id", ondelete="CASCADE"), nullable=False),
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("risk", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("best", sa.String(60), nullable=False),
        sa.Column("planned", sa.String(60), nullable=False),
        sa.Column("current", sa.String(60), nullable=False),
    )
    op.create_index("ix_case_persons_batch_id", "case_persons", ["batch_id"])
    op.create_index("ix_case_persons_pseudonym", "case_persons", ["pseudonym"])
    op.create_table(
        "case_decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(),
                  sa.ForeignKey("case_persons.id", ondelete="CASCADE"), nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recommended", sa.String(60), nullable=False),
        sa.Column("decision", sa.String(60), nullable=False),
        sa.Column("followed", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_index("ix_case_decisions_person_id", "case_decisions", ["person_id"])


def downgrade() -> None:
    op.drop_table("case_decisions")
    op.drop_table("case_persons")
    op.drop_table("case_batches")
