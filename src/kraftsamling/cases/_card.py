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
           rows: list[list[Any]], dataset: Text, *, groups: bool = False,
           formats: list[str] | None = None) -> CardTable:
    return CardTable(card=card, caption=caption, columns=[Text(sv=s, en=e) for s, e in columns],
                     rows=rows, dataset=dataset, independent=False, groups=groups,
                     formats=formats or [])


def _word(code: str, kind: str) -> Text:
    """A stored code (a column, an intervention) as the words a person reads."""
    from kraftsamling.web import label

    return Text(sv=label(code, kind, "sv"), en=label(code, kind, "en"))


def _words(codes: list[str], kind: str) -> Text:
    from kraftsamling.web import label

    return Text(sv=", ".join(label(c, kind, "sv").lower() for c in codes),
                en=", ".join(label(c, kind, "en").lower() for c in codes))


def _points(value: float) -> Text:
    """Percentage points with a sign and the language's decimal mark: +1,5 / +1.5."""
    from babel.numbers import format_decimal

    def one(locale: str) -> str:
        text = format_decimal(abs(100 * value), format="0.0", locale=locale)
        return ("+" if value >= 0 else "−") + text

    return Text(sv=one("sv_SE"), en=one("en_GB"))


def _sentence(make: Callable[[str], dict[str, str]]) -> Text:
    return Text(sv=make("sv")["text"], en=make("en")["text"])


def _rate(value: Any) -> float | None:
    """A rate for a table cell; a group too small for an interval shows –."""
    return None if value is None or pd.isna(value) else float(value)


