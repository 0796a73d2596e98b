"""Per-person effects for small samples: Gaussian processes that extrapolate smoothly.

A municipality's intervention cohort is often a few hundred people. Tree models (and the
causal forest built on them) predict a constant beyond the data they saw, so a person whose
expected outcome lies in a steep part of the surface gets a poor effect estimate when the
model that predicts them never saw anyone like them — which cross-fitting guarantees for the
extremes. A Gaussian process with one length scale per covariate plus a linear part follows
the surface's slope past the data instead, and gives each person's uncertainty for free.

Two structures are fitted and averaged, because neither wins everywhere on the validation
replications (``benchmarks/cases_ihdp_validation.py``):

* ``separate`` — one process per arm (a T-learner), right when the arms' surfaces differ;
* ``shared`` — one process over covariates and treatment, a part shared by both arms plus a
  part per arm, each with its own learned length scales, right when the arms are alike and
  the smaller arm borrows strength from the larger.

The cost grows with the cube of the rows (and memory with rows² × covariates), so
:class:`~kraftsamling.cases.EffectEstimator` uses this only up to ``gp_max_rows`` rows.
"""

from __future__ import annotations

import warnings
from typing import Any, Literal

import numpy as np
from scipy import optimize, stats
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, DotProduct, Kernel, WhiteKernel
from sklearn.gaussian_process.kernels import ConstantKernel as Constant

from kraftsamling.cases._heap import kept_heap

__all__ = ["GaussianProcessEffect"]

Structure = Literal["averaged", "separate", "shared"]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]


class _BoundedLbfgs:
    """L-BFGS-B with an iteration cap: the fit converges in tens of steps, not thousands."""

    def __init__(self, max_iter: int) -> None:
        self.max_iter = max_iter

    def __call__(self, objective: Any, theta: FloatArray, bounds: FloatArray
                 ) -> tuple[FloatArray, float]:
        result = optimize.minimize(objective, theta, method="L-BFGS-B", jac=True,
                                   bounds=bounds, options={"maxiter": self.max_iter})
        return np.asarray(result.x, dtype=float), float(result.fun)


def _smooth(dimensions: int, longest: float) -> Kernel:
    return Constant(1.0) * RBF(np.ones(dimensions), length_scale_bounds=(1e-2, longest))


def _process(kernel: Kernel, max_iter: int, random_state: int) -> GaussianProcessRegressor:
    return GaussianProcessRegressor(kernel + DotProduct(sigma_0=1.0) + WhiteKernel(1.0),
                                    normalize_y=True, optimizer=_BoundedLbfgs(max_iter),
                                    random_state=random_state)


def _fitted(model: GaussianProcessRegressor, x: FloatArray, y: FloatArray
            ) -> GaussianProcessRegressor:
    # A length scale at its upper bound is how the fit switches a covariate off; sklearn
    # warns about it every time, which says nothing to the caseworker.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(x, y)


def _noise_variance(model: GaussianProcessRegressor, y: FloatArray) -> float:
    """The fitted outcome noise in the outcome's units (the fit works on standardised y)."""
    spread = float(np.var(y))
    return float(model.kernel_.k2.noise_level) * (spread if spread > 0 else 1.0)


