"""The twin's declared inputs: a survey wave's columns and how a pupil's id is hashed.

``PUPIL_ID`` is the one definition of a pupil's pseudonym: every reader (survey waves,
RSiena matrices, edge lists, behaviour files) stores it through :func:`pupil_alias`, and the
web app's search hashes what staff type through the same column.
"""

from __future__ import annotations

from kraftsamling.privacy import column_hash
from kraftsamling.tabular import ColumnSpec, TableSchema

__all__ = ["PUPIL_ID", "WAVE_SCHEMA", "pupil_alias"]

PUPIL_ID = ColumnSpec(name="pupil_id", kind="identifier", purpose="pupil", hash_length=12,
                      description="Skolans id för eleven (lagras som nyckelad hash).")

WAVE_SCHEMA = TableSchema(
    name="tvilling-mätning",
    description="En mätning (termin), en rad per elev: pupil_id, class, gender, friends, "
                "mean_to_me, defends_me, valfritt wellbeing (eller wellbeing_*), free_text, "
                "friends_unknown.",
    columns=(
        PUPIL_ID,
        ColumnSpec(name="class"),
        ColumnSpec(name="gender", nullable=True),
        ColumnSpec(name="friends", nullable=True, description="Elev-id, mellanslagsseparerade."),
        ColumnSpec(name="mean_to_me", nullable=True),
        ColumnSpec(name="defends_me", nullable=True),
        ColumnSpec(name="wellbeing", required=False, nullable=True),
        ColumnSpec(name="free_text", required=False, nullable=True, kind="free_text"),
        ColumnSpec(name="friends_unknown", required=False, nullable=True),
    ),
    # wellbeing_1, wellbeing_2 … items: numbers only, read by the twin's own checks.
    extra_columns="ignore",
)


def pupil_alias(key: bytes | None, pupil: str) -> str:
    """A pupil's pseudonym under ``key`` (without a key, the id itself: files written for
    the school's own use, never stored)."""
    return column_hash(key, pupil, PUPIL_ID) if key else pupil
