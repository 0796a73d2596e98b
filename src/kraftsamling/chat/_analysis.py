"""One row of answers per conversation: topics, mood before and after, experience, demand.

:class:`ChatModel` bundles the learnt parts (problem, intensity at start and end, experience)
and is trained on labelled conversations — ESConv, or the synthetic Swedish chats for the
demo. :func:`analyze_conversations` adds what needs no training: language, taxonomy topics,
risk markers (autolarm's rules), the demand score and topic discovery.

Speed: the e5 embedding is the cost (about 0.45 ms per token on two cores), so each
conversation is embedded once, on a capped slice of the seeker's words at the start; the end
and experience models read word n-grams of the closing words (embedding them too cost a third
more time for no gain in final-intensity error on ESConv validation; ``end_embedding_weight``
turns it back on). The word n-gram features still see every word.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator

from kraftsamling._language import detect_language
from kraftsamling._textfeatures import EMBEDDING_DIM, FloatArray, embed
from kraftsamling.autolarm import Level, RuleSet
from kraftsamling.chat._demand import DemandModel
from kraftsamling.chat._ending import EndingCues
from kraftsamling.chat._io import Conversation, opening_words, start_slice
from kraftsamling.chat._models import MoodEstimator, Numbers, ProblemTypeClassifier
from kraftsamling.chat._topics import START_WORDS, DiscoveredTopic, TopicTaxonomy, discover_topics

__all__ = ["CSV_COLUMNS", "ChatAnalysis", "ChatInsight", "ChatModel", "analyze_conversations"]

CSV_COLUMNS = ["conversation_id", "language", "topics", "mood_before", "mood_after",
               "mood_change", "experience", "ending", "demand_score", "risk_flags",
               "n_messages", "duration_min"]
Progress = Callable[[int], None]
_BATCH = 256


def _next_slice(conversation: Conversation, words: int) -> str:
    """The ``words`` words that follow the start slice ('' when the seeker wrote no more)."""
    return " ".join(opening_words(conversation, 2 * words)[words:])


def _end_slice(conversation: Conversation, words: int) -> str:
    collected: list[str] = []
    for text in reversed(conversation.texts("seeker")):
        collected = text.split() + collected
        if len(collected) >= words:
            break
    return " ".join(collected[-words:])


def _embed_batched(texts: list[str], progress: Progress | None) -> FloatArray:
    parts = []
    for i in range(0, len(texts), _BATCH):
        parts.append(embed(texts[i:i + _BATCH]))
        if progress is not None:
            progress(len(texts[i:i + _BATCH]))
    return np.vstack(parts) if parts else embed([])


@dataclass
class _Views:
    """The texts and embeddings each model reads, made once per batch of conversations."""

    dialog: list[str]
    seeker: list[str]
    end: list[str]
    start_embeddings: FloatArray
    end_embeddings: FloatArray
    ending: npt.NDArray[np.float64]


class ChatModel(BaseEstimator):  # type: ignore[misc]
    """The learnt parts of the chat analysis, trained on labelled conversations.

    Each conversation's ``labels`` needs ``problem_type`` and ``initial_emotion_intensity``;
    ``final_emotion_intensity`` and ``experience`` are used where present. Where a label
    ``situation`` holds the seeker's own pre-chat description (ESConv has one per dialogue),
    it is one more training example of the problem type (``problem_from_situation``): the
    rare problems have few conversations, and on ESConv train + valid this lifted 5-fold
    macro-F1 from 0.50 to 0.55 (five repeats). It is never read when analysing.

    For the same reason the seeker's next ``start_words`` words after the start slice are
    one more example too (``problem_from_next_words``, 5-fold macro-F1 0.545 → 0.564):
    analysis embeds only the start slice, for speed, but training can afford a second look.

    The end and experience models also read how the chat ended (``ending_weight`` scales
    :class:`EndingCues`' numbers: gratitude, relief and plans against resignation in the
    seeker's closing messages, and how that moved over the chat). The cues come from
    ``ending`` (default ``data/ending.toml``) and are kept in the model (``ending_``).

    ``end_text`` is the text whose word n-grams the end and experience models read: ``"end"``,
    the seeker's last ``end_words`` words, or ``"seeker"``, every word the seeker wrote (how
    the chat went, not only its last line; no embedding, so no cost in time to speak of).
    ``"seeker"`` was chosen by 5-fold cross-validation on ESConv train + valid
    (``benchmarks/chat_cv.py --endings``: final-intensity Spearman 0.137 → 0.186, experience
    0.155 → 0.182, two seeds).
    """

    def __init__(self, *, start_words: int = START_WORDS, end_words: int = 12,
                 problem_C: float = 1.0, problem_embedding_weight: float = 3.0,
                 mood_alpha: float = 3.0, mood_embedding_weight: float = 0.5,
                 end_alpha: float = 10.0, end_embedding_weight: float = 0.0,
                 problem_from_situation: bool = True,
                 problem_from_next_words: bool = True, ending_weight: float = 0.3,
                 end_text: str = "seeker", ending: EndingCues | None = None) -> None:
        self.start_words = start_words
        self.end_words = end_words
        self.problem_C = problem_C
        self.problem_embedding_weight = problem_embedding_weight
        self.mood_alpha = mood_alpha
        self.mood_embedding_weight = mood_embedding_weight
        self.end_alpha = end_alpha
        self.end_embedding_weight = end_embedding_weight
        self.problem_from_situation = problem_from_situation
        self.problem_from_next_words = problem_from_next_words
        self.ending_weight = ending_weight
        self.end_text = end_text
        self.ending = ending

    def end_texts(self, views: _Views) -> list[str]:
        """The texts the end and experience models read (``end_text``)."""
        # A model pickled before end_text existed read the closing words.
        return views.seeker if getattr(self, "end_text", "end") == "seeker" else views.end

    def views(self, conversations: Sequence[Conversation], progress: Progress | None = None
              ) -> _Views:
        # Fitted models read the cues they were trained with.
        cues: EndingCues = getattr(self, "ending_", None) or self.ending or EndingCues.from_toml()
        starts = [start_slice(c, self.start_words) for c in conversations]
        ends = [_end_slice(c, self.end_words) for c in conversations]
        return _Views(
            dialog=[" ".join(m.text for m in c.messages) for c in conversations],
            seeker=[" ".join(c.texts("seeker")) for c in conversations],
            end=ends,
            start_embeddings=_embed_batched(starts, progress),
            # Weight 0 (the default) skips the second embedding: a third of the time.
            end_embeddings=(_embed_batched(ends, None) if self.end_embedding_weight > 0
                            else np.zeros((len(ends), EMBEDDING_DIM), dtype=np.float32)),
            ending=cues.features(conversations))

    def fit(self, conversations: Sequence[Conversation], y: Any = None) -> ChatModel:
        items = [c for c in conversations if c.labels.get("problem_type") is not None
                 and c.labels.get("initial_emotion_intensity") is not None]
        if self.end_text not in ("end", "seeker"):
            raise ValueError(f"end_text ska vara 'end' eller 'seeker', inte '{self.end_text}'.")
        if len(items) < 10:
            raise ValueError("Minst 10 samtal med problemtyp och känsloläge behövs för "
                             "att träna chattmodellen.")
        self.ending_ = self.ending or EndingCues.from_toml()
        views = self.views(items)
        end_texts = self.end_texts(views)
        initial = np.array([float(str(c.labels["initial_emotion_intensity"])) for c in items])
        problems = [str(c.labels["problem_type"]) for c in items]
        extra = [(str(c.labels["situation"]), problem)
                 for c, problem in zip(items, problems, strict=True)
                 if self.problem_from_situation and c.labels.get("situation")]
        self.n_situations_ = len(extra)
        if self.problem_from_next_words:
            following = [(_next_slice(c, self.start_words), problem)
                         for c, problem in zip(items, problems, strict=True)]
            extra += [(text, problem) for text, problem in following if text]
        self.n_extra_problem_examples_ = len(extra)
        self.problem_ = ProblemTypeClassifier(
            C=self.problem_C, embedding_weight=self.problem_embedding_weight).fit(
            views.dialog + [text for text, _ in extra],
            problems + [problem for _, problem in extra],
            embeddings=np.vstack([views.start_embeddings,
                                  _embed_batched([text for text, _ in extra], None)]))
        self.classes_ = self.problem_.classes_
        self.start_ = MoodEstimator(alpha=self.mood_alpha,
                                    embedding_weight=self.mood_embedding_weight).fit(
            views.seeker, initial, embeddings=views.start_embeddings)
        self.training_mean_ = {"initial_emotion_intensity": float(initial.mean())}
        has_end = [i for i, c in enumerate(items)
                   if c.labels.get("final_emotion_intensity") is not None]
        final = np.array([float(str(items[i].labels["final_emotion_intensity"]))
                          for i in has_end])
        self.end_ = MoodEstimator(alpha=self.end_alpha, embedding_weight=self.end_embedding_weight,
                                  extra_weight=self.ending_weight).fit(
            [end_texts[i] for i in has_end], final,
            embeddings=views.end_embeddings[has_end], start=initial[has_end],
            extra=views.ending[has_end])
        self.training_mean_["final_emotion_intensity"] = float(final.mean())
        # How far the end moves back towards the middle from each start, in the training
        # data: used to show change "beyond what the start alone predicts".
        self.pull_ = np.polyfit(initial[has_end], final, 1)
        has_experience = [i for i, c in enumerate(items) if c.labels.get("experience") is not None]
        experience = np.array([float(str(items[i].labels["experience"])) for i in has_experience])
        self.experience_ = MoodEstimator(
            alpha=self.end_alpha, embedding_weight=self.end_embedding_weight,
            extra_weight=self.ending_weight).fit(
            [end_texts[i] for i in has_experience], experience,
            embeddings=views.end_embeddings[has_experience],
            extra=views.ending[has_experience])
        self.training_mean_["experience"] = float(experience.mean())
        self.n_training_ = len(items)
        return self

    def expected_end_intensity(self, initial: Numbers) -> np.ndarray[Any, Any]:
        """What the training data's end intensity is, on average, for this start."""
        return np.asarray(np.clip(np.polyval(self.pull_, np.asarray(initial, float)), 1, 5))


