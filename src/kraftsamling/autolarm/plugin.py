"""Autolarm as a plugin: its commands, pages, tables, declared inputs, demo and settings."""

from kraftsamling.plugins import ModulePlugin

__all__ = ["plugin"]

plugin = ModulePlugin(
    name="autolarm",
    commands={"autolarm": "kraftsamling.autolarm.cli:autolarm_app"},
    routers=["kraftsamling.autolarm.web:router", "kraftsamling.autolarm.web:api_router"],
    tables=[f"kraftsamling.autolarm._store:{name}" for name in (
        "Survey", "SurveyLink", "SurveyResponse", "AnswerReview", "Notification")],
    schemas=["kraftsamling.autolarm._service:ANSWERS_SCHEMA",
             "kraftsamling.autolarm._service:LABELS_SCHEMA"],
    demo=[("Autolarm: enkät och länkar", "kraftsamling.autolarm._demo:build_autolarm_demo",
           False),
          ("Autolarm: elevsvar i granskningskön",
           "kraftsamling.autolarm._demo:build_autolarm_answers", True)],
    settings=["autolarm_rules", "autolarm_actions", "smtp_host", "smtp_port", "smtp_username",
              "smtp_password", "smtp_starttls", "smtp_from", "alert_email_to", "webhook_url",
              "webhook_secret", "sla_urgent_minutes", "sla_concern_hours",
              "survey_client_posts", "survey_link_posts", "survey_window_minutes"],
)
