"""Encrypted reversible mapping of pseudonyms.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pseudonyms",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scope", sa.String(100), nullable=False),
        sa.Column("pseudonym", sa.String(100), nullable=False),
        sa.Column("encrypted_value", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("scope", "pseudonym"),
    )
    op.create_index("ix_pseudonyms_scope", "pseudonyms", ["scope"])


def downgrade() -> None:
    op.drop_table("pseudonyms")
