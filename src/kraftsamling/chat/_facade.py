"""Chat insights' public API for every door (the CLI, the web app, the demo)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from kraftsamling.chat._analysis import ChatAnalysis, ChatModel
from kraftsamling.chat._demand import DemandModel, volunteer_load
from kraftsamling.chat._io import Conversation, read_survey
from kraftsamling.chat._service import (
    analyze_with_settings,
    load_chat_model,
    read_conversations,
    train_chat_model,
    write_analysis_csv,
)
from kraftsamling.chat._store import ChatBatch, ChatConversation, save_analysis
from kraftsamling.services import ModuleService

__all__ = ["ChatRun", "ChatService"]

# The stored conversation's columns the dashboards, the endings panel and the report read.
STORED_FIELDS = ("conversation_id", "language", "topics", "mood_before", "mood_after",
                 "mood_change", "mood_change_beyond_expected", "experience", "ending",
                 "ending_evidence", "demand_score", "demanding", "risk_flags", "n_messages",
                 "duration_min", "volunteer_id", "started_at")


@dataclass
class ChatRun:
    """One file read, pseudonymised and analysed (``demo``: by the demo model)."""

    analysis: ChatAnalysis
    conversations: list[Conversation]
    demo: bool


class ChatService(ModuleService):
    """Import (analyse and store), train, assess (analyse to a CSV)."""

    def model(self) -> tuple[ChatModel, bool]:
        return load_chat_model(self.settings, progress=self.note)

    def analyse(self, source: Path, *, format: str = "canonical", survey: Path | None = None,
                content: bytes | None = None,
                survey_answers: dict[str, dict[str, int | None]] | None = None,
                reading: Callable[[], None] | None = None,
                progress: Callable[[int, int], None] | None = None) -> ChatRun:
        """Read (pseudonymised by the installation's recognisers) and analyse a chat file.

        A bad file (or survey) stops us before the model is loaded, which can mean training
        the demo model. ``progress(done, total)`` is told as conversations are analysed."""
        if survey is not None:
            read_survey(survey)
        if reading is not None:
            reading()
        conversations = read_conversations(source, self.settings, format=format,
                                           content=content)
        model, demo = self.model()
        total = len(conversations)
        done = [0]

        def advance(n: int) -> None:
            done[0] += n
            if progress is not None:
                progress(done[0], total)

        analysis = analyze_with_settings(conversations, self.settings, model=model,
                                         survey=survey, survey_answers=survey_answers,
                                         progress=advance)
        return ChatRun(analysis, conversations, demo)

    def analyse_to_csv(self, run: ChatRun, output: Path, *, all_columns: bool = False) -> Path:
        return write_analysis_csv(run.analysis, output, all_columns=all_columns)

    def store(self, run: ChatRun, *, filename: str, actor: str,
              client: str = "") -> tuple[int, int]:
        """Store an analysed file with its audit event; returns (batch id, conversations)."""
        with self.database.session() as session:
            batch: ChatBatch = save_analysis(session, run.analysis, run.conversations,
                                             filename=filename, imported_by=actor,
                                             demo_model=run.demo, client=client)
            return batch.id, batch.conversations

    def stored(self) -> tuple[pd.DataFrame, list[ChatBatch]]:
        """Every stored conversation as one frame (what the dashboards read), and the
        batches, newest first."""
        with self.database.session() as session:
            rows = session.scalars(select(ChatConversation).order_by(ChatConversation.id))
            batches = list(session.scalars(select(ChatBatch).order_by(ChatBatch.id.desc())))
            records = [{**{f: getattr(r, f) for f in STORED_FIELDS if f != "conversation_id"},
                        "conversation_id": r.external_id, "id": r.id} for r in rows]
            session.expunge_all()
        return pd.DataFrame(records, columns=[*STORED_FIELDS, "id"]), batches

    def volunteer_load(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Each volunteer's week, by the installation's demand settings."""
        return volunteer_load(frame, demand=DemandModel.from_toml(self.settings.chat_demand))

    def train(self, source: Path, *, format: str = "esconv", output: Path | None = None
              ) -> tuple[ChatModel, Path]:
        return train_chat_model(source, self.settings, format=format, output=output)
