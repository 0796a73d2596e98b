"""Plotly charts the way every dashboard draws them: one palette, one layout, and the same
numbers as a table beside each chart for screen readers and for people who would rather read."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

__all__ = ["COLOURS", "Chart", "plotly_js", "styled"]

COLOURS = ["#1b4f72", "#b03a2e", "#1e8449", "#7d3c98", "#b9770e", "#117a65", "#5d6d7e",
           "#a04000"]


LINK_TAG = re.compile(r"<(?=\s*/?\s*a\b)", re.IGNORECASE)


def _no_links(value: Any) -> Any:
    """Every string of a figure with Plotly's link markup (``<a href=…>``) made inert text.

    Plotly renders ``<a href>`` in titles, labels and hover text as a clickable link, and
    those strings can come from uploaded data (a district, a topic, a school's name).
    ``&lt;`` shows as ``<`` but is never parsed as a tag; ``<br>`` and ``<b>`` still work.
    """
    if isinstance(value, str):
        return LINK_TAG.sub("&lt;", value)
    if isinstance(value, dict):
        return {k: _no_links(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_no_links(v) for v in value]
    if isinstance(value, np.ndarray) and value.dtype.kind in "OUS":
        return [_no_links(v) for v in value.tolist()]
    return value


class Chart:
    """A chart and its numbers: ``html`` is Plotly's div, ``table`` a DataFrame beside it.

    The figure is stored with link markup neutralised (:func:`_no_links`)."""

    def __init__(self, key: str, title: str, figure: go.Figure, table: pd.DataFrame) -> None:
        self.key = key
        self.title = title
        self.figure = go.Figure(_no_links(figure.to_dict()))
        self.table = table

    @property
    def json(self) -> str:
        """The figure as JSON, safe inside a <script type="application/json"> element."""
        return str(self.figure.to_json()).replace("</", "<\\/")

    @property
    def html(self) -> str:
        return str(self.figure.to_html(full_html=False, include_plotlyjs=False,
                                       div_id=f"chart-{self.key}",
                                       config={"displayModeBar": False, "responsive": True}))


def styled(figure: go.Figure, title: str, x: str, y: str) -> go.Figure:
    """The house layout: readable font, the palette, legend below the plot. The title is
    the figure's caption on the page (shown once there), not drawn again inside the plot;
    Swedish separators (decimal comma, space for thousands) as the pages use."""
    del title
    figure.update_layout(xaxis_title=x, separators=", ", yaxis_title=y, template="simple_white",
                         font={"size": 14, "color": "#1a1a1a"}, colorway=COLOURS,
                         margin={"l": 60, "r": 20, "t": 20, "b": 60}, height=380,
                         legend={"orientation": "h", "y": -0.2})
    return figure


def plotly_js() -> str:
    """Plotly's JavaScript from the installed wheel: nothing is fetched from a CDN."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())
