"""The web framework a module's pages are written with: rendering, roles, CSRF, limits, i18n.

A module keeps its routes in its own ``web.py`` and includes them through its plugin's
``register_routes`` hook; everything it needs from the framework is public here.
"""

from __future__ import annotations

from kraftsamling._charts import Chart
from kraftsamling.web._app import (
    allow_chart_styles,
    attachment,
    format_value,
    render,
    render_in_thread,
    request_language,
)
from kraftsamling.web._format import duration, number, percent, signed
from kraftsamling.web._i18n import N_, catalogue_path, extract_messages, translator
from kraftsamling.web._jobs import Job, start_job
from kraftsamling.web._labels import KINDS, detail_text, label, label_map, labels
from kraftsamling.web._limits import api_token_organisation
from kraftsamling.web._plain import fairness_sentence, percentage_points, proxy_sentence
from kraftsamling.web._rate_limits import Limiter, RateLimiter
from kraftsamling.web._rows import row_or_404
from kraftsamling.web._security import client_address, csrf_protect, require_roles, require_user
from kraftsamling.web._uploads import MAX_UPLOAD_BYTES, check_upload, handle_upload, read_uploads
from kraftsamling.web._workers import WORKER_NICENESS, run_in_worker_process, shutdown_workers

__all__ = [
    "KINDS",
    "MAX_UPLOAD_BYTES",
    "N_",
    "WORKER_NICENESS",
    "Chart",
    "Job",
    "Limiter",
    "RateLimiter",
    "allow_chart_styles",
    "api_token_organisation",
    "attachment",
    "catalogue_path",
    "check_upload",
    "client_address",
    "csrf_protect",
    "detail_text",
    "duration",
    "extract_messages",
    "fairness_sentence",
    "format_value",
    "handle_upload",
    "label",
    "label_map",
    "labels",
    "number",
    "percent",
    "percentage_points",
    "proxy_sentence",
    "read_uploads",
    "render",
    "render_in_thread",
    "request_language",
    "require_roles",
    "require_user",
    "row_or_404",
    "run_in_worker_process",
    "shutdown_workers",
    "signed",
    "start_job",
    "translator",
]
