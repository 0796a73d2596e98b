"""Settings as data: environment variables ``KRAFTSAMLING_*`` over an optional TOML file.

Why one object: the CLI, the web app and the library read the same values, and
``kraftsamling config show`` can print exactly what is in force, secrets masked.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

# Tables with a retention period (`retention_days`), each with the column that dates a row.
# Deleting a row deletes what belongs to it (a batch's persons and decisions, a table's rows).
# The audit log is not among them: it is append-only and hash-chained (docs/compliance.md).
RETENTION_TABLES: dict[str, str] = {
    "imported_tables": "imported_at",
    "survey_responses": "submitted_at",
    "autolarm_answers": "created_at",
    "chat_batches": "imported_at",
    "case_batches": "imported_at",
    "twin_imports": "imported_at",
    "pseudonyms": "created_at",
    "web_sessions": "last_seen",
}
__all__ = [
    "RETENTION_TABLES",
    "Settings",
    "adopt_legacy_pseudonym_key",
    "audit_key",
    "load_settings",
    "masked_settings",
    "private_folder",
    "pseudonym_key",
]

CONFIG_ENV = "KRAFTSAMLING_CONFIG"
DEFAULT_CONFIG_FILE = "kraftsamling.toml"


def _config_file() -> Path | None:
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        return Path(explicit)
    local = Path(DEFAULT_CONFIG_FILE)
    return local if local.is_file() else None


def _generated_key(file: str, use: str) -> Any:
    """A key that is generated into ``file`` on first start unless the installation sets it:
    one wording for the three keys, so none is documented as stored somewhere else."""
    return Field(default=None, description=f"{use} Generated into {file} if unset.")


class Settings(BaseSettings):
    """Everything an installation can set. Field names map to ``KRAFTSAMLING_<NAME>``."""

    model_config = SettingsConfigDict(
        env_prefix="KRAFTSAMLING_", extra="ignore", validate_default=True
    )

    data_dir: Path = Field(
        default=Path("kraftsamling-data"),
        description="Folder for the SQLite database, the secret key and exports.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default is a SQLite file in data_dir. "
        "PostgreSQL: postgresql+psycopg://user:pass@host/db",
    )
    secret_key: SecretStr | None = _generated_key(
        "data_dir/secret.key", "Key for CSRF tokens and device cookies.")
    keys_dir: Path | None = Field(
        default=None,
        description="Folder (mode 0700) for the audit and pseudonym keys, kept apart from the "
        "data folder and its backups; default: '<data_dir>-keys' beside data_dir.",
    )
    audit_key: SecretStr | None = _generated_key(
        "keys_dir/audit.key", "HMAC key of the audit log's hash chain. Never stored in the "
        "database.")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    default_language: Literal["sv", "en"] = "sv"
    session_idle_minutes: int = Field(default=30, ge=1)
    session_max_hours: int = Field(default=12, ge=1)
    lockout_threshold: int = Field(default=5, ge=1, description="Failed logins before lock-out.")
    lockout_minutes: int = Field(default=15, ge=1)
    login_client_failures: int = Field(
        default=20, ge=1,
        description="Failed logins from one address (any account) per lockout_minutes before "
        "that address must wait.")
    survey_client_posts: int = Field(
        default=60, ge=1,
        description="Survey answers one address may send per survey_window_minutes.")
    survey_link_posts: int = Field(
        default=300, ge=1,
        description="Survey answers one survey link takes per survey_window_minutes.")
    survey_window_minutes: int = Field(default=10, ge=1)
    cookie_secure: bool = Field(
        default=True, description="Send cookies only over HTTPS (browsers allow localhost)."
    )
    pseudonym_key: SecretStr | None = _generated_key(
        "keys_dir/pseudonym.key", "Key for pseudonyms and keyed hashes. Keep it: a new key "
        "gives every person new pseudonyms.")
    privacy_config: Path | None = Field(
        default=None, description="TOML file of recognisers; default: the built-in set."
    )
    cache_dir: Path = Field(
        default_factory=lambda: Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        / "kraftsamling",
        description="Models built from shipped data (no personal data), shared between "
        "installations on this machine.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The address people use to reach the app; alert links point here.",
    )
    smtp_host: str | None = Field(default=None, description="SMTP server for alert e-mail.")
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_from: str = "kraftsamling@localhost"
    alert_email_to: list[str] = Field(default_factory=list,
                                      description="Who gets an e-mail for each urgent answer.")
    webhook_url: str | None = Field(default=None, description="URL told of each urgent answer.")
    webhook_secret: SecretStr | None = Field(
        default=None, description="Key for the X-Kraftsamling-Signature HMAC on webhooks.")
    sla_urgent_minutes: int = Field(default=60, ge=1,
                                    description="Time to acknowledge an urgent answer.")
    sla_concern_hours: int = Field(default=72, ge=1,
                                   description="Time to acknowledge a concern.")
    autolarm_rules: Path | None = Field(default=None,
                                        description="TOML file of autolarm rules.")
    autolarm_actions: Path | None = Field(
        default=None, description="TOML file of the reviewer's action guide per category.")
    chat_topics: Path | None = Field(default=None,
                                     description="TOML file of chat topics (taxonomy).")
    chat_demand: Path | None = Field(default=None,
                                     description="TOML file of the chat demand-score weights.")
    chat_ending: Path | None = Field(
        default=None, description="TOML file of the cues that tell how a chat ended.")
    cases_register: Path | None = Field(
        default=None, description="TOML register of forbidden features and fairness limits.")
    retention_days: dict[str, int] = Field(
        default_factory=lambda: {"web_sessions": 1},
        description="Table -> days a row is kept; `kraftsamling retention apply` deletes older "
        "rows. Tables not named are kept until deleted by hand.",
    )
    api_tokens: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Organisation name -> API token for the JSON API.",
    )

    @field_validator("retention_days")
    @classmethod
    def _known_retention_tables(cls, value: dict[str, int]) -> dict[str, int]:
        for table, days in value.items():
            if table == "audit_events":
                raise ValueError(
                    "Granskningsloggen (audit_events) gallras inte med retention_days: den är "
                    "oföränderlig och hashkedjad och sparas hel (se docs/compliance.md).")
            if table not in RETENTION_TABLES:
                known = ", ".join(sorted(RETENTION_TABLES))
                raise ValueError(f"Okänd tabell '{table}' i retention_days. Kända: {known}.")
            if days < 1:
                raise ValueError(
                    f"Gallringsfristen för {table} måste vara minst 1 dag (angivet: {days}).")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = _config_file()
        if config_file is not None:
            if not config_file.is_file():
                raise FileNotFoundError(
                    f"Inställningsfilen {config_file} finns inte ({CONFIG_ENV})."
                )
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'kraftsamling.sqlite3').resolve()}"

    def ensure_data_dir(self) -> Path:
        """The data folder, created owner-only (0700); an existing one is narrowed to 0700."""
        return private_folder(self.data_dir)

    def resolved_keys_dir(self) -> Path:
        if self.keys_dir is not None:
            return self.keys_dir
        data_dir = self.data_dir.resolve()
        return data_dir.with_name(f"{data_dir.name}-keys")

    def resolved_secret_key(self) -> bytes:
        """The configured key, or one generated once and kept (mode 0600) in the data folder."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        return _key_file(self.ensure_data_dir() / "secret.key")


