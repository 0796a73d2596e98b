"""Settings as data: environment variables ``KRAFTSAMLING_*`` over an optional TOML file.

Why one object: the CLI, the web app and the library read the same values, and
``kraftsamling config show`` can print exactly what is in force, secrets masked.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

__all__ = ["Settings", "load_settings", "masked_settings", "pseudonym_key"]

CONFIG_ENV = "KRAFTSAMLING_CONFIG"
DEFAULT_CONFIG_FILE = "kraftsamling.toml"


def _config_file() -> Path | None:
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        return Path(explicit)
    local = Path(DEFAULT_CONFIG_FILE)
    return local if local.is_file() else None


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
    secret_key: SecretStr | None = Field(
        default=None,
        description="Key for CSRF tokens and pseudonyms; generated into data_dir if unset.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    default_language: Literal["sv", "en"] = "sv"
    session_idle_minutes: int = Field(default=30, ge=1)
    session_max_hours: int = Field(default=12, ge=1)
    lockout_threshold: int = Field(default=5, ge=1, description="Failed logins before lock-out.")
    lockout_minutes: int = Field(default=15, ge=1)
    cookie_secure: bool = Field(
        default=True, description="Send cookies only over HTTPS (browsers allow localhost)."
    )
    pseudonym_key: SecretStr | None = Field(
        default=None,
        description="Key for pseudonyms and keyed hashes; derived from secret_key if unset. "
        "Keep it: a new key gives every person new pseudonyms.",
    )
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
    cases_register: Path | None = Field(
        default=None, description="TOML register of forbidden features and fairness limits.")
    api_tokens: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Organisation name -> API token for the JSON API.",
    )

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
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir

    def resolved_secret_key(self) -> bytes:
        """The configured key, or one generated once and kept (mode 0600) in the data folder."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        key_file = self.ensure_data_dir() / "secret.key"
        if not key_file.exists():
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return key_file.read_text().strip().encode()


def pseudonym_key(settings: Settings) -> bytes:
    """The pseudonym key: configured, or derived from the secret key for this one purpose."""
    if settings.pseudonym_key is not None:
        return settings.pseudonym_key.get_secret_value().encode()
    import hashlib
    import hmac

    return hmac.new(settings.resolved_secret_key(), b"pseudonyms", hashlib.sha256).digest()


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
        elif isinstance(value, dict):
            text = ", ".join(f"{key}=***" for key in value) or "(inga)"
        elif value is None:
            text = "(inte satt)"
        else:
            text = str(value)
        shown[name] = text
    shown["database_url"] = _mask_url(settings.sqlalchemy_url)
    return shown
