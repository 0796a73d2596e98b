"""Autolarm's public API for every door (the CLI, the web app, the demo): one method each.

The service holds the installation (settings, database, pseudonymisation) so a caller never
picks a tagger, a model path or a table itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from sqlalchemy import or_, select

from kraftsamling.autolarm._detector import Assessment, Detector
from kraftsamling.autolarm._notify import deliver_pending
from kraftsamling.autolarm._review import (
    acknowledge,
    escalate,
    label,
    labelled_examples,
    resolve,
    set_link_open,
    submit_response,
)
from kraftsamling.autolarm._service import (
    ScoreStats,
    load_detector,
    read_labels,
    score_file,
    score_texts,
    train_from_labels,
)
from kraftsamling.autolarm._store import AnswerReview, Survey, SurveyLink
from kraftsamling.autolarm._taxonomy import Level
from kraftsamling.services import ModuleService
from kraftsamling.store import record_event

__all__ = ["AutolarmService", "LinkRow"]

LinkRow = tuple[int, str, str, str, str, bool]  # id, survey, school, class, token, open


class AutolarmService(ModuleService):
    """Import (labels), train, assess (files, one answer) and report (survey links)."""

    def detector(self) -> Detector:
        """The organisation's model, else the seed model (trained once, cached)."""
        return load_detector(self.settings, progress=self.note)

    def score_file(self, source: Path, target: Path, *, text_column: str = "text",
                   id_column: str | None = "id", dask_address: str | None = None,
                   progress: Callable[[int], None] | None = None,
                   language: str | None = None) -> ScoreStats:
        """Pseudonymise and assess a file of answers into a CSV (removed on failure)."""
        try:
            return score_file(source, target, detector=self.detector(),
                              tagger=self.privacy.tagger(), text_column=text_column,
                              id_column=id_column or None, dask_address=dask_address,
                              progress=progress, language=language)
        except ValueError:
            target.unlink(missing_ok=True)
            raise

    def explain(self, text: str) -> tuple[str, Assessment]:
        """One answer: the pseudonymised text and its assessment with evidence."""
        return self.assess([text])[0]

    def assess(self, texts: Sequence[str], *, detector: Detector | None = None
               ) -> list[tuple[str, Assessment]]:
        """Answers pseudonymised by the installation's recognisers, then assessed
        (``detector``: one already loaded, as the web app keeps it)."""
        return score_texts(detector or self.detector(), list(texts),
                           tagger=self.privacy.tagger())

    def submit(self, link_id: int, answers: Mapping[str, str], *,
               detector: Detector | None = None) -> bool:
        """A pupil's answers to a link: pseudonymised, assessed and stored with the
        ``survey_response`` event; True when one of them is urgent (alerts are queued)."""
        with self.database.session() as session:
            link = session.get(SurveyLink, link_id)
            if link is None:
                raise LookupError(f"Enkätlänken {link_id} finns inte.")
            _, reviews = submit_response(session, link=link, answers=answers,
                                         detector=detector or self.detector(),
                                         tagger=self.privacy.tagger(), settings=self.settings)
            return any(r.level == Level.urgent.value for r in reviews)

    def deliver(self) -> None:
        """Send the queued alerts (e-mail, webhook), each attempt audited."""
        deliver_pending(self.database, self.settings)

    def review(self, answer_id: int, action: str, *, actor: str, note: str = "",
               level: str = "", categories: Sequence[str] = ()) -> None:
        """A reviewer's step on an answer: ``acknowledge``, ``escalate``, ``resolve`` or
        ``label``; ``LookupError`` for an unknown answer or step, ``ReviewError`` (Swedish)
        for one the answer's state does not allow."""
        with self.database.session() as session:
            answer = session.get(AnswerReview, answer_id)
            if answer is None:
                raise LookupError(f"Svaret {answer_id} finns inte.")
            if action == "acknowledge":
                acknowledge(session, answer, actor=actor)
            elif action == "escalate":
                escalate(session, answer, actor=actor, note=note)
            elif action == "resolve":
                resolve(session, answer, actor=actor, note=note)
            elif action == "label":
                label(session, answer, actor=actor, level=level, categories=list(categories))
            else:
                raise LookupError(f"Okänt steg {action!r}.")

    def create_link(self, survey_id: int, *, school: str, class_name: str,
                    actor: str) -> SurveyLink:
        """A new link for one school class (audited); ``LookupError`` for no such survey."""
        with self.database.session() as session:
            if session.get(Survey, survey_id) is None:
                raise LookupError(f"Enkäten {survey_id} finns inte.")
            link = SurveyLink(survey_id=survey_id, token=secrets.token_urlsafe(12),
                              school=school.strip()[:200], class_name=class_name.strip()[:50])
            session.add(link)
            session.flush()
            record_event(session, actor=actor, action="survey_link_created",
                         object_type="survey", object_id=survey_id,
                         detail={"school": link.school, "class": link.class_name})
            session.expunge(link)
            return link

    def train(self, labelled: Path | None = None, *, from_reviews: bool = False,
              include_seed: bool = True) -> tuple[Detector, int]:
        """Train the organisation's model on a labelled file and/or the reviewers' labels."""
        if labelled is None and not from_reviews:
            raise ValueError("Ange en fil med märkta svar, --from-reviews, eller båda.")
        rows = read_labels(labelled) if labelled is not None else []
        if from_reviews:
            with self.database.session() as session:
                rows += labelled_examples(session)
        return train_from_labels(rows, self.settings, include_seed=include_seed)

    def links(self) -> list[LinkRow]:
        with self.database.session() as session:
            return [(link.id, link.survey.name, link.school, link.class_name, link.token,
                     link.active)
                    for link in session.scalars(select(SurveyLink).order_by(SurveyLink.id))]

    def set_link_open(self, link: str, *, open: bool, actor: str) -> tuple[str, bool]:
        """Close or reopen a link given by id, token or address; returns where it is for and
        whether anything changed (audited when it did)."""
        token = link.rstrip("/").rsplit("/s/", 1)[-1]
        with self.database.session() as session:
            found = session.scalar(select(SurveyLink).where(or_(
                SurveyLink.token == token,
                SurveyLink.id == (int(token) if token.isdigit() else -1))))
            if found is None:
                raise LookupError(f"Enkätlänken '{link}' finns inte (se 'kraftsamling "
                                  "autolarm links').")
            changed = set_link_open(session, found, open=open, actor=actor)
            return f"{found.school} {found.class_name}", changed
