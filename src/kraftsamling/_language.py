"""Swedish or English? Counted from the commonest function words — enough for whole chats.

A chat is long enough that a few dozen function words decide the language reliably; a
statistical language identifier would add a dependency for no gain on this two-way choice.
Shared by the chat analysis (language per conversation) and the name recogniser (whose
Swedish-trained tagger must not read English words as names).
"""

from __future__ import annotations

import re

__all__ = ["detect_language"]

_SWEDISH = frozenset(
    "och att det som en på är av för med till den har de inte om ett han men var jag hon kan "
    "mig du så vi sig nu bara när mycket min mitt mina vad eller hur får känner mår också ska "
    "vill kanske någon något efter alla här där dig tack hej".split())
_ENGLISH = frozenset(
    "the and to of a in is it you that he was for on are with as his they be at one have this "
    "from or had by not but what all were we when your can said there an my me so do if i'm im "
    "feel just about really been would how thanks hello hi".split())
_WORD = re.compile(r"[a-zåäöéü']+")


def detect_language(text: str) -> str:
    """'sv' or 'en' (ties go to Swedish, the product's first language)."""
    words = _WORD.findall(text.lower())
    swedish = sum(word in _SWEDISH for word in words)
    english = sum(word in _ENGLISH for word in words)
    return "en" if english > swedish else "sv"
