"""Lazy public names for a package's ``__init__`` (PEP 562).

A domain package lists what it exports; each name's module is imported when the name is
first used. ``kraftsamling --version`` or ``kraftsamling users list`` then loads no model
code, and a plugin's registration (its commands, routes, tables) costs an import of a few
light modules, not of the whole package.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``where`` maps a name to its module."""
    namespace = import_module(package).__dict__

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module), name)
        namespace[name] = value
        return value

    return __getattr__
