"""Cases as a plugin: commands, pages, tables, declared inputs by kind, demo, settings."""

from kraftsamling.plugins import ModulePlugin

__all__ = ["plugin"]

plugin = ModulePlugin.of_package(
    "cases", tables=("CaseBatch", "CasePerson", "CaseDecision"),
    schemas=["_schemas:CASE_SCHEMAS"], settings=["cases_register"],
    demo=[("Ärenden: modeller och fördelning", "build_cases_demo", True)])