class GaussianProcessEffect(BaseEstimator):  # type: ignore[misc]
    """Effect of a binary treatment per person from Gaussian processes, with 95 % intervals.

    ``structure`` is ``"averaged"`` (the default: mean of the two below), ``"separate"`` (one
    process per arm) or ``"shared"`` (one process over covariates and treatment).
    Covariates with more than two values are standardised; 0/1 indicators stay as they are.
    ``keep_freed_memory`` keeps large freed arrays in the heap during the fit (glibc only;
    ``kept_freed_memory_`` says whether it was applied).
    """

    def __init__(self, *, structure: Structure = "averaged", max_iter: int = 50,
                 random_state: int = 0, keep_freed_memory: bool = True) -> None:
        self.structure = structure
        self.max_iter = max_iter
        self.random_state = random_state
        self.keep_freed_memory = keep_freed_memory

    def fit(self, x: Any, treatment: Any, outcome: Any) -> GaussianProcessEffect:
        # The kernel's gradient arrays are built again at every optimiser step: with
        # ``keep_freed_memory`` (Linux/glibc) their freed pages stay in the heap meanwhile.
        with kept_heap(self.keep_freed_memory) as kept:
            self.kept_freed_memory_ = kept
            return self._fit(x, treatment, outcome)

    def _fit(self, x: Any, treatment: Any, outcome: Any) -> GaussianProcessEffect:
        if self.structure not in ("averaged", "separate", "shared"):
            raise ValueError("structure måste vara 'averaged', 'separate' eller 'shared'.")
        values = np.asarray(x, dtype=float)
        t = np.asarray(treatment, dtype=int)
        y = np.asarray(outcome, dtype=float)
        if values.ndim != 2 or len(values) != len(t) or len(y) != len(t):
            raise ValueError("Kovariater, insats och utfall måste ha lika många rader.")
        if not set(np.unique(t)) <= {0, 1} or np.bincount(t, minlength=2).min() < 2:
            raise ValueError("Insatsen måste vara 0/1 med minst två personer i varje grupp.")
        binary = np.all((values == 0) | (values == 1), axis=0)
        self.center_ = np.where(binary, 0.0, values.mean(axis=0))
        spread = values.std(axis=0)
        self.scale_ = np.where(binary | (spread == 0), 1.0, spread)
        z = (values - self.center_) / self.scale_
        dimensions = z.shape[1]
        self.arms_: list[GaussianProcessRegressor] = []
        self.arm_noise_: list[float] = []
        self.shared_: GaussianProcessRegressor | None = None
        self.shared_noise_ = 0.0
        if self.structure in ("averaged", "separate"):
            for arm in (0, 1):
                model = _process(_smooth(dimensions, 1e3), self.max_iter, self.random_state)
                self.arms_.append(_fitted(model, z[t == arm], y[t == arm]))
                self.arm_noise_.append(_noise_variance(model, y[t == arm]))
        if self.structure in ("averaged", "shared"):
            both = _smooth(dimensions + 1, 1e5) + _smooth(dimensions + 1, 1e3)
            self.shared_ = _fitted(_process(both, self.max_iter, self.random_state),
                                   np.column_stack([z, t]), y)
            self.shared_noise_ = _noise_variance(self.shared_, y)
        self.n_features_in_ = dimensions
        return self

    def _separate(self, z: FloatArray) -> tuple[FloatArray, FloatArray]:
        means, variances = [], []
        for model, noise in zip(self.arms_, self.arm_noise_, strict=True):
            mean, std = model.predict(z, return_std=True)
            means.append(np.asarray(mean, dtype=float))
            variances.append(np.clip(np.square(std) - noise, 0.0, None))
        return means[1] - means[0], variances[0] + variances[1]

    def _shared(self, z: FloatArray, chunk: int = 500) -> tuple[FloatArray, FloatArray]:
        assert self.shared_ is not None
        point = np.zeros(len(z))
        variance = np.zeros(len(z))
        for start in range(0, len(z), chunk):
            part = z[start:start + chunk]
            m = len(part)
            pairs = np.vstack([np.column_stack([part, np.ones(m)]),
                               np.column_stack([part, np.zeros(m)])])
            mean, cov = self.shared_.predict(pairs, return_cov=True)
            cov = np.asarray(cov, dtype=float)
            diagonal = np.diag(cov)
            # Var(f(x, 1) − f(x, 0)) with the noise the prediction adds to each taken out.
            both = diagonal[:m] + diagonal[m:] - 2 * np.diag(cov[:m, m:]) \
                - 2 * self.shared_noise_
            point[start:start + m] = mean[:m] - mean[m:]
            variance[start:start + m] = np.clip(both, 0.0, None)
        return point, variance

    def effect(self, x: Any) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Per-row effect with its 95 % interval."""
        values = np.asarray(x, dtype=float)
        if values.ndim != 2 or values.shape[1] != self.n_features_in_:
            raise ValueError(f"Modellen tränades på {self.n_features_in_} kovariater; "
                             f"fick {values.shape[-1]}.")
        z = (values - self.center_) / self.scale_
        parts = ([self._separate(z)] if self.arms_ else []) + \
            ([self._shared(z)] if self.shared_ is not None else [])
        point = np.mean([estimate for estimate, _ in parts], axis=0)
        # The two estimates are positively correlated; the mean of their standard errors
        # is the standard error of their average if they were perfectly so (an upper bound).
        se = np.mean([np.sqrt(variance) for _, variance in parts], axis=0)
        z95 = float(stats.norm.ppf(0.975))
        return point, point - z95 * se, point + z95 * se
