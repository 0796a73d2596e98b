"""The web framework a module's pages are written with: rendering, roles, CSRF, limits, i18n.

A module keeps its routes in its own ``web.py`` and includes them through its plugin's
``register_routes`` hook; everything it needs from the framework is public here.
"""

from __future__ import annotations

from kraftsamling.web._app import (
    allow_chart_styles,
    attachment,
    render,
    render_in_thread,
    request_language,
)
from kraftsamling.web._format import number, percent
from kraftsamling.web._i18n import N_, translator
from kraftsamling.web._jobs import Job, start_job
from kraftsamling.web._labels import label, label_map, labels
from kraftsamling.web._limits import api_token_organisation
from kraftsamling.web._plain import fairness_sentence, proxy_sentence
from kraftsamling.web._rate_limits import Limiter, RateLimiter
from kraftsamling.web._security import client_address, csrf_protect, require_roles, require_user

__all__ = [
    "N_",
    "Job",
    "Limiter",
    "RateLimiter",
    "allow_chart_styles",
    "api_token_organisation",
    "attachment",
    "client_address",
    "csrf_protect",
    "fairness_sentence",
    "label",
    "label_map",
    "labels",
    "number",
    "percent",
    "proxy_sentence",
    "render",
    "render_in_thread",
    "request_language",
    "require_roles",
    "require_user",
    "start_job",
    "translator",
]
