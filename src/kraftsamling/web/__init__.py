"""The web app: FastAPI, server-rendered Jinja2 pages with htmx, Swedish first.

``translator`` and the label look-ups are light (the CLI uses them); ``create_app`` loads
FastAPI only when asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kraftsamling.web._i18n import translator
from kraftsamling.web._labels import label, labels
from kraftsamling.web._plain import fairness_sentence, proxy_sentence

if TYPE_CHECKING:
    from kraftsamling.web._app import create_app

__all__ = ["create_app", "fairness_sentence", "label", "labels", "proxy_sentence", "translator"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from kraftsamling.web._app import create_app

        return create_app
    raise AttributeError(name)