@dataclass
class ChatInsight:
    conversation_id: str
    language: str
    topics: list[str]
    problem_type: str
    mood_before: float
    mood_after: float
    mood_change: float
    mood_change_beyond_expected: float
    mood_source: str  # "enkät" (survey) or "text" (estimated)
    experience: float
    ending: str  # "well", "badly" or "unclear"
    ending_evidence: dict[str, list[str]]  # closing sentences that decided it, by kind
    demand_score: float
    demanding: bool
    demand_parts: dict[str, float]
    risk_flags: list[str]
    n_messages: int
    duration_min: float | None
    volunteer_id: str | None = None
    started_at: datetime | None = None
    discovered_topic: str | None = None


@dataclass
class ChatAnalysis:
    insights: list[ChatInsight]
    discovered: list[DiscoveredTopic] = field(default_factory=list)
    share_unassigned: float = 0.0

    def to_frame(self) -> pd.DataFrame:
        """All fields, one row per conversation; lists joined by ';' as in the CSV."""
        rows = []
        for insight in self.insights:
            row = asdict(insight)
            row["topics"] = ";".join(insight.topics)
            row["risk_flags"] = ";".join(insight.risk_flags)
            row.pop("demand_parts")
            row.pop("ending_evidence")
            rows.append(row)
        columns = [c for c in ChatInsight.__dataclass_fields__
                   if c not in ("demand_parts", "ending_evidence")]
        return pd.DataFrame(rows, columns=columns)


