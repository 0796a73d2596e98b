"""Assessed cases in the database, and the caseworkers' decisions on them.

Only what the pages need is stored: each person's id as a keyed hash (a caseworker finds a
person by typing the real case number, which is hashed the same way), the group values the
fairness panel compares, and the models' answers. Decisions are rows of their own — the
recommendation at the time, what was decided and whether it followed — so override rates can
be reported and nothing a caseworker decided is ever overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from kraftsamling.cases._schemas import CASE_ID
from kraftsamling.privacy import column_hash
from kraftsamling.store.audit import record_event
from kraftsamling.store.models import Base, utcnow

if TYPE_CHECKING:  # the tables load without the model code (migrations, the demo's start)
    from kraftsamling.cases._allocate import Allocation
    from kraftsamling.cases._service import CaseModels

__all__ = ["CaseAssessment", "CaseBatch", "CaseDecision", "CasePerson", "assess_cases",
           "decision_summary", "group_shares", "record_decision", "save_assessment"]

NO_INTERVENTION = "ingen"


class CaseBatch(Base):
    """One assessed file: who imported it, the places it was planned for, the plans' value."""

    __tablename__ = "case_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    filename: Mapped[str] = mapped_column(String(300))
    imported_by: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    persons: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[dict[str, Any]] = mapped_column()
    compared: Mapped[dict[str, Any]] = mapped_column()  # plan -> expected benefit
    fair_by: Mapped[str | None] = mapped_column(String(60), default=None)
    model_trained_at: Mapped[datetime] = mapped_column()
    demo_model: Mapped[bool] = mapped_column(Boolean, default=False)


class CasePerson(Base):
    """One person's assessment: risk, reasons, each intervention's benefit and the plan."""

    __tablename__ = "case_persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("case_batches.id", ondelete="CASCADE"),
                                          index=True)
    pseudonym: Mapped[str] = mapped_column(String(64), index=True)
    groups: Mapped[dict[str, Any]] = mapped_column()
    risk: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column()
    options: Mapped[list[dict[str, Any]]] = mapped_column()  # name, benefit, low, high
    best: Mapped[str] = mapped_column(String(60))
    planned: Mapped[str] = mapped_column(String(60))
    current: Mapped[str] = mapped_column(String(60))

    decisions: Mapped[list[CaseDecision]] = relationship(order_by="CaseDecision.id",
                                                         cascade="all, delete-orphan")


class CaseDecision(Base):
    """A caseworker's decision; the recommendation is copied so later plans cannot change it."""

    __tablename__ = "case_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("case_persons.id", ondelete="CASCADE"),
                                           index=True)
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    recommended: Mapped[str] = mapped_column(String(60))
    decision: Mapped[str] = mapped_column(String(60))
    followed: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text, default="")  # pseudonymised


@dataclass
class CaseAssessment:
    """What ``assess_cases`` computes before anything is stored."""

    kind: str
    persons: list[dict[str, Any]]
    capacity: dict[str, int]
    compared: dict[str, Allocation]
    fair_by: str | None
    model_trained_at: datetime


def assess_cases(models: CaseModels, frame: pd.DataFrame, capacity: Mapping[str, int], *,
                 key: bytes, fair_by: str | None = None, min_ratio: float = 0.8,
                 top: int = 3) -> CaseAssessment:
    """Risk, reasons, every intervention's benefit with its interval, and the capacity plan.

    Ids are replaced by keyed hashes here, before the result can reach the database.
    """
    from kraftsamling.cases._service import KINDS, _check_columns, allocation_plan, effect_matrix

    _check_columns(frame, [models.id_column, *models.features])
    benefit, low, high = effect_matrix(models, frame)  # once: the plan reuses it
    plan, compared = allocation_plan(models, frame, capacity, fair_by=fair_by,
                                     min_ratio=min_ratio if fair_by else None,
                                     estimated=benefit)
    risk = plan["risk"].to_numpy(float)
    factors = models.risk.explain(frame[models.features], top=top)
    names = list(models.effects)
    group_columns = [c for c in KINDS[models.kind]["audit"] if c in frame.columns]
    current = (frame["intervention"].astype(str).to_numpy() if "intervention" in frame.columns
               else np.full(len(frame), NO_INTERVENTION))
    persons = []
    for i, ident in enumerate(frame[models.id_column].astype(str)):
        order = np.argsort(-benefit[i])
        options: list[dict[str, Any]] = [
            {"name": names[j], "benefit": round(float(benefit[i, j]), 4),
             "low": round(float(low[i, j]), 4), "high": round(float(high[i, j]), 4)}
            for j in order]
        best = names[order[0]] if names and benefit[i, order[0]] > 0 else NO_INTERVENTION
        persons.append({
            "pseudonym": column_hash(key, ident, CASE_ID),
            "groups": {c: str(frame[c].iloc[i]) for c in group_columns},
            "risk": round(float(risk[i]), 4),
            "reasons": [f.sentence for f in factors[i]],
            "options": options, "best": str(best),
            "planned": str(plan["assigned"].iloc[i] or NO_INTERVENTION),
            "current": str(current[i]) if str(current[i]) in names else NO_INTERVENTION})
    return CaseAssessment(kind=models.kind, persons=persons,
                          capacity={k: int(v) for k, v in capacity.items()}, compared=compared,
                          fair_by=fair_by, model_trained_at=models.trained_at)


