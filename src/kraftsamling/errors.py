"""The words of an error as a person should read them."""

from __future__ import annotations

__all__ = ["error_text"]


def error_text(error: BaseException) -> str:
    """An error's message: a ``KeyError``'s own text without the quotes its ``str`` adds,
    anything else as it is, so a message that starts with a quoted file name keeps its
    opening quote ("'trasig_rad.csv' kunde inte läsas …")."""
    if isinstance(error, KeyError) and len(error.args) == 1 and isinstance(error.args[0], str):
        return error.args[0]
    return str(error)
