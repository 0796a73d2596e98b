"""Privacy as a plugin: ``kraftsamling privacy``."""

from kraftsamling.plugins import ModulePlugin

__all__ = ["plugin"]

plugin = ModulePlugin(
    name="privacy",
    commands={"privacy": "kraftsamling.privacy.cli:privacy_app"},
    settings=["pseudonym_key", "privacy_config"],
)
