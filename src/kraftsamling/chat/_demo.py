"""Demo data for chat insights: six weeks of synthetic Swedish chats, analysed and stored."""

from __future__ import annotations

from kraftsamling.chat._service import analyze_with_settings, load_chat_model
from kraftsamling.chat._store import save_analysis
from kraftsamling.chat._synth import synthetic_conversations
from kraftsamling.privacy import Pseudonymization
from kraftsamling.settings import Settings
from kraftsamling.store import Database

__all__ = ["build_chat_demo"]

DEMO_CONVERSATIONS = 240


def build_chat_demo(database: Database, settings: Settings, seed: int) -> str:
    conversations = synthetic_conversations(DEMO_CONVERSATIONS, seed=seed + 11)
    privacy = Pseudonymization.for_settings(settings)
    for conversation in conversations:  # as on import: pseudonymise before anything is stored
        conversation.messages = [type(m)(m.role, privacy.text(m.text), m.timestamp)
                                 for m in conversation.messages]
    model, demo = load_chat_model(settings)
    analysis = analyze_with_settings(conversations, settings, model=model)
    with database.session() as session:
        save_analysis(session, analysis, conversations, filename="demochattar.csv",
                      imported_by="demo", demo_model=demo)
    return (f"{DEMO_CONVERSATIONS} syntetiska chattar analyserade för samordnarens översikt "
            "(/chat).")
