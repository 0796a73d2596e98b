"""Compliance: which papers (DPIA, record of processing, AI Act checklist) were made from what.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "compliance_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("module", sa.String(30), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_index("ix_compliance_reports_module", "compliance_reports", ["module"])


def downgrade() -> None:
    op.drop_index("ix_compliance_reports_module", table_name="compliance_reports")
    op.drop_table("compliance_reports")
