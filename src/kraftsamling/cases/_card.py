"""The model card, in Swedish: what the models are for, how well and how fairly they work,
where they must not be used, and who decides. Rendered as one self-contained HTML page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from kraftsamling.cases._service import CaseModels

__all__ = ["model_card_context", "render_model_card"]

_TEMPLATES = Path(__file__).parent / "templates"

PURPOSES = {
    "economic-assistance": "stöd till handläggare inom ekonomiskt bistånd: vilka hushåll som "
    "riskerar långvarigt bistånd (minst 10 av 12 månader) och vilken arbetsmarknadsinsats som "
    "troligen hjälper dem mest",
    "social-services": "stöd till handläggare inom barn och unga: vilka barn som riskerar ny "
    "anmälan inom 12 månader och vilken insats som troligen hjälper mest",
}


def model_card_context(models: CaseModels, *, overrides: dict[str, Any] | None = None
                       ) -> dict[str, Any]:
    """What the card shows, as data (the web page and the HTML file share it)."""
    effects = []
    for name, estimator in models.effects.items():
        effects.append({"name": name, "ate": estimator.effect_, "low": estimator.ci_[0],
                        "high": estimator.ci_[1], "n": estimator.n_,
                        "dropped": estimator.overlap_.treated_dropped
                        + estimator.overlap_.control_dropped,
                        "per_person": getattr(estimator, "cate_label_", None),
                        "candidates": [c.as_dict() for c in
                                       getattr(estimator, "candidates_", [])]})
    return {
        "models": models, "purpose": PURPOSES.get(models.kind, models.kind),
        "metrics": models.metrics, "effects": effects, "refused": models.refused,
        "audit": models.audit, "proxies": models.proxies,
        "importance": models.importance.head(10).to_dict("records"),
        "overrides": overrides or {}, "generated_at": datetime.now(UTC),
    }


def render_model_card(models: CaseModels, *, overrides: dict[str, Any] | None = None) -> str:
    environment = Environment(loader=FileSystemLoader(_TEMPLATES),
                              autoescape=select_autoescape(["html"]))
    context = model_card_context(models, overrides=overrides)
    return environment.get_template("model_card_page.html").render(**context)