def _risk_categories(rules: Sequence[RuleSet], text: str) -> list[str]:
    found = {hit.category.value for ruleset in rules for hit in ruleset.analyze(text)
             if hit.active and hit.level is Level.urgent}
    return sorted(found)


def analyze_conversations(
        conversations: Sequence[Conversation], *, model: ChatModel,
        survey: dict[str, dict[str, int | None]] | None = None,
        taxonomy: TopicTaxonomy | None = None, demand: DemandModel | None = None,
        risk_rules: dict[str, RuleSet] | None = None, ending: EndingCues | None = None,
        n_topics: int = 8, seed: int = 0, progress: Progress | None = None) -> ChatAnalysis:
    """Analyse conversations; survey answers, where given, replace the estimates.

    ``risk_rules`` maps a language ('sv', 'en') to its rules; by default autolarm's Swedish
    rules and the chat module's English ones. ``progress`` is called with the number of
    conversations done as work proceeds.
    """
    from kraftsamling.chat._service import default_risk_rules

    taxonomy = taxonomy or TopicTaxonomy.from_toml()
    demand = demand or DemandModel.from_toml()
    rules = risk_rules if risk_rules is not None else default_risk_rules()
    ending = ending or model.ending_
    survey = survey or {}
    items = list(conversations)
    if not items:
        return ChatAnalysis([])
    views = model.views(items, progress)
    problems = model.problem_.predict_proba(views.dialog, embeddings=views.start_embeddings)
    start_estimate = model.start_.predict(views.seeker, embeddings=views.start_embeddings)
    known = [survey.get(c.conversation_id, {}) for c in items]
    start_intensity = np.array([6 - float(k["mood_before"] or 0) if k.get("mood_before") else est
                                for k, est in zip(known, start_estimate, strict=True)])
    end_texts = model.end_texts(views)
    end_estimate = model.end_.predict(end_texts, embeddings=views.end_embeddings,
                                      start=start_intensity, extra=views.ending)
    experience_estimate = model.experience_.predict(end_texts, embeddings=views.end_embeddings,
                                                    extra=views.ending)
    expected_end = model.expected_end_intensity(start_intensity)
    closeness = taxonomy.similarities(views.start_embeddings)
    learnt = taxonomy.classifier_scores(views.start_embeddings, views.seeker)
    insights = []
    for i, conversation in enumerate(items):
        answers = known[i]
        seeker = conversation.texts("seeker")
        language = detect_language(views.dialog[i])
        probabilities = dict(zip(model.classes_, problems[i], strict=True))
        risk = _risk_categories([r for lang, r in rules.items() if lang in (language, "*")]
                                or list(rules.values()),
                                " .\n".join(seeker))  # a message ends a clause
        mood_before = float(answers.get("mood_before") or round(6 - start_intensity[i], 1))
        mood_after = float(answers.get("mood_after") or round(6 - end_estimate[i], 1))
        from_survey = bool(answers.get("mood_before")) and bool(answers.get("mood_after"))
        times = [m.timestamp for m in conversation.messages if m.timestamp is not None]
        started = min(times) if times else None
        duration = conversation.duration_min
        parts = demand.parts(
            risk=bool(risk), mood_before=mood_before, n_messages=len(conversation.messages),
            seeker_messages=len(seeker), duration_min=duration,
            hour=started.hour if started else None,
            abrupt_end=not demand.closes_well(seeker[-2:]))
        score = demand.score(parts)
        evidence = ending.evidence(conversation)
        insights.append(ChatInsight(
            conversation_id=conversation.conversation_id, language=language,
            topics=taxonomy.assign(views.seeker[i], probabilities, closeness[i],
                                  None if learnt is None else learnt[i]),
            problem_type=str(model.classes_[int(np.argmax(problems[i]))]),
            mood_before=mood_before, mood_after=mood_after,
            mood_change=round(mood_after - mood_before, 1),
            mood_change_beyond_expected=round(mood_after - (6 - expected_end[i]), 1),
            mood_source="enkät" if from_survey else "text",
            experience=float(answers.get("experience") or round(experience_estimate[i], 1)),
            ending=ending.label(mood_after - mood_before, evidence),
            ending_evidence={"helped": list(evidence.helped),
                             "not_helped": list(evidence.not_helped)},
            demand_score=score, demanding=score >= demand.demanding_from, demand_parts=parts,
            risk_flags=risk, n_messages=len(conversation.messages),
            duration_min=None if duration is None else round(duration, 1),
            volunteer_id=conversation.volunteer_id, started_at=started))
    unassigned = [i for i, insight in enumerate(insights) if not insight.topics]
    groups, discovered = discover_topics(
        [views.seeker[i] for i in unassigned], views.start_embeddings[unassigned],
        n_topics=n_topics, seed=seed)
    for index, group in zip(unassigned, groups, strict=True):
        if group >= 0:
            insights[index].discovered_topic = discovered[group].label
            insights[index].topics = [discovered[group].label]
    return ChatAnalysis(insights, discovered, len(unassigned) / len(insights))
