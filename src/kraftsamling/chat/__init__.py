"""Chat insights for support chats: topics, mood before and after, experience, demand, load.

Readers for the canonical one-message-per-row format, ESConv and the post-chat survey, with
texts pseudonymised as they are read; models for the seeker's problem, mood at the start and
end, experience and Swedish sentiment; the per-conversation analysis, volunteer load per week,
and the dashboards' data in the database.
"""

from typing import TYPE_CHECKING

from kraftsamling._lazy import lazy_exports

if TYPE_CHECKING:
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
    from kraftsamling.chat._facade import ChatRun, ChatService
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
    from kraftsamling.chat._report import dashboard_charts, render_report
    from kraftsamling.chat._service import (
        analyze_file,
        default_risk_rules,
        load_chat_model,
        organisation_chat_model,
        read_conversations,
        train_chat_model,
        write_analysis_csv,
    )
    from kraftsamling.chat._store import ChatBatch, ChatConversation
    from kraftsamling.chat._synth import synthetic_conversations, write_canonical, write_survey
    from kraftsamling.chat._topics import (
        DiscoveredTopic,
        Topic,
        TopicClassifier,
        TopicEntry,
        TopicsFile,
        TopicTaxonomy,
        discover_topics,
        read_topic_chats,
    )

__all__ = [
    "CHAT_SCHEMA",
    "CSV_COLUMNS",
    "ENDING_LABELS",
    "SURVEY_SCHEMA",
    "ChatAnalysis",
    "ChatBatch",
    "ChatConversation",
    "ChatInsight",
    "ChatModel",
    "ChatRun",
    "ChatService",
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
    "TopicClassifier",
    "TopicEntry",
    "TopicTaxonomy",
    "TopicsFile",
    "analyze_conversations",
    "analyze_file",
    "dashboard_charts",
    "default_risk_rules",
    "detect_language",
    "discover_topics",
    "load_chat_model",
    "organisation_chat_model",
    "read_canonical",
    "read_conversations",
    "read_esconv",
    "read_survey",
    "read_topic_chats",
    "render_report",
    "seeker_text",
    "synthetic_conversations",
    "train_chat_model",
    "volunteer_load",
    "write_analysis_csv",
    "write_canonical",
    "write_survey",
]


# Each name's module loads when the name is first used (PEP 562): registering the plugin or
# running an unrelated command imports none of the module's model code.
__getattr__ = lazy_exports(__name__, {
    "render_report": "kraftsamling.chat._report",
    "dashboard_charts": "kraftsamling.chat._report",
    "organisation_chat_model": "kraftsamling.chat._service",
    "ChatBatch": "kraftsamling.chat._store",
    "ChatConversation": "kraftsamling.chat._store",
    "CHAT_SCHEMA": "kraftsamling.chat._io",
    "CSV_COLUMNS": "kraftsamling.chat._analysis",
    "ChatAnalysis": "kraftsamling.chat._analysis",
    "ChatInsight": "kraftsamling.chat._analysis",
    "ChatModel": "kraftsamling.chat._analysis",
    "ChatRun": "kraftsamling.chat._facade",
    "ChatService": "kraftsamling.chat._facade",
    "Conversation": "kraftsamling.chat._io",
    "DemandModel": "kraftsamling.chat._demand",
    "DiscoveredTopic": "kraftsamling.chat._topics",
    "ENDING_LABELS": "kraftsamling.chat._ending",
    "EndingCues": "kraftsamling.chat._ending",
    "EndingEvidence": "kraftsamling.chat._ending",
    "Message": "kraftsamling.chat._io",
    "MoodEstimator": "kraftsamling.chat._models",
    "ProblemTypeClassifier": "kraftsamling.chat._models",
    "SURVEY_SCHEMA": "kraftsamling.chat._io",
    "SentimentClassifier": "kraftsamling.chat._models",
    "Topic": "kraftsamling.chat._topics",
    "TopicClassifier": "kraftsamling.chat._topics",
    "TopicEntry": "kraftsamling.chat._topics",
    "TopicTaxonomy": "kraftsamling.chat._topics",
    "TopicsFile": "kraftsamling.chat._topics",
    "analyze_conversations": "kraftsamling.chat._analysis",
    "analyze_file": "kraftsamling.chat._service",
    "default_risk_rules": "kraftsamling.chat._service",
    "detect_language": "kraftsamling._language",
    "discover_topics": "kraftsamling.chat._topics",
    "load_chat_model": "kraftsamling.chat._service",
    "read_canonical": "kraftsamling.chat._io",
    "read_conversations": "kraftsamling.chat._service",
    "read_esconv": "kraftsamling.chat._io",
    "read_survey": "kraftsamling.chat._io",
    "read_topic_chats": "kraftsamling.chat._topics",
    "seeker_text": "kraftsamling.chat._models",
    "synthetic_conversations": "kraftsamling.chat._synth",
    "train_chat_model": "kraftsamling.chat._service",
    "volunteer_load": "kraftsamling.chat._demand",
    "write_analysis_csv": "kraftsamling.chat._service",
    "write_canonical": "kraftsamling.chat._synth",
    "write_survey": "kraftsamling.chat._synth",
})
