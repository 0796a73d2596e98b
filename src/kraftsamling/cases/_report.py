"""What a unit manager looks at: need against places, and what each way of allocating gives.

Numbers come from a stored assessment; every chart carries its table (see ``_charts``).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from kraftsamling._charts import Chart, styled

__all__ = ["OUTCOME_LABELS", "PLAN_LABELS", "need_table", "overview_charts"]

OUTCOME_LABELS = {"economic-assistance": "långvarigt bistånd",
                  "social-services": "ny anmälan inom 12 månader"}

PLAN_LABELS = {"optimal": "Optimal plan", "current": "Nuvarande praxis", "random": "Slump",
               "risk_first": "Högst risk först"}


def need_table(persons: pd.DataFrame, capacity: Mapping[str, int]) -> pd.DataFrame:
    """Per intervention: for how many it is the most useful, places, and places planned."""
    names = sorted(set(capacity) | set(persons["best"]) - {"ingen"})
    best = persons["best"].value_counts()
    planned = persons["planned"].value_counts()
    return pd.DataFrame({
        "insats": names,
        "mest_nytta_för": [int(best.get(n, 0)) for n in names],
        "platser": [int(capacity.get(n, 0)) for n in names],
        "i_planen": [int(planned.get(n, 0)) for n in names],
    })


def overview_charts(persons: pd.DataFrame, capacity: Mapping[str, int],
                    compared: Mapping[str, float], *, kind: str,
                    names: Mapping[str, str] | None = None) -> list[Chart]:
    """Need against places, the plans' expected benefit, and persons per risk band.

    ``names`` maps an intervention's code to the word a person reads (the page passes the
    catalogue's labels); the charts and their tables never show a code.
    """
    outcome = OUTCOME_LABELS.get(kind, "utfallet")
    if persons.empty:
        return []
    need = need_table(persons, capacity)
    need = pd.DataFrame({
        "Insats": [(names or {}).get(n, n) for n in need["insats"]],
        "Hjälper mest för": need["mest_nytta_för"], "Platser": need["platser"],
        "I planen": need["i_planen"]})
    figure = go.Figure([
        go.Bar(x=need["Insats"], y=need["Hjälper mest för"], name="mest nytta för"),
        go.Bar(x=need["Insats"], y=need["Platser"], name="platser"),
        go.Bar(x=need["Insats"], y=need["I planen"], name="i planen")])
    charts = [Chart("need", "Behov mot platser per insats", styled(
        figure, "Behov mot platser per insats", "Insats", "Personer"), need)]
    plans = pd.DataFrame({"Fördelning": [PLAN_LABELS.get(k, k) for k in compared],
                          "Förväntad nytta": [round(float(v), 1) for v in compared.values()]})
    figure = go.Figure([go.Bar(x=plans["Fördelning"], y=plans["Förväntad nytta"],
                               name="förväntad nytta")])
    title = f"Förväntad nytta: så många färre med {outcome}"
    charts.append(Chart("plans", title, styled(figure, title, "Fördelning", "Personer"),
                        plans))
    bands = pd.cut(persons["risk"], bins=[0, 0.2, 0.4, 0.6, 0.8, 1.0001], right=False,
                   labels=["0–20 %", "20–40 %", "40–60 %", "60–80 %", "80–100 %"])
    risk = bands.value_counts().sort_index().rename_axis("Risk").reset_index(name="Personer")
    risk["Risk"] = risk["Risk"].astype(str)
    figure = go.Figure([go.Bar(x=risk["Risk"], y=risk["Personer"], name="personer")])
    charts.append(Chart("risk", "Personer per riskband", styled(
        figure, "Personer per riskband", f"Risk för {outcome}", "Personer"), risk))
    return charts
