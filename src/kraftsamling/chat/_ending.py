"""How a chat ended: the seeker's closing words, and a label a coordinator can read.

The estimate of mood after the chat used to read only a slice of the closing words beside the
starting mood, and hardly told the chats that helped from those that did not. The seeker's
last messages say it more directly — gratitude, relief, a plan, against resignation or "you
don't get it" — and so does whether the seeker's mood words grow lighter over the chat. The
cues are word patterns in ``data/ending.toml`` (Swedish and English, the coordinators' own to
change); :class:`EndingCues` turns them into a few numbers per conversation for the end and
experience models, and into the sentences shown as the reason for the label.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kraftsamling._config_files import compile_pattern, read_toml
from kraftsamling.chat._io import Conversation

__all__ = ["DEFAULT_ENDING", "ENDING_LABELS", "EndingCues", "EndingEvidence"]

DEFAULT_ENDING = Path(__file__).parent / "data" / "ending.toml"
ENDING_LABELS = ("well", "badly", "unclear")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_TOP_KEYS = frozenset({"closing_messages", "well_from", "badly_below", "cues"})
_CUE_KEYS = frozenset({"helped", "not_helped"})


@dataclass(frozen=True)
class EndingEvidence:
    """The closing sentences that matched a cue, by kind (pseudonymised text)."""

    helped: tuple[str, ...]
    not_helped: tuple[str, ...]


def _compile(patterns: Sequence[object], source: Path, kind: str) -> tuple[re.Pattern[str], ...]:
    return tuple(compile_pattern(str(p), f"Mönstret '{p}' under cues.{kind} i '{source}' är "
                                 "felaktigt: {reason}", prefix=r"(?<!\w)", flags=re.IGNORECASE)
                 for p in patterns)


@dataclass(frozen=True)
class EndingCues:
    """Closing-word cues and the thresholds of the ended well / badly / unclear label."""

    helped: tuple[re.Pattern[str], ...]
    not_helped: tuple[re.Pattern[str], ...]
    closing_messages: int = 2
    well_from: float = 1.0
    badly_below: float = 0.5

    @classmethod
    def from_toml(cls, path: str | Path | None = None) -> EndingCues:
        source = Path(path) if path is not None else DEFAULT_ENDING
        data = read_toml(source, kind="Filen om hur samtal slutar")
        unknown = sorted(set(data) - _TOP_KEYS) + sorted(
            f"cues.{key}" for key in set(data.get("cues", {})) - _CUE_KEYS)
        if unknown:
            raise ValueError(f"Okänd inställning i '{source}': {', '.join(unknown)}.")
        cues = data.get("cues", {})
        try:
            closing = int(data.get("closing_messages", 2))
            well_from = float(data.get("well_from", 1.0))
            badly_below = float(data.get("badly_below", 0.5))
        except (TypeError, ValueError):
            raise ValueError(f"closing_messages, well_from och badly_below i '{source}' ska "
                             "vara tal.") from None
        if closing < 1:
            raise ValueError(f"closing_messages i '{source}' ska vara minst 1.")
        return cls(helped=_compile(cues.get("helped", []), source, "helped"),
                   not_helped=_compile(cues.get("not_helped", []), source, "not_helped"),
                   closing_messages=closing, well_from=well_from, badly_below=badly_below)

    def _count(self, text: str) -> tuple[int, int]:
        return (sum(bool(p.search(text)) for p in self.helped),
                sum(bool(p.search(text)) for p in self.not_helped))

    def evidence(self, conversation: Conversation) -> EndingEvidence:
        """The sentences of the seeker's closing messages that hold a cue."""
        helped: list[str] = []
        not_helped: list[str] = []
        for message in conversation.texts("seeker")[-self.closing_messages:]:
            for sentence in filter(None, (s.strip() for s in _SENTENCE.split(message))):
                good, bad = self._count(sentence)
                if bad:
                    not_helped.append(sentence)
                elif good:
                    helped.append(sentence)
        return EndingEvidence(tuple(helped), tuple(not_helped))

    def features(self, conversations: Sequence[Conversation]) -> npt.NDArray[np.float64]:
        """Per conversation: helped and not-helped cues in the closing messages, their
        balance, how that balance moved from the first third of the seeker's messages to the
        last, whether the seeker had the last word, and the closing messages' length."""
        rows: list[list[float]] = []
        for conversation in conversations:
            seeker = conversation.texts("seeker")
            good, bad = self._count(" \n".join(seeker[-self.closing_messages:]))
            third = max(1, len(seeker) // 3)
            early = self._count(" \n".join(seeker[:third]))
            late = self._count(" \n".join(seeker[-third:]))
            last_is_seeker = bool(conversation.messages) and \
                conversation.messages[-1].role == "seeker"
            closing_words = sum(len(t.split()) for t in seeker[-self.closing_messages:])
            rows.append([min(good, 4) / 4, min(bad, 4) / 4, (min(good, 4) - min(bad, 4)) / 4,
                         float(np.clip(((late[0] - late[1]) - (early[0] - early[1])) / 4, -1, 1)),
                         float(last_is_seeker), min(closing_words, 40) / 40])
        return np.asarray(rows, dtype=np.float64).reshape(len(rows), 6)

    def label(self, improvement: float, evidence: EndingEvidence) -> str:
        """``well``, ``badly`` or ``unclear`` from the estimated improvement (mood after
        minus before, 1–5 scale) and the closing cues."""
        if evidence.not_helped and not evidence.helped:
            return "badly"
        if improvement >= self.well_from and evidence.helped and not evidence.not_helped:
            return "well"
        if improvement < self.badly_below and not evidence.helped:
            return "badly"
        return "unclear"

