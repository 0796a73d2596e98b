"""Modules as plugins of a small core, in datasette's way (pluggy).

The core (settings, store, tabular, privacy, web framework, the ``kraftsamling`` command)
knows no domain module by name. Each module (autolarm, chat, cases, twin, compliance, and
the platform's own commands) is a plugin: its ``plugin.py`` declares a :class:`ModulePlugin`
(its commands, routers, tables, schemas, demo steps and settings, by reference), registered
as a default plugin. A third-party package adds any object with ``@hookimpl`` methods or
functions under the ``kraftsamling`` entry-point group.

Hooks:

- ``register_commands(cli)``: add Typer sub-apps or commands to the ``kraftsamling`` command.
- ``register_routes(app)``: include FastAPI routers in the web app.
- ``tables()``: the ORM classes the module stores; Alembic and the guards read them here,
  so no table depends on an import's side effect.
- ``schemas()``: the module's declared input tables (``TableSchema``), registered by name.
- ``demo_builders()``: ``(title, builder, deferred)`` steps for ``kraftsamling demo``.
- ``settings_section()``: ``(module, setting names)`` the module reads from ``Settings``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import typer
    from fastapi import FastAPI

    from kraftsamling.settings import Settings
    from kraftsamling.store import Database
    from kraftsamling.tabular import TableSchema

__all__ = ["DEFAULT_PLUGINS", "DemoBuilder", "DemoStep", "ModulePlugin", "Specs", "demo_steps",
           "hookimpl", "hookspec", "plugin_manager", "plugin_schemas", "plugin_tables"]

hookspec = pluggy.HookspecMarker("kraftsamling")
hookimpl = pluggy.HookimplMarker("kraftsamling")

# builder(database, settings, seed) -> a note for the person who asked for the demo
DemoBuilder = Callable[["Database", "Settings", int], str]
DemoStep = tuple[str, DemoBuilder, bool]

DEFAULT_PLUGINS = (
    "kraftsamling.store.plugin",
    "kraftsamling.privacy.plugin",
    "kraftsamling.autolarm.plugin",
    "kraftsamling.chat.plugin",
    "kraftsamling.cases.plugin",
    "kraftsamling.twin.plugin",
    "kraftsamling.compliance.plugin",
)


class Specs:
    """The hook specifications (each returns ``None`` where there is nothing to add)."""

    @hookspec
    def register_commands(self, cli: typer.Typer) -> None:
        """Add sub-commands to the ``kraftsamling`` command."""

    @hookspec
    def register_routes(self, app: FastAPI) -> None:
        """Include the module's routers in the web app."""

    @hookspec
    def tables(self) -> Sequence[type[Any]]:
        """The ORM classes (on ``kraftsamling.store.Base``) the module stores."""
        raise NotImplementedError

    @hookspec
    def schemas(self) -> Sequence[TableSchema]:
        """The module's declared inputs."""
        raise NotImplementedError

    @hookspec
    def demo_builders(self) -> Sequence[DemoStep]:
        """Steps of ``kraftsamling demo``: ``(title, builder, deferred)``."""
        raise NotImplementedError

    @hookspec
    def settings_section(self) -> tuple[str, Sequence[str]]:
        """``(module, names of the settings it reads)``."""
        raise NotImplementedError


def _resolve(reference: str) -> Any:
    """``"package.module:attribute"`` → the attribute (imported when first needed)."""
    module, _, attribute = reference.partition(":")
    return getattr(import_module(module), attribute)


def _lazy_builder(reference: str) -> DemoBuilder:
    def build(database: Any, settings: Any, seed: int) -> str:
        return str(_resolve(reference)(database, settings, seed))

    return build


@dataclass(frozen=True, kw_only=True)
class ModulePlugin:
    """A built-in module's plugin, declared as data: every reference is
    ``"module:attribute"`` and is imported only when its hook is called, so registering the
    plugins loads no model code.

    ``commands``: name → Typer app (or a function, for a single command); ``routers``:
    FastAPI routers; ``tables``: ORM classes; ``schemas``: ``TableSchema``s or a mapping of
    them; ``demo``: ``(title, builder, deferred)``; ``settings``: the setting names it reads.
    """

    name: str
    commands: Mapping[str, str] = field(default_factory=dict)
    routers: Sequence[str] = ()
    tables: Sequence[str] = ()
    schemas: Sequence[str] = ()
    demo: Sequence[tuple[str, str, bool]] = ()
    settings: Sequence[str] = ()

    @hookimpl
    def register_commands(self, cli: typer.Typer) -> None:
        import typer

        for name, reference in self.commands.items():
            command = _resolve(reference)
            if isinstance(command, typer.Typer):
                cli.add_typer(command, name=name)
            else:
                cli.command(name)(command)

    @hookimpl
    def register_routes(self, app: FastAPI) -> None:
        for reference in self.routers:
            app.include_router(_resolve(reference))

    @hookimpl(specname="tables")
    def _tables(self) -> Sequence[type[Any]]:
        return [_resolve(reference) for reference in self.tables]

    @hookimpl(specname="schemas")
    def _schemas(self) -> Sequence[TableSchema]:
        found: list[TableSchema] = []
        for reference in self.schemas:
            value = _resolve(reference)
            found.extend(value.values() if isinstance(value, Mapping) else [value])
        return found

    @hookimpl
    def demo_builders(self) -> Sequence[DemoStep]:
        # Imported when the step runs: a deferred step's model code loads in the background,
        # not before the app serves.
        return [(title, _lazy_builder(reference), deferred)
                for title, reference, deferred in self.demo]

    @hookimpl
    def settings_section(self) -> tuple[str, Sequence[str]]:
        return (self.name, list(self.settings))


@cache
def plugin_manager() -> pluggy.PluginManager:
    """The default plugins and any installed under the ``kraftsamling`` entry point."""
    manager = pluggy.PluginManager("kraftsamling")
    manager.add_hookspecs(Specs)
    manager.load_setuptools_entrypoints("kraftsamling")
    # pluggy calls the last registered first: registered in reverse, the built-in modules
    # answer in DEFAULT_PLUGINS order, before any installed plugin.
    for name in reversed(DEFAULT_PLUGINS):
        manager.register(_resolve(f"{name}:plugin"), name=name)
    return manager


def plugin_tables() -> list[type[Any]]:
    """Every plugin's tables: importing them puts them on ``Base.metadata``."""
    return [table for tables in plugin_manager().hook.tables() for table in tables]


def plugin_schemas() -> list[TableSchema]:
    return [schema for schemas in plugin_manager().hook.schemas() for schema in schemas]


def demo_steps() -> list[DemoStep]:
    """Every plugin's demo steps, in plugin order."""
    return [step for steps in plugin_manager().hook.demo_builders() for step in steps]
