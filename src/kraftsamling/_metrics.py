"""Metrics every module reports the same way (one definition each)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["calibration_error"]


def calibration_error(y: Sequence[int] | np.ndarray[Any, Any],
                      p: Sequence[float] | np.ndarray[Any, Any], *, bins: int = 10) -> float:
    """Expected calibration error over equal-count bins of the predicted probability:
    |mean predicted − observed share| per bin, weighted by the bin's size. Cases report
    ten bins; the class twin, with few pupils, five."""
    y_arr, p_arr = np.asarray(y, float), np.asarray(p, float)
    if len(p_arr) == 0:
        raise ValueError("Inga förutsägelser att kalibrera.")
    order = np.argsort(p_arr, kind="stable")
    total = 0.0
    for part in np.array_split(order, bins):
        if len(part):
            total += len(part) / len(p_arr) * abs(float(p_arr[part].mean())
                                                  - float(y_arr[part].mean()))
    return total
