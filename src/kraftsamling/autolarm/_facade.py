"""Autolarm's public API for every door (the CLI, the web app, the demo): one method each.

The service holds the installation (settings, database, pseudonymisation) so a caller never
picks a tagger, a model path or a table itself.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import or_, select

from kraftsamling.autolarm._detector import Assessment, Detector
from kraftsamling.autolarm._review import labelled_examples, set_link_open
from kraftsamling.autolarm._service import (
    ScoreStats,
    load_detector,
    read_labels,
    score_file,
    score_texts,
    train_from_labels,
)
from kraftsamling.autolarm._store import SurveyLink
from kraftsamling.services import ModuleService

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
        return score_texts(self.detector(), [text], tagger=self.privacy.tagger())[0]

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
