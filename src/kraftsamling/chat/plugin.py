"""Chat insights as a plugin: commands, pages, tables, declared inputs, demo, settings."""

from kraftsamling.plugins import ModulePlugin

__all__ = ["plugin"]

plugin = ModulePlugin.of_package(
    "chat", demo=[("Chattanalys", "build_chat_demo", True)],
    tables=("ChatBatch", "ChatConversation", "ChatMessage"),
    schemas=("_io:CHAT_SCHEMA", "_io:SURVEY_SCHEMA"),
    settings=("chat_topics", "chat_demand", "chat_ending"))
