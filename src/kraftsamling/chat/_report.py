"""What coordinators look at: aggregates, Plotly charts, and a report to download.

Every chart comes with the same numbers as a table (for screen readers and for people who
would rather read), and the report is one self-contained HTML file — Plotly's JavaScript is
inlined, so it opens offline and can be archived with the decision it informed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from jinja2 import Environment, FileSystemLoader, select_autoescape

from kraftsamling._charts import Chart, plotly_js, styled

__all__ = ["EndingsPanel", "dashboard_charts", "endings_panel", "mood_by_topic", "render_report",
           "topic_table"]

WEEKDAYS = ("mån", "tis", "ons", "tor", "fre", "lör", "sön")
_TEMPLATES = Path(__file__).parent / "templates"


def topic_table(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per conversation and topic (a conversation with two topics counts for both)."""
    rows = frame.assign(topic=frame["topics"].map(
        lambda t: t if isinstance(t, list) else [x for x in str(t).split(";") if x]))
    rows = rows.explode("topic")
    rows["topic"] = rows["topic"].fillna("(inget ämne)")
    return rows


def mood_by_topic(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean mood before and after, and the change, per topic — the change also beyond what
    the starting mood alone predicts (moods far from the middle drift back on their own)."""
    rows = topic_table(frame)
    table = rows.groupby("topic").agg(
        samtal=("conversation_id", "count"), före=("mood_before", "mean"),
        efter=("mood_after", "mean"), förändring=("mood_change", "mean"),
        utöver_väntat=("mood_change_beyond_expected", "mean"))
    return table.sort_values("samtal", ascending=False).round(2).reset_index()


def dashboard_charts(frame: pd.DataFrame, load: pd.DataFrame) -> list[Chart]:
    """The dashboard's charts, from an analysis frame and the volunteer load table."""
    result: list[Chart] = []
    if frame.empty:
        return result
    rows = topic_table(frame)
    top = list(rows["topic"].value_counts().index[:8])
    rows = rows[rows["topic"].isin(top)]
    timed = rows.dropna(subset=["started_at"]).copy()
    if not timed.empty:
        stamps = pd.to_datetime(timed["started_at"], utc=True).dt.tz_convert("Europe/Stockholm")
        timed["vecka"] = stamps.dt.strftime("%G-V%V")
        timed["timme"] = stamps.dt.hour
        timed["veckodag"] = stamps.dt.day_of_week.map(lambda d: WEEKDAYS[d])
        weekly = timed.groupby(["vecka", "topic"]).size().unstack(fill_value=0)
        figure = go.Figure([go.Scatter(x=list(weekly.index), y=weekly[t], name=t,
                                       mode="lines+markers") for t in weekly.columns])
        result.append(Chart("weeks", "Ämnen per vecka", styled(
            figure, "Ämnen per vecka", "Vecka", "Samtal"), weekly.reset_index()))
        hourly = timed.groupby(["timme", "topic"]).size().unstack(fill_value=0).reindex(
            range(24), fill_value=0)
        figure = go.Figure([go.Bar(x=list(hourly.index), y=hourly[t], name=t)
                            for t in hourly.columns])
        figure.update_layout(barmode="stack")
        result.append(Chart("hours", "Ämnen per timme (svensk tid)", styled(
            figure, "Ämnen per timme (svensk tid)", "Timme", "Samtal"), hourly.reset_index()))
        daily = timed.groupby(["veckodag", "topic"]).size().unstack(fill_value=0).reindex(
            list(WEEKDAYS), fill_value=0)
        figure = go.Figure([go.Bar(x=list(daily.index), y=daily[t], name=t)
                            for t in daily.columns])
        figure.update_layout(barmode="stack")
        result.append(Chart("weekdays", "Ämnen per veckodag", styled(
            figure, "Ämnen per veckodag", "Veckodag", "Samtal"), daily.reset_index()))
    moods = pd.DataFrame({
        "mående": [1, 2, 3, 4, 5],
        "före": [int((frame["mood_before"].round() == v).sum()) for v in range(1, 6)],
        "efter": [int((frame["mood_after"].round() == v).sum()) for v in range(1, 6)]})
    figure = go.Figure([go.Bar(x=moods["mående"], y=moods["före"], name="före"),
                        go.Bar(x=moods["mående"], y=moods["efter"], name="efter")])
    result.append(Chart("mood", "Mående före och efter (1 = mycket dåligt, 5 = mycket bra)",
                        styled(figure, "Mående före och efter", "Mående (1–5)", "Samtal"),
                        moods))
    by_topic = mood_by_topic(frame)
    by_topic = by_topic[by_topic["topic"].isin(top)]
    figure = go.Figure([
        go.Bar(x=by_topic["topic"], y=by_topic["förändring"], name="förändring"),
        go.Bar(x=by_topic["topic"], y=by_topic["utöver_väntat"],
               name="utöver vad startmåendet förutsäger")])
    result.append(Chart("change", "Förändring i mående per ämne", styled(
        figure, "Förändring i mående per ämne", "Ämne", "Förändring (steg på 1–5)"), by_topic))
    if not load.empty:
        totals = load.groupby("volunteer_id")[["conversations", "demanding", "back_to_back"]
                                              ].sum().sort_values("demanding", ascending=False)
        figure = go.Figure([
            go.Bar(x=list(totals.index), y=totals["conversations"] - totals["demanding"],
                   name="övriga samtal"),
            go.Bar(x=list(totals.index), y=totals["demanding"], name="krävande samtal")])
        figure.update_layout(barmode="stack")
        result.append(Chart("load", "Volontärernas belastning", styled(
            figure, "Volontärernas belastning", "Volontär", "Samtal"),
            totals.reset_index().rename(columns={
                "volunteer_id": "volontär", "conversations": "samtal",
                "demanding": "krävande", "back_to_back": "krävande i följd"})))
    return result


@dataclass
class EndingsPanel:
    """The chats that ended badly in one week, for coordinators: by topic, by hour, each
    volunteer's share, and each chat with the closing sentences that decided its label."""

    week: str
    weeks: list[str]
    total: int
    badly: int
    by_topic: pd.DataFrame
    by_hour: Chart | None
    by_volunteer: pd.DataFrame
    rows: list[dict[str, Any]]


def _weeks(frame: pd.DataFrame) -> pd.Series:
    stamps = pd.to_datetime(frame["started_at"], utc=True).dt.tz_convert("Europe/Stockholm")
    return stamps.dt.strftime("%G-V%V")


def endings_panel(frame: pd.DataFrame, *, week: str | None = None) -> EndingsPanel | None:
    """The panel for ``week`` ('2026-V05'), by default the latest week with timed chats;
    None when no chat has a start time."""
    timed = frame.dropna(subset=["started_at"]).copy()
    if timed.empty:
        return None
    timed["vecka"] = _weeks(timed)
    weeks = [str(w) for w in sorted(timed["vecka"].unique(), reverse=True)]
    chosen = week if week is not None and week in weeks else weeks[0]
    current = timed[timed["vecka"] == chosen].copy()
    bad = current[current["ending"] == "badly"].copy()
    topics = topic_table(current).groupby("topic").agg(
        samtal=("conversation_id", "count"),
        slutade_dåligt=("ending", lambda e: int((e == "badly").sum())))
    topics["andel"] = (topics["slutade_dåligt"] / topics["samtal"]).round(2)
    topics = topics.sort_values(["slutade_dåligt", "samtal"], ascending=False).reset_index()
    hours = pd.to_datetime(bad["started_at"], utc=True).dt.tz_convert("Europe/Stockholm").dt.hour
    per_hour = hours.value_counts().reindex(range(24), fill_value=0).rename_axis(
        "timme").reset_index(name="slutade_dåligt")
    chart = None
    if not bad.empty:
        figure = go.Figure([go.Bar(x=per_hour["timme"], y=per_hour["slutade_dåligt"],
                                   name="slutade dåligt")])
        chart = Chart("endings-hours", "Samtal som slutade dåligt per timme (svensk tid)",
                      styled(figure, "Samtal som slutade dåligt per timme", "Timme", "Samtal"),
                      per_hour)
    volunteers = current.assign(volontär=current["volunteer_id"].fillna("(okänd)")).groupby(
        "volontär").agg(samtal=("conversation_id", "count"),
                        slutade_dåligt=("ending", lambda e: int((e == "badly").sum())))
    volunteers["andel"] = (volunteers["slutade_dåligt"] / volunteers["samtal"]).round(2)
    volunteers = volunteers.sort_values(["andel", "samtal"], ascending=False).reset_index()
    rows = [{str(k): v for k, v in r.items()}
            for r in bad.sort_values("started_at").to_dict("records")]
    return EndingsPanel(week=chosen, weeks=weeks, total=len(current), badly=len(bad),
                        by_topic=topics, by_hour=chart, by_volunteer=volunteers, rows=rows)


def render_report(frame: pd.DataFrame, load: pd.DataFrame, *, title: str,
                  generated_at: datetime, notes: list[str] | None = None) -> str:
    """A self-contained HTML report (Swedish) with the charts, their tables and the most
    demanding conversations by id (no chat text)."""
    environment = Environment(loader=FileSystemLoader(_TEMPLATES),
                              autoescape=select_autoescape(["html"]))
    demanding = frame.sort_values("demand_score", ascending=False).head(20)
    context: dict[str, Any] = {
        "title": title, "generated_at": generated_at, "charts": dashboard_charts(frame, load),
        "count": len(frame), "demanding": demanding, "load": load, "notes": notes or [],
        "plotly_js": plotly_js(), "inline_charts": True, "table_label": "Visa som tabell",
        "demanding_count": int(frame["demanding"].sum()) if not frame.empty else 0}
    return environment.get_template("report.html").render(**context)
