"""What an installation actually does, read from its settings, database, configuration files
and model files: the facts the compliance papers are written from, each with its source."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from kraftsamling._config_files import read_toml
from kraftsamling.compliance._cards import PACKAGE, CardFile, card_data_file, load_figures
from kraftsamling.settings import RETENTION_TABLES, Settings
from kraftsamling.store import Role, User

__all__ = ["Installation", "ModelFile", "Recogniser", "Source", "inspect_installation"]

SourceKind = Literal["setting", "test", "figure", "file", "database", "code"]
KIND_LABELS = {"setting": "inställning", "test": "test", "figure": "mått", "file": "fil",
               "database": "databas", "code": "kod"}


@dataclass(frozen=True, order=True)
class Source:
    """Where a statement comes from: a setting and its value, a test, a figure, a file."""

    kind: SourceKind
    ref: str
    value: str = ""

    def label(self) -> str:
        shown = f"{KIND_LABELS[self.kind]} {self.ref}"
        return f"{shown} = {self.value}" if self.value else shown

    def key(self) -> str:
        return f"{self.kind}:{self.ref}={self.value}"


def setting(settings: Settings, name: str) -> Source:
    """A setting as a source; secrets only say whether they are set."""
    from pydantic import SecretStr

    value = getattr(settings, name)
    if isinstance(value, SecretStr):
        shown = "satt"
    elif value is None:
        shown = "inte satt"
    elif isinstance(value, dict) and name == "retention_days":
        shown = ", ".join(f"{k}={v}" for k, v in sorted(value.items())) or "inga"
    elif isinstance(value, dict | list):
        shown = f"{len(value)} st"
    elif isinstance(value, bool):
        shown = "ja" if value else "nej"
    else:
        shown = str(value)
    return Source("setting", name, shown)


def test(ref: str) -> Source:
    return Source("test", ref)


def code(ref: str) -> Source:
    return Source("code", ref)


@dataclass(frozen=True)
class Recogniser:
    type: str
    enabled: bool
    entity: str = ""


@dataclass(frozen=True)
class ModelFile:
    module: str
    path: Path
    sha256: str  # "" when missing

    @property
    def source(self) -> Source:
        return Source("file", shown_path(self.path),
                      f"sha256 {self.sha256[:16]}" if self.sha256 else "saknas")


def shown_path(path: Path) -> str:
    """Files shipped with the package by their place in it; others as configured."""
    try:
        return str(path.resolve().relative_to(PACKAGE.parent.resolve()))
    except ValueError:
        return str(path)


def _digest(path: Path) -> str:
    if not path.is_file():
        return ""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Installation:
    """The facts, gathered once; the papers cite them."""

    settings: Settings
    backend: str
    recognisers_file: Path
    recognisers: list[Recogniser]
    users_by_role: dict[str, int]
    audit_triggers: list[str]
    audit_chain_broken: list[int]
    model_files: dict[str, list[ModelFile]]
    figures: dict[str, CardFile]
    card_files: dict[str, ModelFile] = field(default_factory=dict)

    def setting(self, name: str) -> Source:
        return setting(self.settings, name)

    @property
    def recognisers_source(self) -> Source:
        digest = _digest(self.recognisers_file)
        return Source("file", shown_path(self.recognisers_file),
                      f"sha256 {digest[:16]}" if digest else "saknas")

    def roles_source(self) -> Source:
        counts = ", ".join(f"{role}={self.users_by_role.get(role, 0)}" for role in Role)
        return Source("database", "users (aktiva per roll)", counts)

    def retention_source(self) -> Source:
        return self.setting("retention_days")


def _model_files(settings: Settings) -> dict[str, list[Path]]:
    models = settings.data_dir / "models"
    files: dict[str, list[Path]] = {
        "privacy": [PACKAGE / "privacy" / "data" / "name_tagger.crfsuite"],
        "autolarm": [models / "autolarm.joblib"],
        "chat": [models / "chat.joblib"],
        "cases": [models / "cases-economic-assistance.joblib",
                  models / "cases-social-services.joblib"],
        "twin": [],  # fitted anew on each import of waves: no model file
    }
    return files


def _audit_triggers(session: Session) -> list[str]:
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        rows = session.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events'"))
    elif dialect == "postgresql":
        rows = session.execute(text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass "
            "AND NOT tgisinternal"))
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        return []
    return sorted(str(row[0]) for row in rows)


def inspect_installation(settings: Settings, session: Session,
                         modules: tuple[str, ...]) -> Installation:
    """Read what the papers are written from. Nothing is changed."""
    from kraftsamling.privacy import DEFAULT_CONFIG
    from kraftsamling.store import verify_chain

    config_path = settings.privacy_config or DEFAULT_CONFIG
    entries = read_toml(config_path, kind="Konfigurationsfilen").get("recognizers", [])
    recognisers = [Recogniser(type=str(e.get("type", "")), enabled=bool(e.get("enabled", True)),
                              entity=str(e.get("entity", ""))) for e in entries]
    counts: dict[str, Any] = dict(session.execute(
        select(User.role, func.count()).where(User.active.is_(True)).group_by(User.role)).all())
    users_by_role = {Role(role).value: int(n) for role, n in counts.items()}
    files = _model_files(settings)
    return Installation(
        settings=settings,
        backend=session.get_bind().dialect.name,
        recognisers_file=config_path,
        recognisers=recognisers,
        users_by_role=users_by_role,
        audit_triggers=_audit_triggers(session),
        audit_chain_broken=verify_chain(session),
        model_files={m: [ModelFile(m, p, _digest(p)) for p in files[m]] for m in modules},
        figures={m: load_figures(m) for m in modules},
        card_files={m: ModelFile(m, card_data_file(m), _digest(card_data_file(m)))
                    for m in modules},
    )


def retention_tables() -> dict[str, str]:
    return dict(RETENTION_TABLES)
