"""Demo data for autolarm: a survey, links for two classes and answers in the review queue."""

from __future__ import annotations

import random
import secrets

from sqlalchemy import select

from kraftsamling.autolarm._store import Survey, SurveyLink
from kraftsamling.settings import Settings
from kraftsamling.store import Database

__all__ = ["DEMO_QUESTIONS", "SURVEY_NAME", "build_autolarm_answers", "build_autolarm_demo"]

DEMO_QUESTIONS = (
    "Hur trivs du i skolan?",
    "Är det något som gör dig ledsen eller rädd?",
    "Finns det något mer du vill berätta för oss?",
)


SURVEY_NAME = "Trygghetsenkät hösten 2026"


def build_autolarm_demo(database: Database, settings: Settings, seed: int) -> str:
    """The survey and its two class links: quick, so the app can serve them at once."""
    del seed
    with database.session() as session:
        survey = Survey(name=SURVEY_NAME, created_by="demo",
                        questions=[{"id": i + 1, "text": q, "kind": "text"}
                                   for i, q in enumerate(DEMO_QUESTIONS)])
        session.add(survey)
        session.flush()
        links = [SurveyLink(survey_id=survey.id, token=secrets.token_urlsafe(12),
                            school="Demoskolan", class_name=name) for name in ("7A", "8B")]
        session.add_all(links)
        session.flush()
        tokens = [link.token for link in links]
    base = settings.public_url.rstrip("/")
    return (f"Enkät med länkar {base}/s/{tokens[0]} (7A) och {base}/s/{tokens[1]} (8B).")


def build_autolarm_answers(database: Database, settings: Settings, seed: int) -> str:
    """24 pupils' answers through the survey's own path (pseudonymised, scored, queued):
    the slow part (the detector reads each answer), run while the app already serves."""
    from kraftsamling.autolarm._review import submit_response
    from kraftsamling.autolarm._seed import load_seed
    from kraftsamling.autolarm._service import load_detector
    from kraftsamling.privacy import Pseudonymization

    rng = random.Random(seed)  # noqa: S311 - synthetic demo data
    detector = load_detector(settings)
    tagger = Pseudonymization.for_settings(settings).tagger()
    answers = [a.text for a in load_seed() if a.split == "train" and a.variant != "original"]
    rng.shuffle(answers)
    with database.session() as session:
        survey = session.scalar(select(Survey).where(Survey.name == SURVEY_NAME))
        if survey is None:
            raise ValueError("Demons enkät saknas: bygg demon från början.")
        links = list(session.scalars(select(SurveyLink).where(SurveyLink.survey_id == survey.id)
                                     .order_by(SurveyLink.id)))
        for i in range(24):
            reply = {"1": rng.choice(["det är bra", "okej", "trivs inte så bra", "bra"]),
                     "2": answers[2 * i], "3": answers[2 * i + 1] if i % 3 == 0 else ""}
            submit_response(session, link=links[i % 2], answers=reply, detector=detector,
                            tagger=tagger, settings=settings)
    return "24 svar bedömda av autolarm i granskningskön."
