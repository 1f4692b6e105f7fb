"""Weighting steps replayed on tables of rows, with their variance residuals.

A step maps a row's current weight and calibration cell to its new weight,
so it gives the same weights on microdata and on sufficient statistics.
Calibration steps also return the residualizer R's ``svyrecvar`` applies to
influence values (post-stratum means; 10 backfitting sweeps over raking
margins). Factors are computed in :mod:`analysis.stats.weighting`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .variance import group_sum

__all__ = ["PostStratification", "Raking", "Trimming"]

_RAKE_BACKFIT_SWEEPS = 10  # fixed in R's svyrecvar


def _cell_index(keys: pd.DataFrame, cells: pd.MultiIndex) -> np.ndarray:
    """Position in ``cells`` of each row of ``keys`` (-1 when absent)."""
    return cells.get_indexer(pd.MultiIndex.from_frame(keys))


@dataclass(frozen=True)
class _PostStratResidual:
    cell: np.ndarray
    n_cells: int
    weight: np.ndarray
    old_weight: np.ndarray

    def adjust(
        self, total: np.ndarray, unit: np.ndarray, count: np.ndarray
    ) -> np.ndarray:
        psw = np.where((self.weight == 0) & (self.old_weight == 0), 1.0, self.weight)
        current = total + count[:, None] * unit
        numerator = group_sum(
            self.cell, current * (self.old_weight / psw)[:, None], self.n_cells
        )
        denominator = np.bincount(
            self.cell, weights=count * self.old_weight, minlength=self.n_cells
        )
        means = numerator / denominator[:, None]
        return unit - psw[:, None] * means[self.cell]


@dataclass(frozen=True)
class _RakeResidual:
    """R's raking residuals, computed on the joint cells of the margins.

    R sweeps 10 times over the margins: ``x <- x - psw * ave(x / psw,
    margin)``. Since ``psw = w_before * G_m(cell)``, every sweep only needs
    cell totals of ``x / w_before``, so the backfitting runs on the cells and
    the rows are touched twice.
    """

    cell: np.ndarray  # joint cell of each row
    before: np.ndarray  # weight of each row before raking
    cumulative: np.ndarray  # cells x margins: psw / w_before after margin m
    categories: tuple[tuple[np.ndarray, int], ...]  # category of each cell

    def adjust(
        self, total: np.ndarray, unit: np.ndarray, count: np.ndarray
    ) -> np.ndarray:
        n_cells = len(self.cumulative)
        current = total + count[:, None] * unit
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = np.where(
                self.before[:, None] > 0, current / self.before[:, None], 0.0
            )
        cell_total = group_sum(self.cell, scaled, n_cells)
        cell_size = np.bincount(self.cell, weights=count, minlength=n_cells)
        shift = np.zeros_like(cell_total)
        for _ in range(_RAKE_BACKFIT_SWEEPS):
            for m, (codes, n_codes) in enumerate(self.categories):
                g = self.cumulative[:, m][:, None]
                ratio = (cell_total - cell_size[:, None] * shift) / g
                sums = group_sum(codes, ratio, n_codes)
                sizes = np.bincount(codes, weights=cell_size, minlength=n_codes)
                shift = shift + g * (sums / sizes[:, None])[codes]
        return unit - self.before[:, None] * shift[self.cell]


@dataclass(frozen=True)
class PostStratification:
    """Post-stratification step: weights times :math:`N_c/\\hat N_c` per cell."""

    variables: tuple[str, ...]
    factors: pd.Series

    def apply(
        self, keys: pd.DataFrame, weight: np.ndarray
    ) -> tuple[np.ndarray, object]:
        index = _cell_index(keys[list(self.variables)], self.factors.index)
        if np.any(index < 0):
            raise ValueError(
                f"rows fall outside the post-strata of {list(self.variables)}"
            )
        new = weight * self.factors.to_numpy()[index]
        residual = _PostStratResidual(index, len(self.factors), new, weight)
        return new, residual


@dataclass(frozen=True)
class Raking:
    """Raking step: weights times the IPF factor of their joint margin cell."""

    variables: tuple[str, ...]
    factors: pd.DataFrame  # margin columns + cumulative factor per margin
    sweeps: int

    def apply(
        self, keys: pd.DataFrame, weight: np.ndarray
    ) -> tuple[np.ndarray, object]:
        cells = pd.MultiIndex.from_frame(self.factors[list(self.variables)])
        index = _cell_index(keys[list(self.variables)], cells)
        if np.any(index < 0):
            raise ValueError(
                f"rows fall outside the raking cells {list(self.variables)}"
            )
        cumulative = self.factors[list(range(len(self.variables)))].to_numpy()
        categories = []
        for name in self.variables:
            codes, uniques = pd.factorize(self.factors[name], use_na_sentinel=False)
            categories.append((codes.astype(np.int64), len(uniques)))
        new = weight * cumulative[index, -1]
        residual = _RakeResidual(index, weight, cumulative, tuple(categories))
        return new, residual


@dataclass(frozen=True)
class Trimming:
    """Trimming step: rounds of clipping to [lower, upper] and sharing the excess.

    Round ``k`` clips the weights outside the bounds and adds ``shifts[k]`` to
    the others (one round unless ``strict``), as R's ``trimWeights``.
    """

    lower: float
    upper: float
    shifts: tuple[float, ...]
    variables: tuple[str, ...] = ()

    def apply(self, keys: pd.DataFrame, weight: np.ndarray) -> tuple[np.ndarray, None]:
        for shift in self.shifts:
            outside = (weight < self.lower) | (weight > self.upper)
            weight = np.where(
                outside, np.clip(weight, self.lower, self.upper), weight + shift
            )
        return weight, None
