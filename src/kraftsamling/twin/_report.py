"""The class drawn as a network, and the interventions compared — charts with their tables."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from babel.numbers import format_decimal, format_percent

from kraftsamling._charts import Chart, styled

__all__ = ["FIT_TITLES", "fit_charts", "intervention_chart", "network_chart"]



def _decimal(value: float, language: str, pattern: str = "0.##") -> str:
    """A number in a table cell the way the page's language writes it (0,57 / 0.57)."""
    text = format_decimal(value, format=pattern.lstrip("+"),
                          locale="sv_SE" if language == "sv" else "en_GB")
    if pattern.startswith("+"):
        text = ("−" + text.lstrip("-\u2212") if value < 0 else "+" + text)
    return text


def _share(value: float, language: str) -> str:
    return format_percent(value, format="#,##0\xa0%" if language == "sv" else "#,##0%",
                          locale="sv_SE" if language == "sv" else "en_GB")


def N_(message: str) -> str:
    """Marks an English message id that the web page translates through the catalogue."""
    return message


FIT_TITLES = {
    "indegree": N_("Times each pupil is named as a friend (cumulative: pupils with at most k)"),
    "outdegree": N_("Friends each pupil names (cumulative: pupils with at most k)"),
    "triad_census": N_("Triad census: how groups of three are tied"),
    "reciprocity": N_("Share of friendships that are mutual"),
    "transitivity": N_("Share of friends of friends who are friends"),
    "behaviour": N_("Behaviour (cumulative: pupils at most at each level)"),
}


def network_chart(nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]],
                  language: str = "sv") -> Chart:
    """Friendships grey, meanness red; each pupil coloured by next term's risk."""
    where = {n["id"]: (n["x"], n["y"]) for n in nodes}
    traces: list[go.Scatter] = []
    for kind, colour, dash, name in (("friends", "#8a8a8a", "solid", "vänskap"),
                                     ("mean", "#b03a2e", "dash", "elak mot")):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for edge in edges:
            if edge["kind"] == kind:
                (x0, y0), (x1, y1) = where[edge["source"]], where[edge["target"]]
                xs += [x0, x1, None]
                ys += [y0, y1, None]
        traces.append(go.Scatter(x=xs, y=ys, mode="lines", name=name, hoverinfo="skip",
                                 line={"color": colour, "width": 1.2, "dash": dash}))
    risk = [n["risk"] if n["risk"] is not None else n["simulated_risk"] for n in nodes]
    traces.append(go.Scatter(
        x=[n["x"] for n in nodes], y=[n["y"] for n in nodes], mode="markers+text",
        name="elev (färg: risk)", text=[n["id"][:4] for n in nodes],
        textposition="top center", hovertext=[f"{n['id']}: risk {_share(r, language)}" for n, r in
                                              zip(nodes, risk, strict=True)],
        marker={"size": 14, "color": risk, "colorscale": "YlOrRd", "cmin": 0, "cmax": 1,
                "line": {"color": "#1a1a1a", "width": 1},
                "colorbar": {"title": "risk"}}))
    figure = styled(go.Figure(traces), "Klassens nätverk", "", "")
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    figure.update_layout(height=480)
    table = pd.DataFrame({
        "elev": [n["id"] for n in nodes],
        "vänner": [len(n["friends"]) for n in nodes],
        "elaka mot eleven": [n["mean_to"] for n in nodes],
        "försvarare": [n["defended_by"] for n in nodes],
        "risk nästa termin": [_share(r, language) for r in risk]})
    return Chart("network", "Klassens nätverk: vänskap och vem som är elak mot vem", figure,
                 table)


def intervention_chart(summary: Sequence[Mapping[str, Any]], language: str = "sv") -> Chart:
    """Change in expected victims against no intervention, with 95 % intervals."""
    rows = [r for r in summary if r["intervention"] != "none"]
    figure = go.Figure([go.Bar(
        x=[r["label"] for r in rows], y=[r["change"] for r in rows], name="förändring",
        error_y={"type": "data", "symmetric": False,
                 "array": [r["change_high"] - r["change"] for r in rows],
                 "arrayminus": [r["change"] - r["change_low"] for r in rows]})])
    table = pd.DataFrame({
        "insats": [r["label"] for r in summary],
        "förväntat antal utsatta": [round(r["expected_victims"], 2) for r in summary],
        "förändring": [round(r["change"], 2) for r in summary],
        "95 % KI": [f"{_decimal(r['change_low'], language, '+0.00')} till "
                    f"{_decimal(r['change_high'], language, '+0.00')}" for r in summary]})
    title = "Förändring i förväntat antal utsatta mot ingen insats"
    return Chart("interventions", title, styled(figure, title, "Insats", "Elever"), table)


def fit_charts(fit: Mapping[str, Any], translate: Callable[[str], str] = str,
               language: str = "sv") -> list[Chart]:
    """sienaGOF's plot per statistic: the simulated spread (5–95 % and mean) against the
    observed wave, with the p-value in the title; the same numbers in a table."""
    charts = []
    observed_label = translate(N_("observed"))
    simulated_label = translate(N_("simulated mean"))
    spread_label = translate(N_("simulated, 5–95 %"))
    for statistic in fit.get("gof", []):
        name = statistic["name"]
        p_value = format_decimal(round(float(statistic["p"]), 2), format="0.00",
                                 locale="sv_SE" if language == "sv" else "en_GB")
        title = f"{translate(FIT_TITLES[name])} (p = {p_value})"
        levels = [str(v) for v in statistic["levels"]]
        if name in ("reciprocity", "transitivity"):
            levels = [translate(FIT_TITLES[name])]
        low, high, mean = statistic["low"], statistic["high"], statistic["mean"]
        figure = go.Figure([
            go.Bar(x=levels, y=[h - lo for lo, h in zip(low, high, strict=True)], base=low,
                   name=spread_label, marker={"color": "#aab7c4"},
                   hovertemplate="%{base:.3g}–%{y:.3g}<extra></extra>"),
            go.Scatter(x=levels, y=mean, mode="markers", name=simulated_label,
                       marker={"color": "#1b4f72", "symbol": "line-ew-open", "size": 18}),
            go.Scatter(x=levels, y=statistic["observed"], mode="lines+markers",
                       name=observed_label, line={"color": "#b03a2e"},
                       marker={"color": "#b03a2e", "size": 9})])
        figure = styled(figure, title, translate(N_("level")), translate(N_("value")))
        table = pd.DataFrame({
            translate(N_("level")): levels, observed_label: statistic["observed"],
            simulated_label: mean,
            spread_label: [f"{_decimal(lo, language, '0.###')}–{_decimal(h, language, '0.###')}"
                           for lo, h in zip(low, high, strict=True)]})
        charts.append(Chart(f"fit-{name}", title, figure, table))
    return charts