def private_folder(folder: Path, *, narrow: bool = True) -> Path:
    """Create ``folder`` (and parents) owner-only (0700).

    With ``narrow``, an existing folder we own is narrowed to 0700 too — never a shared
    one (sticky bit, like /tmp): only Kraftsamling's own data and keys folders are narrowed.
    """
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not narrow:
        return folder
    try:
        mode = folder.stat()
        if mode.st_uid == os.getuid() and mode.st_mode & 0o077 and not mode.st_mode & 0o1000:
            folder.chmod(0o700)
    except (AttributeError, OSError):  # no getuid (Windows) or not ours to change
        pass
    return folder


def _key_file(path: Path, initial: str | None = None) -> bytes:
    """Read a key file, creating it once (0600) with a random or the given value.

    Written to a temporary name and linked into place, so concurrent first uses from
    several processes agree on one key and nobody reads a half-written file.
    """
    if not path.exists():
        private_folder(path.parent)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(initial if initial is not None else secrets.token_urlsafe(48))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process was first; its key wins
        finally:
            temporary.unlink()
    return path.read_text().strip().encode()


def audit_key(settings: Settings) -> bytes:
    """The audit chain's HMAC key: configured, or kept in ``keys_dir/audit.key``."""
    if settings.audit_key is not None:
        return settings.audit_key.get_secret_value().encode()
    return _key_file(settings.resolved_keys_dir() / "audit.key")


def _legacy_pseudonym_key(settings: Settings) -> bytes:
    import hashlib
    import hmac

    return hmac.new(settings.resolved_secret_key(), b"pseudonyms", hashlib.sha256).digest()


def pseudonym_key(settings: Settings) -> bytes:
    """The pseudonym key: configured, or kept in ``keys_dir/pseudonym.key``.

    Never derived from the secret key any more: the data folder (database and
    ``secret.key``) alone must not be enough to decrypt the pseudonym mapping.
    """
    if settings.pseudonym_key is not None:
        return settings.pseudonym_key.get_secret_value().encode()
    key = _key_file(settings.resolved_keys_dir() / "pseudonym.key")
    return bytes.fromhex(key[4:].decode()) if key.startswith(b"hex:") else key


def adopt_legacy_pseudonym_key(settings: Settings) -> bool:
    """For a database from before 0.x: move its derived pseudonym key into its own file.

    Older versions derived the key from the secret key; existing pseudonyms and the
    encrypted mapping depend on it, so an existing installation keeps that value, now in
    ``keys_dir/pseudonym.key``. Returns True when the file was written. Afterwards the
    secret key can be replaced (``docs/privacy.md``), which cuts the last link between
    the data folder and the mapping.
    """
    if settings.pseudonym_key is not None:
        return False
    path = settings.resolved_keys_dir() / "pseudonym.key"
    if path.exists():
        return False
    _key_file(path, "hex:" + _legacy_pseudonym_key(settings).hex())
    return True


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment and config file; keyword overrides win."""
    return Settings(**overrides)


def _mask_url(url: str) -> str:
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


def masked_settings(settings: Settings) -> dict[str, str]:
    """Settings as printable strings with secrets and database passwords masked."""
    shown: dict[str, str] = {}
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            text = "***"
        elif isinstance(value, dict) and name == "retention_days":
            text = ", ".join(f"{key}={days}" for key, days in sorted(value.items())) or "(inga)"
        elif isinstance(value, dict):
            text = ", ".join(f"{key}=***" for key in value) or "(inga)"
        elif value is None:
            text = "(inte satt)"
        else:
            text = str(value)
        shown[name] = text
    shown["database_url"] = _mask_url(settings.sqlalchemy_url)
    return shown
