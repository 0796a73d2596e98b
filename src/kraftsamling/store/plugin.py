"""The platform as a plugin: ``db``, ``users``, ``data`` and ``audit``; its own tables."""

from kraftsamling.plugins import ModulePlugin

__all__ = ["plugin"]

plugin = ModulePlugin(
    name="platform",
    commands={"db": "kraftsamling.store.cli:db_app", "users": "kraftsamling.store.cli:users_app",
              "data": "kraftsamling.tabular.cli:data_app",
              "audit": "kraftsamling.store.cli:audit_app"},
    tables=[f"kraftsamling.store.models:{name}" for name in (
        "User", "WebSession", "AuditEvent", "ImportedTable", "ImportedRow", "Pseudonym")]
    + ["kraftsamling.store._rate_buckets:RateBucket"],
    schemas=["kraftsamling.tabular:PERSONS_SCHEMA"],
    settings=["data_dir", "database_url", "secret_key", "keys_dir", "audit_key", "host", "port",
              "default_language", "session_idle_minutes", "session_max_hours",
              "lockout_threshold", "lockout_minutes", "login_client_failures",
              "cookie_secure", "public_url", "api_tokens", "cache_dir"],
)
