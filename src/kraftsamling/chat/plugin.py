"""Chat insights as a plugin: commands, pages, tables, declared inputs, demo, settings."""

from kraftsamling.plugins import ModulePlugin

__all__ = ["plugin"]

plugin = ModulePlugin(
    name="chat",
    commands={"chat": "kraftsamling.chat.cli:chat_app"},
    routers=["kraftsamling.chat.web:router"],
    tables=[f"kraftsamling.chat._store:{name}"
            for name in ("ChatBatch", "ChatConversation", "ChatMessage")],
    schemas=["kraftsamling.chat._io:CHAT_SCHEMA", "kraftsamling.chat._io:SURVEY_SCHEMA"],
    demo=[("Chattanalys", "kraftsamling.chat._demo:build_chat_demo", True)],
    settings=["chat_topics", "chat_demand", "chat_ending"],
)
