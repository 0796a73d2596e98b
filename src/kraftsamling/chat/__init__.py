"""Chat insights for support chats: topics, mood before and after, experience, demand, load.

Readers for the canonical one-message-per-row format, ESConv and the post-chat survey, with
texts pseudonymised as they are read; models for the seeker's problem, mood at the start and
end, experience and Swedish sentiment; the per-conversation analysis, volunteer load per week,
and the dashboards' data in the database.
"""

from kraftsamling._language import detect_language
from kraftsamling.chat._analysis import (
    CSV_COLUMNS,
    ChatAnalysis,
    ChatInsight,
    ChatModel,
    analyze_conversations,
)
from kraftsamling.chat._demand import DemandModel, volunteer_load
from kraftsamling.chat._ending import ENDING_LABELS, EndingCues, EndingEvidence
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
from kraftsamling.chat._service import (
    analyze_file,
    default_risk_rules,
    load_chat_model,
    read_conversations,
    train_chat_model,
    write_analysis_csv,
)
from kraftsamling.chat._synth import synthetic_conversations, write_canonical, write_survey
from kraftsamling.chat._topics import DiscoveredTopic, Topic, TopicTaxonomy, discover_topics

__all__ = [
    "CHAT_SCHEMA",
    "CSV_COLUMNS",
    "ENDING_LABELS",
    "SURVEY_SCHEMA",
    "ChatAnalysis",
    "ChatInsight",
    "ChatModel",
    "Conversation",
    "DemandModel",
    "DiscoveredTopic",
    "EndingCues",
    "EndingEvidence",
    "Message",
    "MoodEstimator",
    "ProblemTypeClassifier",
    "SentimentClassifier",
    "Topic",
    "TopicTaxonomy",
    "analyze_conversations",
    "analyze_file",
    "default_risk_rules",
    "detect_language",
    "discover_topics",
    "load_chat_model",
    "read_canonical",
    "read_conversations",
    "read_esconv",
    "read_survey",
    "seeker_text",
    "synthetic_conversations",
    "train_chat_model",
    "volunteer_load",
    "write_analysis_csv",
    "write_canonical",
    "write_survey",
]
