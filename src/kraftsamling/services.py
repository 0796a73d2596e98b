"""What every module's service holds: the installation (settings, database, the one
pseudonymisation) and where progress notes go. ``AutolarmService``, ``ChatService``,
``CaseService`` and ``TwinService`` build on it; the CLI, the web app and the demo call
their methods and nothing below them."""

from __future__ import annotations

from collections.abc import Callable

from kraftsamling.privacy import Pseudonymization
from kraftsamling.settings import Settings
from kraftsamling.store import Database

__all__ = ["ModuleService"]


class ModuleService:
    """A module's public API object for one installation."""

    def __init__(self, settings: Settings, database: Database | None = None, *,
                 note: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self._database = database
        self.note = note

    @property
    def database(self) -> Database:
        """The database given, else the installation's (opened when first needed)."""
        if self._database is None:
            self._database = Database.for_settings(self.settings)
        return self._database

    @property
    def privacy(self) -> Pseudonymization:
        return Pseudonymization.for_settings(self.settings)
