"""Rate limits shared by every server process: one token bucket per (limit, keyed hash).

The login's per-address limit and the survey's per-address and per-link limits were held in
each process's memory; behind several workers (or after a restart) each had its own budget.
A bucket's key is an HMAC of the address or link under the server's secret key, never the
address itself, and a bucket is deleted once it has refilled.

Revision ID: 0019
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_buckets",
        sa.Column("limit_name", sa.String(40), primary_key=True),
        sa.Column("key_hash", sa.String(64), primary_key=True),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated", sa.Float(), nullable=False),  # seconds since the epoch
        sa.Column("full_at", sa.Float(), nullable=False),  # when it will have refilled
    )
    op.create_index("ix_rate_limit_buckets_full_at", "rate_limit_buckets", ["full_at"])


def downgrade() -> None:
    op.drop_index("ix_rate_limit_buckets_full_at", table_name="rate_limit_buckets")
    op.drop_table("rate_limit_buckets")
