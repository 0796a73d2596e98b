"""From answer to decision: scoring survey responses, the review queue, corrections.

Humans decide. Autolarm orders the queue (urgent first, oldest first) and shows why; the
reviewer acknowledges, escalates, resolves with a note, and corrects the label — every
step audited. Corrections become training data; uncertain answers are offered for
labelling first (active learning).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from kraftsamling.autolarm._detector import Assessment, Detector
from kraftsamling.autolarm._service import score_texts
from kraftsamling.autolarm._store import AnswerReview, Notification, SurveyLink, SurveyResponse
from kraftsamling.autolarm._taxonomy import Category, Level
from kraftsamling.ingest import Stored, ingest
from kraftsamling.privacy import Pseudonymizer
from kraftsamling.settings import Settings
from kraftsamling.store.audit import record_event
from kraftsamling.store.models import utcnow

__all__ = [
    "STATUSES",
    "ReviewError",
    "acknowledge",
    "escalate",
    "label",
    "labelled_examples",
    "labelling_queue",
    "queue_notifications",
    "record_answer",
    "resolve",
    "review_queue",
    "sla_deadline",
    "submit_response",
]

STATUSES = ("new", "acknowledged", "escalated", "resolved")


class ReviewError(ValueError):
    """A review step that cannot be taken; the message is Swedish."""


def record_answer(session: Session, *, text: str, assessment: Assessment, question: str = "",
                  response_id: int | None = None) -> AnswerReview:
    answer = AnswerReview(
        response_id=response_id, question=question[:500], text=text,
        level=assessment.level.value, score=assessment.score,
        categories=[c.value for c in assessment.categories],
        evidence=[{"start": e.start, "end": e.end, "source": e.source, "category": e.category}
                  for e in assessment.evidence],
        uncertainty=assessment.uncertainty,
        status="new" if assessment.level is not Level.none else "resolved",
    )
    session.add(answer)
    session.flush()
    return answer


def queue_notifications(session: Session, answer: AnswerReview, settings: Settings) -> int:
    channels = []
    if settings.smtp_host and settings.alert_email_to:
        channels.append("email")
    if settings.webhook_url:
        channels.append("webhook")
    for channel in channels:
        session.add(Notification(answer_id=answer.id, channel=channel))
    session.flush()
    return len(channels)


def submit_response(session: Session, *, link: SurveyLink, answers: Mapping[str, str],
                    detector: Detector, tagger: Pseudonymizer, settings: Settings
                    ) -> tuple[SurveyResponse, list[AnswerReview]]:
    """Store an anonymous response, pseudonymised, with every free-text answer assessed, and
    its ``survey_response`` audit event (through ``ingest``)."""
    questions = {str(q["id"]): q for q in link.survey.questions}

    def read() -> tuple[dict[str, str], dict[str, tuple[str, Assessment]]]:
        texts = {qid: value.strip() for qid, value in answers.items()
                 if qid in questions and questions[qid].get("kind", "text") == "text"
                 and value.strip()}
        others = {qid: value for qid, value in answers.items()
                  if qid in questions and qid not in texts and value.strip()}
        scored = dict(zip(texts, score_texts(detector, list(texts.values()), tagger=tagger),
                          strict=True))
        return others, scored

    def store(session: Session, read: tuple[dict[str, str], dict[str, tuple[str, Assessment]]]
              ) -> Stored[tuple[SurveyResponse, list[AnswerReview]]]:
        return _store_response(session, link, questions, *read, settings=settings)

    return ingest(session, action="survey_response", actor="elev (anonym)", read=read,
                  store=store)


def _store_response(session: Session, link: SurveyLink, questions: Mapping[str, Any],
                    others: dict[str, str], scored: dict[str, tuple[str, Assessment]], *,
                    settings: Settings) -> Stored[tuple[SurveyResponse, list[AnswerReview]]]:
    stored = {**others, **{qid: text for qid, (text, _) in scored.items()}}
    response = SurveyResponse(link_id=link.id, answers=stored)
    session.add(response)
    session.flush()
    reviews = []
    for qid, (text, assessment) in scored.items():
        review = record_answer(session, text=text, assessment=assessment,
                               question=str(questions[qid]["text"]), response_id=response.id)
        reviews.append(review)
        if assessment.level is Level.urgent:
            queue_notifications(session, review, settings)
    return Stored((response, reviews), "survey_link", object_id=link.id, detail={
        "answers": len(stored), "urgent": sum(r.level == Level.urgent.value for r in reviews),
        "concern": sum(r.level == Level.concern.value for r in reviews)})


def sla_deadline(answer: AnswerReview, settings: Settings) -> datetime | None:
    if answer.level == Level.urgent.value:
        return answer.created_at + timedelta(minutes=settings.sla_urgent_minutes)
    if answer.level == Level.concern.value:
        return answer.created_at + timedelta(hours=settings.sla_concern_hours)
    return None


def review_queue(session: Session, *, include_resolved: bool = False) -> Sequence[AnswerReview]:
    """The order a reviewer should work in: urgent answers nobody has acknowledged yet, newest
    first (a new one lands on top), then urgent ones being handled, then concerns; resolved
    last."""
    urgent = AnswerReview.level == Level.urgent.value
    rank = case((AnswerReview.status == "resolved", 3),
                ((urgent) & (AnswerReview.acknowledged_at.is_(None)), 0),
                (urgent, 1), else_=2)
    statement = (select(AnswerReview)
                 .where(AnswerReview.level.in_([Level.urgent.value, Level.concern.value]))
                 .order_by(rank, AnswerReview.created_at.desc(), AnswerReview.id.desc()))
    if not include_resolved:
        statement = statement.where(AnswerReview.status != "resolved")
    return session.scalars(statement).all()


def _audit(session: Session, answer: AnswerReview, actor: str, action: str,
           detail: dict[str, Any] | None = None) -> None:
    record_event(session, actor=actor, action=action, object_type="autolarm_answer",
                 object_id=answer.id, detail=detail or {})


def acknowledge(session: Session, answer: AnswerReview, *, actor: str) -> None:
    if answer.status == "resolved":
        raise ReviewError("Svaret är redan avslutat.")
    if answer.acknowledged_at is None:
        answer.acknowledged_at = utcnow()
        answer.acknowledged_by = actor
    if answer.status == "new":
        answer.status = "acknowledged"
    _audit(session, answer, actor, "alert_acknowledged")


def escalate(session: Session, answer: AnswerReview, *, actor: str, note: str = "") -> None:
    if answer.status == "resolved":
        raise ReviewError("Svaret är redan avslutat.")
    if answer.acknowledged_at is None:
        acknowledge(session, answer, actor=actor)
    answer.status = "escalated"
    answer.escalated_at = utcnow()
    _audit(session, answer, actor, "alert_escalated", {"note": bool(note.strip())})
    if note.strip():
        answer.note = _append_note(answer.note, actor, note)


def _append_note(existing: str | None, actor: str, note: str) -> str:
    stamp = utcnow().strftime("%Y-%m-%d %H:%M")
    line = f"{stamp} {actor}: {note.strip()}"
    return f"{existing}\n{line}" if existing else line


def resolve(session: Session, answer: AnswerReview, *, actor: str, note: str) -> None:
    if not note.strip():
        raise ReviewError("Skriv en anteckning om vad som gjordes innan ärendet avslutas.")
    if answer.acknowledged_at is None:
        acknowledge(session, answer, actor=actor)
    answer.status = "resolved"
    answer.resolved_at = utcnow()
    answer.resolved_by = actor
    answer.note = _append_note(answer.note, actor, note)
    _audit(session, answer, actor, "alert_resolved")


def label(session: Session, answer: AnswerReview, *, actor: str, level: str,
          categories: Sequence[str]) -> None:
    """A person's correction of the model: becomes training data."""
    try:
        new_level = Level(level)
        new_categories = [Category(c).value for c in categories]
    except ValueError:
        raise ReviewError("Okänd nivå eller kategori.") from None
    if new_level is not Level.none and not new_categories:
        raise ReviewError("Välj minst en kategori för nivån akut eller oro.")
    answer.label_level = new_level.value
    answer.label_categories = new_categories if new_level is not Level.none else []
    answer.labelled_by = actor
    _audit(session, answer, actor, "alert_labelled",
           {"from": answer.level, "to": new_level.value, "categories": new_categories})


def labelling_queue(session: Session, *, limit: int = 50) -> Sequence[AnswerReview]:
    """Unlabelled answers, the ones the model is least sure of first."""
    return session.scalars(select(AnswerReview).where(AnswerReview.label_level.is_(None))
                           .order_by(AnswerReview.uncertainty.desc(), AnswerReview.id)
                           .limit(limit)).all()


def labelled_examples(session: Session) -> list[dict[str, str]]:
    """People's labels as rows for :func:`kraftsamling.autolarm.train_from_file`."""
    rows = session.scalars(select(AnswerReview).where(AnswerReview.label_level.is_not(None)))
    return [{"text": r.text, "level": r.label_level or "",
             "categories": ";".join(r.label_categories or [])} for r in rows]


def set_link_open(session: Session, link: SurveyLink, *, open: bool, actor: str) -> bool:
    """Close (or reopen) one survey link; a closed link takes no more answers.

    Returns False when the link already was in that state (nothing is audited then).
    """
    if link.active == open:
        return False
    link.active = open
    record_event(session, actor=actor, action="survey_link_opened" if open else
                 "survey_link_closed", object_type="survey_link", object_id=link.id,
                 detail={"survey": link.survey_id, "school": link.school,
                         "class": link.class_name})
    return True
