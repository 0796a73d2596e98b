"""The web app: FastAPI, server-rendered Jinja2 pages with htmx, Swedish first."""

from kraftsamling.web._app import create_app
from kraftsamling.web._i18n import translator

__all__ = ["create_app", "translator"]
