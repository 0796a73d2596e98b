"""Autolarm as a plugin: its commands, pages, tables, declared inputs, demo and settings."""

from kraftsamling.plugins import ModulePlugin

__all__ = ["plugin"]

plugin = ModulePlugin.of_package(
    "autolarm", routers=("web:router", "web:api_router"),
    tables=("Survey", "SurveyLink", "SurveyResponse", "AnswerReview", "Notification"),
    schemas=("_service:ANSWERS_SCHEMA", "_service:LABELS_SCHEMA"),
    demo=[("Autolarm: enkät och länkar", "build_autolarm_demo", False),
          ("Autolarm: elevsvar i granskningskön", "build_autolarm_answers", True)],
    settings=["autolarm_rules", "autolarm_actions", "smtp_host", "smtp_port", "smtp_username",
              "smtp_password", "smtp_starttls", "smtp_from", "alert_email_to", "webhook_url",
              "webhook_secret", "sla_urgent_minutes", "sla_concern_hours",
              "survey_client_posts", "survey_link_posts", "survey_window_minutes"],
)
