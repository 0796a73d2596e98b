"""Support chats in: the canonical format, ESConv, and the post-chat survey.

Canonical: one message per row — ``conversation_id, role (seeker|volunteer), timestamp
(ISO 8601), text`` and optionally ``volunteer_id``. Every text is pseudonymised as it is
read, with pseudonyms consistent across the whole file.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from kraftsamling.privacy import Pseudonymization, Pseudonymizer
from kraftsamling.tabular import ColumnSpec, ReadError, TableSchema, read_table

__all__ = [
    "CHAT_SCHEMA",
    "SURVEY_SCHEMA",
    "Conversation",
    "Message",
    "read_canonical",
    "read_esconv",
    "read_survey",
]

# One column, one definition: the chat file and the survey join on it.
_CONVERSATION_ID = ColumnSpec(name="conversation_id", title="samtal",
                              aliases=("samtals-id", "chatt", "chatt-id"))
CHAT_SCHEMA = TableSchema(
    name="chatt",
    description="En rad per meddelande: samtal, roll, tid, text och (frivilligt) volontär.",
    columns=(
        _CONVERSATION_ID,
        ColumnSpec(name="role", title="roll", aliases=("avsändare", "från"),
                   allowed=("seeker", "volunteer"),
                   value_aliases=(("seeker", ("stödsökande", "sökande", "besökare", "användare",
                                              "chattare")),
                                  ("volunteer", ("volontär", "frivillig", "stödperson",
                                                 "jourare")))),
        ColumnSpec(name="timestamp", title="tid",
                   aliases=("tidpunkt", "tidsstämpel", "datum och tid"),
                   pattern=r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
                           r"(Z|[+-]\d{2}:?\d{2})?"),
        ColumnSpec(name="text", aliases=("meddelande",), kind="free_text"),
        ColumnSpec(name="volunteer_id", title="volontär", aliases=("volontär-id", "frivillig"),
                   required=False, nullable=True, kind="identifier", purpose="volunteer",
                   hash_length=10),
    ),
)
SURVEY_SCHEMA = TableSchema(
    name="chattenkät",
    description="Enkät efter chatten: samtal, mående före, mående efter, upplevelse (1–5).",
    columns=(
        _CONVERSATION_ID,
        *(ColumnSpec(name=name, title=title, aliases=aliases, type="int", min=1, max=5,
                     nullable=True, required=False)
          for name, title, aliases in (("mood_before", "mående före", ("humör före",)),
                                       ("mood_after", "mående efter", ("humör efter",)),
                                       ("experience", "upplevelse", ("betyg",)))),
    ),
)


@dataclass(frozen=True)
class Message:
    role: str  # seeker or volunteer
    text: str  # pseudonymised
    timestamp: datetime | None = None


@dataclass
class Conversation:
    conversation_id: str
    messages: list[Message]
    volunteer_id: str | None = None
    # Known answers where the source has them (ESConv's survey, a canonical survey file).
    labels: dict[str, object] = field(default_factory=dict)

    def texts(self, role: str) -> list[str]:
        return [m.text for m in self.messages if m.role == role]

    @property
    def duration_min(self) -> float | None:
        times = [m.timestamp for m in self.messages if m.timestamp is not None]
        return (max(times) - min(times)).total_seconds() / 60 if len(times) > 1 else None


def opening_words(conversation: Conversation, words: int) -> list[str]:
    """Up to ``words`` words the seeker wrote first, after any bare greeting."""
    collected: list[str] = []
    for text in conversation.texts("seeker"):
        tokens = text.split()
        if not collected and len(tokens) < 4:
            continue
        collected.extend(tokens)
        if len(collected) >= words:
            break
    if not collected:  # only short messages
        collected = " ".join(conversation.texts("seeker")).split()
    return collected[:words]


def start_slice(conversation: Conversation, words: int) -> str:
    """The first ``words`` words the seeker wrote, after any bare greeting."""
    return " ".join(opening_words(conversation, words))


def _timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


VOLUNTEER_ID = next(c for c in CHAT_SCHEMA.columns if c.name == "volunteer_id")


def read_canonical(path: str | Path, *, privacy: Pseudonymization,
                   content: bytes | None = None) -> list[Conversation]:
    """Conversations from a canonical CSV/JSONL file, in the order they first appear.

    Every column is treated as the schema declares it: text through the recognisers (type
    tags), ``volunteer_id`` (an identifier) as a keyed hash. ``content``: the file's bytes
    (an upload), read from memory, never written to disk."""
    table = read_table(path, content=content)
    records = CHAT_SCHEMA.validate(table, filename=Path(path).name)
    grouped: dict[str, list[tuple[datetime, int, Message]]] = defaultdict(list)
    volunteers: dict[str, str | None] = {}
    for index, record in enumerate(records):
        conversation = str(record["conversation_id"])
        moment = _timestamp(str(record["timestamp"]))
        text = privacy.text(str(record["text"]))
        grouped[conversation].append((moment, index, Message(str(record["role"]), text, moment)))
        volunteer = record.get("volunteer_id")
        if volunteer:
            volunteers[conversation] = "V-" + privacy.identifier(str(volunteer), VOLUNTEER_ID)
        else:
            volunteers.setdefault(conversation, None)
    return [Conversation(cid, [m for _, _, m in sorted(rows)], volunteers[cid])
            for cid, rows in grouped.items()]


def read_esconv(path: str | Path, *, pseudonymizer: Pseudonymizer | None = None
                ) -> list[Conversation]:
    """ESConv: one dialogue per line. conversation_id is the 0-based line number; the seeker's
    emotion intensity (5 = strongest negative) becomes mood 6 − intensity. Survey scores, the
    problem type and the seeker's pre-chat description of the situation go to ``labels`` only,
    never to the model's input; the description is pseudonymised like the messages."""
    conversations = []
    source = Path(path)
    if not source.is_file():
        raise ReadError(f"Filen '{path}' finns inte.")
    with source.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                dialog = record["dialog"]
                if not isinstance(dialog, list) or not dialog:
                    raise TypeError
                # The survey is optional: a user's own chats in ESConv form have none.
                seeker = (record.get("survey_score") or {}).get("seeker") or {}
                if not isinstance(seeker, dict):
                    raise TypeError
            except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
                raise ReadError(f"Rad {number + 1} i '{source.name}' är inte en ESConv-dialog."
                                ) from None
            messages = []
            for turn in dialog:
                text = str(turn.get("text", ""))
                if pseudonymizer is not None:
                    text = pseudonymizer.redact(text)
                role = "seeker" if turn.get("speaker") == "usr" else "volunteer"
                messages.append(Message(role, text))
            labels: dict[str, object] = {"problem_type": record.get("problem_type"),
                                         "emotion_type": record.get("emotion_type")}
            situation = str(record.get("situation") or "").strip()
            if situation:
                labels["situation"] = (pseudonymizer.redact(situation)
                                       if pseudonymizer is not None else situation)
            for key, name in (("initial_emotion_intensity", "mood_before"),
                              ("final_emotion_intensity", "mood_after")):
                try:
                    intensity = int(seeker[key])
                except (KeyError, TypeError, ValueError):
                    continue
                labels[key] = intensity
                labels[name] = 6 - intensity
            ratings = [float(seeker[k]) for k in ("empathy", "relevance")
                       if str(seeker.get(k, "")).strip().isdigit()]
            if ratings:  # how the seeker rated the supporter: the chat's experience
                labels["experience"] = sum(ratings) / len(ratings)
            conversations.append(Conversation(str(number), messages, labels=labels))
    return conversations


def read_survey(path: str | Path, *, content: bytes | None = None
                ) -> dict[str, dict[str, int | None]]:
    """Post-chat survey answers by conversation id (``content``: the bytes of an upload)."""
    table = read_table(path, content=content)
    records = SURVEY_SCHEMA.validate(table, filename=Path(path).name)
    return {str(r["conversation_id"]): {k: r.get(k) for k in ("mood_before", "mood_after",
                                                              "experience")}
            for r in records}
