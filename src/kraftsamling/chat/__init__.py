"""Chat insights for support chats (issue 5, in progress): readers and models so far.

Readers for the canonical one-message-per-row format, ESConv and the post-chat survey, with
texts pseudonymised as they are read; models for the seeker's problem, mood at the start and
end, and Swedish sentiment. The per-conversation analysis, CLI and dashboards come next.
"""

from kraftsamling.chat._io import (
    CHAT_SCHEMA,
    SURVEY_SCHEMA,
    Conversation,
    Message,
    read_canonical,
    read_esconv,
    read_survey,
)
from kraftsamling.chat._models import (
    MoodEstimator,
    ProblemTypeClassifier,
    SentimentClassifier,
    seeker_text,
)

__all__ = [
    "CHAT_SCHEMA",
    "SURVEY_SCHEMA",
    "Conversation",
    "Message",
    "MoodEstimator",
    "ProblemTypeClassifier",
    "SentimentClassifier",
    "read_canonical",
    "read_esconv",
    "read_survey",
    "seeker_text",
]
