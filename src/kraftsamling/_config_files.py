"""Reading the configuration files people edit, with Swedish messages when they are wrong."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

__all__ = ["read_toml"]


def read_toml(path: Path, *, kind: str) -> dict[str, Any]:
    """The TOML file at ``path``; ``kind`` names it in errors ("Regelfilen")."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ValueError(f"{kind} '{path}' finns inte.") from None
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"'{path}' är inte giltig TOML: {error}") from None
