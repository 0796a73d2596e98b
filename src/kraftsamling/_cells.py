"""Cells that a spreadsheet will not run: OWASP's rule against CSV (formula) injection.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
written with a leading ``'``, so Excel and LibreOffice show it as text instead of
evaluating it (``=HYPERLINK(...)``, ``@SUM(...)``, ``-2+3``). Numbers stay numbers. Every
CSV the toolkit exports (tables, the audit log, scores, chat analyses) goes through here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import pandas as pd

__all__ = ["FORMULA_STARTS", "FormulaSafeWriter", "formula_safe", "safe_cell", "safe_frame"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` unchanged unless it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Writer(Protocol):
    def writerow(self, row: Any, /) -> Any: ...


class FormulaSafeWriter:
    """A ``csv.writer`` or ``csv.DictWriter`` whose every row passes :func:`safe_cell`."""

    def __init__(self, writer: _Writer) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[Any] | Mapping[str, Any]) -> Any:
        if isinstance(row, Mapping):
            return self._writer.writerow({k: safe_cell(v) for k, v in row.items()})
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any] | Mapping[str, Any]]) -> None:
        for row in rows:
            self.writerow(row)

    def writeheader(self) -> Any:
        return self._writer.writeheader()  # type: ignore[attr-defined]


def formula_safe(writer: _Writer) -> FormulaSafeWriter:
    return FormulaSafeWriter(writer)


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (and column names) pass :func:`safe_cell`."""
    result = frame.copy()
    for column in result.columns:
        if result[column].dtype == object or pd.api.types.is_string_dtype(result[column]):
            result[column] = result[column].map(safe_cell)
    result.columns = [safe_cell(c) for c in result.columns]
    return result
