"""Chat: how each analysed conversation ended, and the closing sentences that decided it.

Revision ID: 0008
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chat_conversations") as batch:
        batch.add_column(sa.Column("ending", sa.String(10), nullable=False,
                                   server_default="unclear"))
        batch.add_column(sa.Column("ending_evidence", sa.JSON(), nullable=False,
                                   server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("chat_conversations") as batch:
        batch.drop_column("ending_evidence")
        batch.drop_column("ending")
