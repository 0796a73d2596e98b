"""The cases models' card: the shared model-card shape (``kraftsamling.compliance``) with
what a trained model reports about itself — held-out figures, effects, the fairness audit per
group, the main factors and override rates. Rendered as one self-contained HTML page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from kraftsamling.cases._service import CaseModels
from kraftsamling.compliance import CardLive, CardTable, Figure, Text, card_context, render_cards

__all__ = ["live_card", "model_card_context", "render_model_card"]

KIND_LABELS = {
    "economic-assistance": Text(sv="ekonomiskt bistånd", en="economic assistance"),
    "social-services": Text(sv="barn och unga", en="children and young people"),
}


def _figure(card: str, sv: str, en: str, value: float, dataset: Text, *,
            digits: int = 3, percent: bool = False) -> Figure:
    return Figure(card=card, name=Text(sv=sv, en=en), value=value, digits=digits,
                  percent=percent, dataset=dataset, independent=False)


def _table(card: str, caption: Text, columns: list[tuple[str, str]],
           rows: list[list[Any]], dataset: Text, *, groups: bool = False) -> CardTable:
    return CardTable(card=card, caption=caption, columns=[Text(sv=s, en=e) for s, e in columns],
                     rows=rows, dataset=dataset, independent=False, groups=groups)


def _rate(value: Any) -> float | None:
    """A rate for a table cell; a group too small for an interval shows –."""
    return None if value is None or pd.isna(value) else float(value)


def live_card(models: CaseModels, *, overrides: dict[str, Any] | None = None
              ) -> dict[str, CardLive]:
    """The trained model's own figures for the ``cases.risk`` and ``cases.effect`` cards."""
    kind = KIND_LABELS.get(models.kind, Text(sv=models.kind, en=models.kind))
    metrics = models.metrics
    held_out = Text(sv=f"{int(metrics['n_test'])} undanhållna rader av er data",
                    en=f"{int(metrics['n_test'])} held-out rows of your data")
    source = Text(
        sv=f"Tränad på {models.n_train} rader ({kind.sv}), utfall {models.outcome} (andel "
           f"{100 * metrics['base_rate']:.0f} %). Variabler modellen läser: "
           f"{', '.join(models.features)}.",
        en=f"Trained on {models.n_train} rows ({kind.en}), outcome {models.outcome} (share "
           f"{100 * metrics['base_rate']:.0f} %). Features the model reads: "
           f"{', '.join(models.features)}.")
    risk_figures = [
        _figure("cases.risk", "AUC (0,5 är slump)", "AUC (0.5 is chance)", metrics["auc"],
                held_out),
        _figure("cases.risk", "Brier (lägre är bättre)", "Brier (lower is better)",
                metrics["brier"], held_out),
        _figure("cases.risk", "Kalibreringsfel", "Calibration error",
                metrics["calibration_error"], held_out),
    ]
    audit_data = Text(sv="rättvisegranskningen av den tränade modellen",
                      en="the trained model's fairness audit")
    group_tables = [
        _table("cases.risk", Text(sv=f"Felkvoter per grupp: {name}",
                                  en=f"Error rates per group: {name}"),
               [("Grupp", "Group"), ("Antal", "Count"), ("Urvalsandel", "Selection rate"),
                ("TPR", "TPR"), ("TPR, 95 % KI från", "TPR, 95 % CI from"),
                ("till", "to"), ("FPR", "FPR"), ("FPR, 95 % KI från", "FPR, 95 % CI from"),
                ("till", "to"), ("Kalibrering", "Calibration")],
               [[str(r["grupp"]), int(r["antal"]),
                 *[_rate(r.get(c)) for c in ("urvalsandel", "TPR", "TPR_låg", "TPR_hög", "FPR",
                                             "FPR_låg", "FPR_hög", "kalibrering")]]
                for _, r in part.iterrows()],
               audit_data, groups=True)
        for name, part in models.audit.tables.items()]
    importance = _table(
        "cases.risk", Text(sv="Viktigaste faktorerna (medelvärde av |SHAP|, log-odds)",
                           en="Main factors (mean |SHAP|, log-odds)"),
        [("Faktor", "Factor"), ("Betydelse", "Importance")],
        [[str(r["etikett"]), float(r["betydelse"])]
         for r in models.importance.head(10).to_dict("records")], held_out)
    notes = [f"Flagga: {flag}" for flag in models.audit.flags] or [
        "Inga skillnader över gränserna i registret."]
    notes += [f"Troligt ombud: {p.feature} hänger ihop med {p.protected} "
              f"(Cramérs V = {p.cramers_v:.2f})" for p in models.proxies]
    notes.append("Förbjudna variabler (medborgarskap, språk, etnicitet, religion) läses aldrig; "
                 "kön och födelseregion läses bara av granskningen.")
    effect_rows: list[list[Any]] = []
    for name, estimator in models.effects.items():
        effect_rows.append([name, round(100 * estimator.effect_, 1),
                            f"{100 * estimator.ci_[0]:+.1f} – {100 * estimator.ci_[1]:+.1f}",
                            estimator.n_])
    for name, why in models.refused.items():
        effect_rows.append([name, None, f"Ingen skattning: {why}", None])
    effects = _table(
        "cases.effect", Text(sv="Genomsnittlig effekt per insats på risken (procentenheter, "
                                "dubbelt robust skattning, 95 % KI)",
                             en="Average effect per intervention on the risk (percentage "
                                "points, doubly robust, 95 % CI)"),
        [("Insats", "Intervention"), ("Effekt", "Effect"), ("95 % KI", "95 % CI"),
         ("Rader", "Rows")], effect_rows, Text(sv="er data", en="your data"))
    candidate_tables = [
        _table("cases.effect",
               Text(sv=f"Effekt per person, {name}: vald efter R-förlust på utelämnade delar "
                       f"— {estimator.cate_label_}",
                    en=f"Per-person effect, {name}: chosen by R-loss on held-out folds "
                       f"— {estimator.cate_label_}"),
               [("Kandidat", "Candidate"),
                ("R-poäng (högre är bättre, 0 = samma effekt för alla)",
                 "R-score (higher is better, 0 = one effect for everyone)"),
                ("Vikt i valet", "Weight in the choice")],
               [[c["label"], round(c["r_score"], 4), round(c["weight"], 2)]
                for c in (candidate.as_dict() for candidate in estimator.candidates_)],
               Text(sv="er data", en="your data"))
        for name, estimator in models.effects.items() if getattr(estimator, "candidates_", None)]
    override_notes: list[str] = []
    override_tables: list[CardTable] = []
    if overrides and overrides.get("decisions"):
        override_notes.append(
            f"Hittills {overrides['decisions']} beslut, varav "
            f"{100 * overrides['override_rate']:.0f} % avvek från rekommendationen.")
        override_tables.append(_table(
            "cases.effect", Text(sv="Avvikelser per rekommenderad insats",
                                 en="Overrides per recommended intervention"),
            [("Rekommendation", "Recommendation"), ("Beslut", "Decisions"),
             ("Avvek", "Overridden")],
            [[r["name"], r["decisions"], r["override_rate"]]
             for r in overrides["by_recommended"]], Text(sv="beslut", en="decisions")))
    elif overrides is not None:
        override_notes.append("Inga beslut har registrerats ännu.")
    common = {"source": source, "trained_at": models.trained_at, "synthetic": models.synthetic}
    return {
        "cases.risk": CardLive(**common, figures=risk_figures,
                               tables=[*group_tables, importance], notes=notes),
        "cases.effect": CardLive(**common, tables=[effects, *candidate_tables, *override_tables],
                                 notes=override_notes),
    }


def model_card_context(models: CaseModels, language: str, translate: Callable[..., str], *,
                       overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the card shows, as data (the web page and the HTML file share it)."""
    return card_context("cases", language, translate,
                        live=live_card(models, overrides=overrides))


def render_model_card(models: CaseModels, *, overrides: dict[str, Any] | None = None,
                      language: str = "sv") -> str:
    return render_cards("cases", language, live=live_card(models, overrides=overrides))
