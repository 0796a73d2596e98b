"""The class twin as a plugin: commands, pages, tables, declared inputs and demo."""

from kraftsamling.plugins import ModulePlugin

__all__ = ["plugin"]

plugin = ModulePlugin(
    name="twin",
    commands={"twin": "kraftsamling.twin.cli:twin_app"},
    routers=["kraftsamling.twin.web:router"],
    tables=["kraftsamling.twin._store:TwinImport", "kraftsamling.twin._store:TwinClass"],
    schemas=["kraftsamling.twin._schemas:WAVE_SCHEMA"],
    demo=[("Klasstvilling", "kraftsamling.twin._demo:build_twin_demo", True)],
)
