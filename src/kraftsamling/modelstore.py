"""One model lifecycle for every module: the organisation's model, the demo model trained
once and cached by fingerprint, and a check on load.

- The organisation's own model lives in ``<data_dir>/models/<name>.joblib``.
- Without one, the demo (seed) model is trained from shipped data only, once per
  fingerprint (the code and data it is trained from), and kept in ``cache_dir`` — shared by
  every installation on the machine; a changed fingerprint trains a new one.
- Files are pickles (protocol 5) behind a short header, read by the C unpickler: joblib's
  reader is pure Python and took 5.5 s for a cases model of 80,000 arrays that ``pickle``
  reads in 2 s (session 35). Files without the header (joblib, earlier versions) still load.
- Loading checks the object's type and the module's own version check (a model pickled by an
  older version that lacks what this one needs is refused with a Swedish message), and is
  cached by path and modification time.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, TypeVar

from kraftsamling.settings import Settings

__all__ = ["ModelStore", "read_model", "save_atomically"]

M = TypeVar("M")


# What a model file begins with; after it comes one pickle (protocol 5).
_HEADER = b"KRAFTSAMLING-MODEL pickle-5\n"


def read_model(path: Path) -> Any:
    """A model file as the store writes it, or as joblib wrote it (earlier versions);
    unchecked: :meth:`ModelStore.read` checks what it is."""
    with path.open("rb") as handle:
        if handle.read(len(_HEADER)) == _HEADER:
            return pickle.load(handle)  # noqa: S301 - the installation's own file, as with joblib
    import joblib  # a file written by an earlier version

    return joblib.load(path)


def _model_dump(model: object, path: Path) -> None:
    with path.open("wb") as handle:
        handle.write(_HEADER)
        pickle.dump(model, handle, protocol=5)


def save_atomically(model: object, target: Path) -> Path:
    """Write so that a process loading the model never sees half a file."""
    return ModelStore(name="model", kind=object).write(model, target)


_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _training_lock(path: Path) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(path, threading.Lock())


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int, size: int, reader: Callable[[Path], Any]) -> Any:
    del mtime_ns, size  # the cache key: a retrained model is read again
    return reader(Path(path))


@dataclass(frozen=True, kw_only=True)
class ModelStore(Generic[M]):
    """Where a module's model is, how its demo model is made, and what a loaded one must be.

    ``train_demo(settings)`` fits the demo model and ``fingerprint(settings)`` names what it
    is trained from; or ``shipped`` is a demo model that ships with the package (the name
    tagger's); or neither, and ``missing`` says (in Swedish) how to train one. ``check(model,
    path)`` raises ``ValueError`` for a model this version cannot use. ``reader`` and
    ``writer`` are the file format (a pickle behind a header unless the model has its own).
    """

    name: str
    kind: type[M]
    train_demo: Callable[[Settings], M] | None = None
    fingerprint: Callable[[Settings], str] | None = None
    shipped: Path | None = None
    demo_label: str = "demo"
    training_note: str = ""
    missing: str = ""
    check: Callable[[M, Path], None] | None = None
    suffix: str = ".joblib"
    reader: Callable[[Path], Any] = read_model
    writer: Callable[[Any, Path], Any] = _model_dump

    def organisation_path(self, settings: Settings) -> Path:
        return settings.ensure_data_dir() / "models" / f"{self.name}{self.suffix}"

    def demo_path(self, settings: Settings) -> Path:
        if self.shipped is not None:
            return self.shipped
        if self.fingerprint is None:
            raise ValueError(self.missing or f"Ingen demomodell för {self.name}.")
        stem = f"{self.name}-{self.demo_label}-{self.fingerprint(settings)}"
        return settings.cache_dir / f"{stem}{self.suffix}"

    def read(self, path: Path) -> M:
        """A model file, checked (cached by path, modification time and size)."""
        if not path.is_file():
            raise ValueError(self.missing or f"Modellfilen '{path}' finns inte.")
        stat = path.stat()
        try:
            model = _load(str(path), stat.st_mtime_ns, stat.st_size, self.reader)
        except Exception as error:  # a half-written, truncated or foreign file
            raise ValueError(f"'{path}' går inte att läsa som en {self.name}-modell "
                             f"({type(error).__name__}); träna om eller återställ "
                             "filen från en säkerhetskopia.") from error
        if not isinstance(model, self.kind):
            raise ValueError(f"'{path}' innehåller ingen {self.name}-modell.")
        if self.check is not None:
            self.check(model, path)
        return model

    def demo(self, settings: Settings, *, progress: Callable[[str], None] | None = None
             ) -> M:
        """The demo model: shipped, or trained once per fingerprint and kept in the cache
        (a broken cache file is trained again, never fatal)."""
        path = self.demo_path(settings)
        # One training per demo model in a process: a pupil's answer that arrives while
        # the demo trains waits for that training instead of starting a second one.
        with _training_lock(path):
            if self.shipped is None and path.is_file():
                try:
                    return self.read(path)
                except Exception:  # a half-written or stale cache file: train it again
                    path.unlink(missing_ok=True)
            if self.shipped is None:
                if self.train_demo is None:
                    raise ValueError(self.missing or f"Ingen demomodell för {self.name}.")
                if progress is not None and self.training_note:
                    progress(self.training_note)
                self.write(self.train_demo(settings), path)
        return self.read(path)

    def load(self, settings: Settings, *, progress: Callable[[str], None] | None = None
             ) -> tuple[M, bool]:
        """The organisation's model, else the demo model; the flag is True for the demo."""
        own = self.organisation_path(settings)
        if own.is_file():
            return self.read(own), False
        if self.train_demo is None and self.shipped is None:
            raise ValueError(self.missing or f"Ingen tränad {self.name}-modell.")
        return self.demo(settings, progress=progress), True

    def save(self, model: M, settings: Settings, output: Path | None = None) -> Path:
        """Save as the organisation's model (or to ``output``), atomically."""
        return self.write(model, output or self.organisation_path(settings))

    def write(self, model: object, target: Path) -> Path:
        """Write so that a process loading the model never sees half a file."""
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as tmp:
            pass
        try:
            self.writer(model, Path(tmp.name))
            os.replace(tmp.name, target)
        finally:
            Path(tmp.name).unlink(missing_ok=True)
        return target
