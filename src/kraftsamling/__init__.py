"""Kraftsamling: AI on Swedish welfare data, on your own machine, lawfully and safely."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kraftsamling")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = ["__version__"]
