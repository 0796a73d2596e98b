"""One model lifecycle for every module: the organisation's model, the demo model trained
once and cached by fingerprint, and a check on load.

- The organisation's own model lives in ``<data_dir>/models/<name>.joblib``.
- Without one, the demo (seed) model is trained from shipped data only, once per
  fingerprint (the code and data it is trained from), and kept in ``cache_dir`` — shared by
  every installation on the machine; a changed fingerprint trains a new one.
- Loading checks the object's type and the module's own version check (a model pickled by an
  older version that lacks what this one needs is refused with a Swedish message), and is
  cached by path and modification time.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, TypeVar

import joblib

from kraftsamling.settings import Settings

__all__ = ["ModelStore", "save_atomically"]

M = TypeVar("M")


def save_atomically(model: object, target: Path) -> Path:
    """Write so that a process loading the model never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as tmp:
        joblib.dump(model, tmp)
    os.replace(tmp.name, target)
    return target


_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _training_lock(path: Path) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(path, threading.Lock())


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> Any:
    return joblib.load(path)


@dataclass(frozen=True, kw_only=True)
class ModelStore(Generic[M]):
    """Where a module's model is, how its demo model is made, and what a loaded one must be.

    ``train_demo(settings)`` fits the demo model; ``fingerprint(settings)`` names what it is
    trained from; ``check(model, path)`` raises ``ValueError`` for a model this version cannot
    use.
    """

    name: str
    kind: type[M]
    train_demo: Callable[[Settings], M]
    fingerprint: Callable[[Settings], str]
    demo_label: str = "demo"
    training_note: str = ""
    check: Callable[[M, Path], None] | None = None

    def organisation_path(self, settings: Settings) -> Path:
        return settings.ensure_data_dir() / "models" / f"{self.name}.joblib"

    def demo_path(self, settings: Settings) -> Path:
        stem = f"{self.name}-{self.demo_label}-{self.fingerprint(settings)}"
        return settings.cache_dir / f"{stem}.joblib"

    def read(self, path: Path) -> M:
        """A model file, checked (cached by path and modification time)."""
        model = _load(str(path), path.stat().st_mtime)
        if not isinstance(model, self.kind):
            raise ValueError(f"'{path}' innehåller ingen {self.name}-modell.")
        if self.check is not None:
            self.check(model, path)
        return model

    def load(self, settings: Settings, *, progress: Callable[[str], None] | None = None
             ) -> tuple[M, bool]:
        """The organisation's model, else the demo model; the flag is True for the demo."""
        own = self.organisation_path(settings)
        if own.is_file():
            return self.read(own), False
        demo = self.demo_path(settings)
        # One training per demo model in a process: a pupil's answer that arrives while
        # the demo trains waits for that training instead of starting a second one.
        with _training_lock(demo):
            if not demo.is_file():
                if progress is not None and self.training_note:
                    progress(self.training_note)
                save_atomically(self.train_demo(settings), demo)
        return self.read(demo), True

    def save(self, model: M, settings: Settings, output: Path | None = None) -> Path:
        """Save as the organisation's model (or to ``output``)."""
        return save_atomically(model, output or self.organisation_path(settings))
