"""Cases as a plugin: commands, pages, tables, declared inputs by kind, demo, settings."""

from kraftsamling.plugins import ModulePlugin

__all__ = ["plugin"]

plugin = ModulePlugin(
    name="cases",
    commands={"cases": "kraftsamling.cases.cli:cases_app"},
    routers=["kraftsamling.cases.web:router"],
    tables=[f"kraftsamling.cases._store:{name}"
            for name in ("CaseBatch", "CasePerson", "CaseDecision")],
    schemas=["kraftsamling.cases._schemas:CASE_SCHEMAS"],
    demo=[("Ärenden: modeller och fördelning", "kraftsamling.cases._demo:build_cases_demo",
           True)],
    settings=["cases_register"],
)