def live_card(models: CaseModels, *, overrides: dict[str, Any] | None = None
              ) -> dict[str, CardLive]:
    """The trained model's own figures for the ``cases.risk`` and ``cases.effect`` cards."""
    from kraftsamling.cases._fairness import FeatureRegister, fairness_findings
    from kraftsamling.web import fairness_sentence, proxy_sentence

    kind = KIND_LABELS.get(models.kind, Text(sv=models.kind, en=models.kind))
    outcome = _word(models.outcome, "feature")
    features = _words(list(models.features), "feature")
    metrics = models.metrics
    held_out = Text(sv=f"{int(metrics['n_test'])} undanhållna rader av er data",
                    en=f"{int(metrics['n_test'])} held-out rows of your data")
    source = Text(
        sv=f"Tränad på {models.n_train} rader ({kind.sv}), utfall {outcome.sv} (andel "
           f"{100 * metrics['base_rate']:.0f} %). Variabler modellen läser: {features.sv}.",
        en=f"Trained on {models.n_train} rows ({kind.en}), outcome {outcome.en} (share "
           f"{100 * metrics['base_rate']:.0f}%). Features the model reads: {features.en}.")
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
        _table("cases.risk", Text(sv=f"Felkvoter per grupp: {_word(name, 'feature').sv.lower()}",
                                  en=f"Error rates per group: {_word(name, 'feature').en.lower()}"),
               [("Grupp", "Group"), ("Antal", "Count"),
                ("Utpekade som hög risk", "Picked out as high risk"),
                ("Hittade av dem med utfallet", "Found of those with the outcome"),
                ("95 % intervall från", "95 % interval from"), ("till", "to"),
                ("Utpekade i onödan", "Picked out without cause"),
                ("95 % intervall från", "95 % interval from"), ("till", "to"),
                ("Kalibreringsavvikelse (procentenheter)", "Calibration gap (percentage points)")],
               [[str(r["grupp"]), int(r["antal"]),
                 *[_rate(r.get(c)) for c in ("urvalsandel", "TPR", "TPR_låg", "TPR_hög", "FPR",
                                             "FPR_låg", "FPR_hög")],
                 None if _rate(r.get("kalibrering")) is None else 100 * float(r["kalibrering"])]
                for _, r in part.iterrows()],
               audit_data, groups=True,
               formats=["", "", *["percent"] * 7, "signed"])
        for name, part in models.audit.tables.items()]
    importance = _table(
        "cases.risk", Text(sv="Viktigaste faktorerna (medelvärde av |SHAP|, log-odds)",
                           en="Main factors (mean |SHAP|, log-odds)"),
        [("Faktor", "Factor"), ("Betydelse", "Importance")],
        [[str(r["etikett"]), float(r["betydelse"])]
         for r in models.importance.head(10).to_dict("records")], held_out)
    thresholds = FeatureRegister.from_toml().thresholds
    notes: list[str | Text] = [
        Text(sv=fairness_sentence(f, "sv", outcome.sv)["text"],
             en=fairness_sentence(f, "en", outcome.en)["text"])
        for f in fairness_findings(models.audit.tables, thresholds)] or [
        Text(sv="Inga skillnader över gränserna i registret.",
             en="No differences past the register's thresholds.")]
    notes += [Text(sv=proxy_sentence(p.feature, p.protected, p.cramers_v, "sv")["text"],
                   en=proxy_sentence(p.feature, p.protected, p.cramers_v, "en")["text"])
              for p in models.proxies]
    notes.append(Text(sv="Förbjudna variabler (medborgarskap, språk, etnicitet, religion) läses "
                         "aldrig; kön och födelseregion läses bara av granskningen.",
                      en="Forbidden features (citizenship, language, ethnicity, religion) are "
                         "never read; gender and birth region are read only by the audit."))
    effect_rows: list[list[Any]] = []
    for name, estimator in models.effects.items():
        low, high = _points(estimator.ci_[0]), _points(estimator.ci_[1])
        effect_rows.append([_word(name, "intervention"), 100 * float(estimator.effect_),
                            Text(sv=f"{low.sv} till {high.sv}", en=f"{low.en} to {high.en}"),
                            estimator.n_])
    for name, why in models.refused.items():
        effect_rows.append([_word(name, "intervention"), None,
                            Text(sv=f"Ingen skattning: {why}", en=f"No estimate: {why}"), None])
    effects = _table(
        "cases.effect", Text(sv="Genomsnittlig effekt per insats på risken (procentenheter, "
                                "dubbelt robust skattning, 95 % KI)",
                             en="Average effect per intervention on the risk (percentage "
                                "points, doubly robust, 95 % CI)"),
        [("Insats", "Intervention"), ("Effekt", "Effect"), ("95 % KI", "95 % CI"),
         ("Rader", "Rows")], effect_rows, Text(sv="er data", en="your data"),
        formats=["", "signed", "", ""])
    candidate_tables = [
        _table("cases.effect",
               Text(sv=f"Effekt per person, {_word(name, 'intervention').sv.lower()}: vald "
                       f"efter R-förlust på utelämnade delar — {estimator.cate_label_}",
                    en=f"Per-person effect, {_word(name, 'intervention').en.lower()}: chosen by "
                       f"R-loss on held-out folds — {estimator.cate_label_}"),
               [("Kandidat", "Candidate"),
                ("R-poäng (högre är bättre, 0 = samma effekt för alla)",
                 "R-score (higher is better, 0 = one effect for everyone)"),
                ("Vikt i valet", "Weight in the choice")],
               [[c["label"], round(c["r_score"], 4), round(c["weight"], 2)]
                for c in (candidate.as_dict() for candidate in estimator.candidates_)],
               Text(sv="er data", en="your data"))
        for name, estimator in models.effects.items() if getattr(estimator, "candidates_", None)]
    override_notes: list[str | Text] = []
    override_tables: list[CardTable] = []
    if overrides and overrides.get("decisions"):
        share = round(100 * overrides["override_rate"])
        override_notes.append(Text(
            sv=f"Hittills {overrides['decisions']} beslut, varav {share} % avvek från "
               "rekommendationen.",
            en=f"So far {overrides['decisions']} decisions, {share}% of which departed from "
               "the recommendation."))
        override_tables.append(_table(
            "cases.effect", Text(sv="Avvikelser per rekommenderad insats",
                                 en="Overrides per recommended intervention"),
            [("Rekommendation", "Recommendation"), ("Beslut", "Decisions"),
             ("Avvek", "Overridden")],
            [[_word(str(r["name"]), "intervention"), r["decisions"], r["override_rate"]]
             for r in overrides["by_recommended"]], Text(sv="beslut", en="decisions"),
            formats=["", "", "percent"]))
    elif overrides is not None:
        override_notes.append(Text(sv="Inga beslut har registrerats ännu.",
                                   en="No decisions have been recorded yet."))
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