def save_assessment(session: Session, assessment: CaseAssessment, *, filename: str,
                    imported_by: str, demo_model: bool = False,
                    client: str = "") -> CaseBatch:
    """Store an assessed batch with its ``cases.import`` audit event, in the caller's
    transaction: every door (CLI, web, demo) is audited by construction."""
    batch = CaseBatch(kind=assessment.kind, filename=filename, imported_by=imported_by,
                      persons=len(assessment.persons), capacity=assessment.capacity,
                      compared={k: round(v.expected_benefit, 3)
                                for k, v in assessment.compared.items()},
                      fair_by=assessment.fair_by,
                      model_trained_at=assessment.model_trained_at, demo_model=demo_model)
    session.add(batch)
    session.flush()
    session.add_all(CasePerson(batch_id=batch.id, **person) for person in assessment.persons)
    session.flush()
    record_event(session, actor=imported_by, action="cases.import", object_type="case_batch",
                 object_id=batch.id, detail={"persons": batch.persons, "kind": batch.kind},
                 client=client)
    return batch


def record_decision(session: Session, person: CasePerson, *, decided_by: str, decision: str,
                    reason: str = "") -> CaseDecision:
    """Store a decision; one that departs from the plan needs a reason (already pseudonymised).

    Raises ``ValueError`` with a Swedish message for an unknown intervention or a missing
    reason.
    """
    allowed = [NO_INTERVENTION, *(o["name"] for o in person.options)]
    if decision not in allowed:
        raise ValueError(f"Okänt beslut {decision!r}: välj en av " + ", ".join(allowed) + ".")
    followed = decision == person.planned
    if not followed and not reason.strip():
        raise ValueError("Beslutet avviker från rekommendationen: skriv kort varför. "
                         "Skälet hjälper enheten att se när modellen inte räcker.")
    row = CaseDecision(person_id=person.id, decided_by=decided_by, recommended=person.planned,
                       decision=decision, followed=followed, reason=reason.strip()[:2000])
    session.add(row)
    session.flush()
    return row


def decision_summary(session: Session, batch_id: int | None = None) -> dict[str, Any]:
    """Override rates: overall, by recommended intervention and by caseworker.

    Only each person's latest decision counts, so a corrected decision is not counted twice.
    """
    query = select(CaseDecision).join(
        CasePerson, CasePerson.id == CaseDecision.person_id).order_by(CaseDecision.id)
    if batch_id is not None:
        query = query.where(CasePerson.batch_id == batch_id)
    latest = {decision.person_id: decision for decision in session.scalars(query)}
    frame = pd.DataFrame([{"recommended": d.recommended, "decided_by": d.decided_by,
                           "overridden": not d.followed} for d in latest.values()],
                         columns=["recommended", "decided_by", "overridden"])

    def rates(column: str) -> list[dict[str, Any]]:
        grouped = frame.groupby(column)["overridden"].agg(["count", "mean"]).reset_index()
        return [{"name": str(r[column]), "decisions": int(r["count"]),
                 "override_rate": float(r["mean"])} for _, r in grouped.iterrows()]

    return {"decisions": len(frame),
            "override_rate": float(frame["overridden"].mean()) if len(frame) else None,
            "by_recommended": rates("recommended"), "by_caseworker": rates("decided_by")}


def group_shares(persons: pd.DataFrame, column: str) -> pd.DataFrame:
    """Share of each group given a place in the plan, and each share over the highest.

    ``persons`` has a ``planned`` column and the group column; a ratio under the register's
    floor (0.8) is what the plan's fairness constraint exists to prevent.
    """
    placed = persons["planned"] != NO_INTERVENTION
    table = (pd.DataFrame({"grupp": persons[column].astype(str), "plats": placed})
             .groupby("grupp")["plats"].agg(["count", "mean"]).reset_index()
             .rename(columns={"count": "antal", "mean": "andel_plats"}))
    highest = float(table["andel_plats"].max()) if len(table) else 0.0
    table["kvot"] = table["andel_plats"] / highest if highest > 0 else np.nan
    return table
