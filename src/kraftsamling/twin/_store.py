"""Imported waves as the web app keeps them: per class, the drawn network, the risk list with
reasons and the interventions compared — pupils by pseudonym only, free text never stored."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from kraftsamling.store.audit import record_event
from kraftsamling.store.models import Base, utcnow

if TYPE_CHECKING:  # the tables load without the model code (migrations, the demo's start)
    from kraftsamling.twin._service import ClassTwin
    from kraftsamling.twin._survey import Wave

__all__ = ["TwinClass", "TwinImport", "save_twins"]


class TwinImport(Base):
    __tablename__ = "twin_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filenames: Mapped[list[str]] = mapped_column()
    imported_by: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    waves: Mapped[int] = mapped_column(Integer)
    pupils: Mapped[int] = mapped_column(Integer)
    evaluation: Mapped[dict[str, Any]] = mapped_column()

    classes: Mapped[list[TwinClass]] = relationship(order_by="TwinClass.name",
                                                    cascade="all, delete-orphan")


class TwinClass(Base):
    __tablename__ = "twin_classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("twin_imports.id", ondelete="CASCADE"),
                                           index=True)
    name: Mapped[str] = mapped_column(String(60))
    pupils: Mapped[int] = mapped_column(Integer)
    features: Mapped[dict[str, Any]] = mapped_column()
    nodes: Mapped[list[dict[str, Any]]] = mapped_column()
    edges: Mapped[list[dict[str, Any]]] = mapped_column()
    summary: Mapped[list[dict[str, Any]]] = mapped_column()
    details: Mapped[dict[str, Any]] = mapped_column()  # fitted rates, notes


def _nodes(wave: Wave, twin: ClassTwin, risk: pd.DataFrame) -> tuple[list[dict[str, Any]],
                                                                     list[dict[str, Any]]]:
    import networkx as nx

    from kraftsamling.twin._network import class_graphs

    graphs = class_graphs(wave, twin.class_name)
    layout = nx.spring_layout(graphs["friends"].to_undirected(), seed=1)
    by_id = risk.set_index("pupil_id") if not risk.empty else pd.DataFrame()
    simulated = twin.risks["none"] if "none" in twin.risks else pd.Series(dtype=float)
    nodes = []
    for pupil in graphs["friends"].nodes:
        row = by_id.loc[pupil] if pupil in by_id.index else None
        nodes.append({
            "id": pupil, "x": round(float(layout[pupil][0]), 4),
            "y": round(float(layout[pupil][1]), 4),
            "friends": sorted(graphs["friends"].successors(pupil)),
            "mean_to": len(list(graphs["mean"].predecessors(pupil))),
            "defended_by": len(list(graphs["defends"].predecessors(pupil))),
            "victimised": graphs["mean"].in_degree(pupil) > 0,
            "risk": None if row is None else float(row["risk"]),
            "reasons": "" if row is None else str(row["reasons"]),
            "simulated_risk": float(simulated.get(pupil, float("nan"))),
        })
    edges = [{"source": a, "target": b, "kind": kind} for kind in ("friends", "mean")
             for a, b in graphs[kind].edges()]
    return nodes, edges


def save_twins(session: Session, waves: Sequence[Wave], twins: Sequence[ClassTwin],
               risk: pd.DataFrame, *, filenames: list[str], imported_by: str,
               evaluation: dict[str, float] | None = None,
               client: str = "") -> TwinImport:
    """Store the twins of an import with its ``twin.import`` audit event (every door)."""
    latest = waves[-1]
    row = TwinImport(filenames=filenames, imported_by=imported_by, waves=len(waves),
                     pupils=len(latest.pupils), evaluation=evaluation or {})
    session.add(row)
    session.flush()
    for twin in twins:
        nodes, edges = _nodes(latest, twin, risk)
        session.add(TwinClass(
            import_id=row.id, name=twin.class_name, pupils=len(nodes),
            features=twin.features, nodes=nodes, edges=edges,
            summary=twin.summary.round(4).to_dict("records"),
            details={"parameters": {"density": twin.parameters.density,
                                    "bully_base": twin.parameters.bully_base},
                     "notes": twin.notes, "fit": twin.fit}))
    session.flush()
    record_event(session, actor=imported_by, action="twin.import", object_type="twin_import",
                 object_id=row.id, detail={"waves": len(waves), "classes": len(twins)},
                 client=client)
    return row
