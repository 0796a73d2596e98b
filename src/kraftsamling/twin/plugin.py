"""The class twin as a plugin: commands, pages, tables, declared inputs and demo."""

from kraftsamling.plugins import ModulePlugin

__all__ = ["plugin"]

plugin = ModulePlugin.of_package("twin", tables=("TwinImport", "TwinClass"),
                                 schemas=("_schemas:WAVE_SCHEMA",),
                                 demo=[("Klasstvilling", "build_twin_demo", True)])
