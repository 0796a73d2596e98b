"""How demanding a conversation is for the volunteer, and each volunteer's load per week.

The demand score is a documented weighted sum (``data/demand.toml``), not a fitted model:
no data says what "demanding" means, so the weights are stated where a coordinator can read
and change them, and every score can be taken apart into its parts.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from kraftsamling._config_files import compile_pattern, read_validated

__all__ = ["DEFAULT_DEMAND", "DemandClosing", "DemandModel", "DemandScales", "volunteer_load"]

DEFAULT_DEMAND = Path(__file__).parent / "data" / "demand.toml"
PARTS = ("risk", "intensity", "length", "rate", "hour", "abrupt_end")


class DemandScales(BaseModel):
    """Where a part is full (1.0): the file's ``[scales]``; a misspelt key is an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    full_length_messages: float = Field(default=60.0, gt=0)
    full_rate_per_minute: float = Field(default=2.0, gt=0)
    night_from: int = Field(default=22, ge=0, le=23)
    night_to: int = Field(default=6, ge=0, le=23)


class DemandClosing(BaseModel):
    """The file's ``[closing]``: words that close a conversation well (regular expressions
    matched at a word start in the seeker's last two messages)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    patterns: tuple[re.Pattern[str], ...] = ()

    @field_validator("patterns", mode="before")
    @classmethod
    def _compile(cls, patterns: object) -> tuple[re.Pattern[str], ...]:
        if isinstance(patterns, tuple) and all(isinstance(p, re.Pattern) for p in patterns):
            return patterns
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise ValueError("ska vara en lista med ord eller mönster inom citattecken")
        return tuple(compile_pattern(p, f"felaktigt mönster '{p}': {{reason}}", prefix=r"\b",
                                     flags=re.IGNORECASE) for p in patterns)


class DemandModel(BaseModel):
    """The demand file, validated: every default is declared here once."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    weights: dict[str, float]
    demanding_from: float = Field(default=50.0, ge=0, le=100)
    back_to_back_minutes: float = Field(default=15.0, ge=0)
    scales: DemandScales = DemandScales()
    closing: DemandClosing = DemandClosing()

    @field_validator("weights")
    @classmethod
    def _known_weights(cls, weights: dict[str, float]) -> dict[str, float]:
        unknown = set(weights) - set(PARTS)
        if unknown:
            raise ValueError(f"Okända vikter: {', '.join(sorted(unknown))}. "
                             f"Tillåtna: {', '.join(PARTS)}.")
        full = {part: float(weights.get(part, 0.0)) for part in PARTS}
        if any(w < 0 for w in full.values()) or sum(full.values()) <= 0:
            raise ValueError("Vikterna måste vara ≥ 0 och inte alla 0.")
        return full

    @classmethod
    def from_toml(cls, path: str | Path | None = None) -> DemandModel:
        source = Path(path) if path is not None else DEFAULT_DEMAND
        return read_validated(source, cls, kind="Belastningsfilen")

    def closes_well(self, last_seeker_messages: list[str]) -> bool:
        return any(p.search(text) for p in self.closing.patterns for text in last_seeker_messages)

    def parts(self, *, risk: bool, mood_before: float, n_messages: int,
              seeker_messages: int, duration_min: float | None, hour: int | None,
              abrupt_end: bool) -> dict[str, float]:
        """Each part between 0 and 1, before weighting."""
        rate = (seeker_messages / duration_min) if duration_min else 0.0
        start, end = self.scales.night_from, self.scales.night_to
        night = hour is not None and (
            (hour >= start or hour < end) if start > end else start <= hour < end)
        return {
            "risk": 1.0 if risk else 0.0,
            "intensity": min(max((5.0 - mood_before) / 4.0, 0.0), 1.0),
            "length": min(n_messages / self.scales.full_length_messages, 1.0),
            "rate": min(rate / self.scales.full_rate_per_minute, 1.0),
            "hour": 1.0 if night else 0.0,
            "abrupt_end": 1.0 if abrupt_end else 0.0,
        }

    def score(self, parts: dict[str, float]) -> float:
        """0–100: the weighted parts over the sum of the weights."""
        total = sum(self.weights.values())
        return round(100.0 * sum(self.weights[k] * parts[k] for k in PARTS) / total, 1)


def volunteer_load(frame: pd.DataFrame, *, demand: DemandModel) -> pd.DataFrame:
    """Per volunteer and ISO week: chats, demanding chats, minutes, demanding back to back.

    ``frame`` needs volunteer_id, started_at, duration_min and demanding columns (as
    :meth:`ChatAnalysis.to_frame` gives). Chats without volunteer or time are left out.
    """
    columns = ["volunteer_id", "week", "conversations", "demanding", "minutes",
               "back_to_back"]
    known = frame.dropna(subset=["volunteer_id", "started_at"])
    if known.empty:
        return pd.DataFrame(columns=columns)
    rows: list[dict[str, Any]] = []
    for volunteer, chats in known.sort_values("started_at").groupby("volunteer_id"):
        previous_end: datetime | None = None
        weekly: dict[str, dict[str, Any]] = {}
        for chat in chats.to_dict("records"):
            start = pd.Timestamp(chat["started_at"]).to_pydatetime()
            year, week, _ = start.isocalendar()
            key = f"{year}-V{week:02d}"
            entry = weekly.setdefault(key, {"volunteer_id": volunteer, "week": key,
                                            "conversations": 0, "demanding": 0,
                                            "minutes": 0.0, "back_to_back": 0})
            minutes = float(chat["duration_min"]) if pd.notna(chat["duration_min"]) else 0.0
            entry["conversations"] += 1
            entry["minutes"] += minutes
            if chat["demanding"]:
                entry["demanding"] += 1
                if previous_end is not None and (
                        start - previous_end).total_seconds() / 60 <= demand.back_to_back_minutes:
                    entry["back_to_back"] += 1
                previous_end = start + pd.Timedelta(minutes=minutes).to_pytimedelta()
        rows.extend(weekly.values())
    result = pd.DataFrame(rows, columns=columns)
    result["minutes"] = result["minutes"].round(1)
    return result.sort_values(["week", "volunteer_id"]).reset_index(drop=True)
