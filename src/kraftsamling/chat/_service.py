"""The chat analysis as a service: which model, which rules, and files in and out.

The organisation's model is trained with ``kraftsamling chat train`` (on ESConv or its own
labelled chats) and kept in the data folder. Without one, a demo model is trained once from
the synthetic Swedish chats and kept in the cache folder — good enough to try the tool,
not for conclusions, and the CLI says so.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

from kraftsamling import __version__
from kraftsamling._cells import safe_frame
from kraftsamling.autolarm import RuleSet, rules_path
from kraftsamling.chat._analysis import CSV_COLUMNS, ChatAnalysis, ChatModel, analyze_conversations
from kraftsamling.chat._demand import DemandModel
from kraftsamling.chat._ending import EndingCues
from kraftsamling.chat._io import Conversation, read_canonical, read_esconv, read_survey
from kraftsamling.chat._synth import synthetic_conversations
from kraftsamling.chat._topics import TopicTaxonomy
from kraftsamling.modelstore import ModelStore
from kraftsamling.privacy import Pseudonymization
from kraftsamling.settings import Settings

__all__ = [
    "ENGLISH_RISK_RULES",
    "analyze_file",
    "analyze_with_settings",
    "default_risk_rules",
    "load_chat_model",
    "organisation_chat_model",
    "read_conversations",
    "train_chat_model",
    "write_analysis_csv",
]

ENGLISH_RISK_RULES = Path(__file__).parent / "data" / "risk_en.toml"
FORMATS = ("canonical", "esconv")
DEMO_TRAINING_SIZE = 1200


@lru_cache(maxsize=2)
def _rules(swedish: Path) -> dict[str, RuleSet]:
    return {"sv": RuleSet.from_toml(swedish), "en": RuleSet.from_toml(ENGLISH_RISK_RULES)}


def default_risk_rules(settings: Settings | None = None) -> dict[str, RuleSet]:
    """Autolarm's Swedish rules (the installation's own, if configured) and English rules."""
    return _rules(rules_path(settings or Settings()))


def _demo_fingerprint(settings: Settings | None = None) -> str:
    digest = hashlib.sha256(__version__.encode())
    for name in ("_analysis.py", "_models.py", "_synth.py", "_ending.py", "data/ending.toml"):
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:16]


def _check(model: ChatModel, path: Path) -> None:
    if not hasattr(model.problem_, "naive_bayes_") or not hasattr(model, "ending_"):
        raise ValueError(f"'{path}' tränades med en äldre version av Kraftsamling. "
                         "Träna om den med 'kraftsamling chat train'.")


MODELS: ModelStore[ChatModel] = ModelStore(
    name="chat", kind=ChatModel, check=_check, fingerprint=_demo_fingerprint,
    train_demo=lambda settings: ChatModel().fit(
        synthetic_conversations(DEMO_TRAINING_SIZE, seed=2026)),
    training_note="Tränar demomodellen för chattanalys på syntetiska chattar (en gång)…")


def organisation_chat_model(settings: Settings) -> Path:
    return MODELS.organisation_path(settings)


def load_chat_model(settings: Settings, *, progress: Callable[[str], None] | None = None
                    ) -> tuple[ChatModel, bool]:
    """The organisation's model, else the demo model; the flag is True for the demo model."""
    return MODELS.load(settings, progress=progress)


def read_conversations(path: str | Path, settings: Settings, *, format: str = "canonical",
                       content: bytes | None = None) -> list[Conversation]:
    """Conversations from a file, pseudonymised as they are read (``content``: an upload's
    bytes, canonical format, read from memory)."""
    if format not in FORMATS:
        raise ValueError(f"Okänt format '{format}'. Välj {' eller '.join(FORMATS)}.")
    privacy = Pseudonymization.for_settings(settings)
    if format == "esconv":
        return read_esconv(path, pseudonymizer=privacy.tagger())
    return read_canonical(path, privacy=privacy, content=content)


def train_chat_model(path: str | Path, settings: Settings, *, format: str = "esconv",
                     output: Path | None = None) -> tuple[ChatModel, Path]:
    """Train on labelled conversations (ESConv's train file) and save as the organisation's
    model (or to ``output``)."""
    conversations = read_conversations(path, settings, format=format)
    model = ChatModel(ending=EndingCues.from_toml(settings.chat_ending)).fit(conversations)
    return model, MODELS.save(model, settings, output)


def analyze_with_settings(conversations: Sequence[Conversation], settings: Settings, *,
                          model: ChatModel, survey: str | Path | None = None,
                          progress: Callable[[int], None] | None = None,
                          survey_answers: dict[str, dict[str, int | None]] | None = None,
                          ) -> ChatAnalysis:
    """Analyse with the installation's topics, demand weights and risk rules (the survey as
    a file, or as ``survey_answers`` already read)."""
    answers = read_survey(survey) if survey is not None else survey_answers
    return analyze_conversations(
        conversations, model=model, survey=answers,
        taxonomy=TopicTaxonomy.from_toml(settings.chat_topics),
        demand=DemandModel.from_toml(settings.chat_demand),
        risk_rules=default_risk_rules(settings),
        ending=EndingCues.from_toml(settings.chat_ending), progress=progress)


def analyze_file(path: str | Path, settings: Settings, *, format: str = "canonical",
                 survey: str | Path | None = None, model: ChatModel | None = None,
                 progress: Callable[[int], None] | None = None) -> ChatAnalysis:
    """Read, pseudonymise and analyse a chat file (with its survey, if given)."""
    if survey is not None:
        read_survey(survey)  # a bad survey file stops us before the long work
    conversations = read_conversations(path, settings, format=format)
    if model is None:
        model, _ = load_chat_model(settings)
    return analyze_with_settings(conversations, settings, model=model, survey=survey,
                                 progress=progress)


def write_analysis_csv(analysis: ChatAnalysis, path: str | Path, *, all_columns: bool = False
                       ) -> Path:
    """One row per conversation: the documented columns, or every field."""
    frame = analysis.to_frame()
    if not all_columns:
        frame = frame[CSV_COLUMNS]
    target = Path(path)
    safe_frame(frame).to_csv(target, index=False, quoting=csv.QUOTE_MINIMAL)
    return target
