"""Compliance as a plugin: ``card``, ``compliance report``, ``retention apply``, the
model-card and compliance pages, its table."""

from kraftsamling.plugins import ModulePlugin

__all__ = ["plugin"]

plugin = ModulePlugin(
    name="compliance",
    commands={"card": "kraftsamling.compliance.cli:card",
              "compliance": "kraftsamling.compliance.cli:compliance_app",
              "retention": "kraftsamling.compliance.cli:retention_app"},
    routers=["kraftsamling.compliance.web:router"],
    tables=["kraftsamling.compliance._store:ComplianceReport"],
    settings=["retention_days"],
)
