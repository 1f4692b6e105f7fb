"""Calibration of survey weights: post-stratification, raking, trimming.

Each operation is recorded as a *step*, a function of a row's current weight
and calibration cell, so it can be replayed exactly on any table of rows
(microdata or sufficient statistics). Calibration steps also carry what the
variance needs: R's ``svyrecvar`` replaces influence values by their residuals
from the calibration (post-stratum means; 10 backfitting sweeps over the
raking margins), so standard errors after calibration are not the naive ones
on the final weights.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "as_population",
    "poststratification_factors",
    "rake_factors",
    "trim_rounds",
    "trim_shift",
]


def _label(variables: Sequence[str], cell: object) -> str:
    values = cell if isinstance(cell, tuple) else (cell,)
    return ", ".join(f"{v}={c!r}" for v, c in zip(variables, values, strict=True))


def as_population(
    variables: Sequence[str], population: Mapping[object, float] | pd.Series
) -> pd.Series:
    """Population totals as a Series indexed by cell (a MultiIndex).

    Keys are category values (one variable) or tuples (crossed variables).

    Examples
    --------
    >>> as_population(["sex"], {"f": 6.0, "m": 4.0}).to_dict()
    {('f',): 6.0, ('m',): 4.0}
    """
    if isinstance(population, pd.Series):
        keys = list(population.index)
        values = population.to_numpy(dtype=float)
    else:
        keys = list(population.keys())
        values = np.asarray(list(population.values()), dtype=float)
    tuples = [k if isinstance(k, tuple) else (k,) for k in keys]
    for key in tuples:
        if len(key) != len(variables):
            raise ValueError(
                f"population cell {key!r} does not match variables {list(variables)}"
            )
    if np.any(~np.isfinite(values)) or np.any(values < 0):
        raise ValueError(
            f"population totals for {list(variables)} must be finite and >= 0"
        )
    index = pd.MultiIndex.from_tuples(tuples, names=list(variables))
    return pd.Series(values, index=index)


def _cell_index(keys: pd.DataFrame, cells: pd.MultiIndex) -> np.ndarray:
    """Position in ``cells`` of each row of ``keys`` (-1 when absent)."""
    rows = pd.MultiIndex.from_frame(keys)
    return cells.get_indexer(rows)


def _match_cells(
    variables: Sequence[str],
    row_cells: pd.DataFrame,
    row_weight: np.ndarray,
    population: pd.Series,
    what: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Index rows into population cells, checking both directions."""
    index = _cell_index(row_cells, population.index)
    positive = row_weight > 0
    if np.any((index < 0) & positive):
        bad = row_cells[(index < 0) & positive].iloc[0]
        raise ValueError(
            f"{what} cell {_label(variables, tuple(bad))} has respondents "
            "but no population total"
        )
    sampled = np.bincount(
        index[index >= 0], weights=row_weight[index >= 0], minlength=len(population)
    )
    empty = (sampled <= 0) & (population.to_numpy() > 0)
    if np.any(empty):
        cell = population.index[int(np.argmax(empty))]
        raise ValueError(
            f"{what} category {_label(variables, cell)} has no respondents "
            f"(population total {population.iloc[int(np.argmax(empty))]:g})"
        )
    zero_pop = index >= 0
    zero_pop[zero_pop] = population.to_numpy()[index[zero_pop]] <= 0
    if np.any(zero_pop & positive):
        bad = row_cells[zero_pop & positive].iloc[0]
        raise ValueError(
            f"{what} cell {_label(variables, tuple(bad))} has respondents "
            "but a zero population total"
        )
    return index, sampled


def poststratification_factors(
    variables: Sequence[str],
    row_cells: pd.DataFrame,
    row_weight: np.ndarray,
    population: pd.Series,
) -> pd.Series:
    """Post-stratification factor :math:`N_c/\\hat N_c` of every cell.

    ``row_weight`` is the total weight of each row (weight times count).

    Notes
    -----
    :math:`g_c = N_c / \\sum_{i \\in c} w_i` (Holt & Smith 1979); R's
    ``postStratify`` reweighting.

    References
    ----------
    Holt, D., & Smith, T. M. F. (1979). Post stratification. *JRSS A*, 142,
    33–46.

    Examples
    --------
    >>> cells = pd.DataFrame({"sex": ["f", "m", "m"]})
    >>> population = as_population(["sex"], {"f": 60.0, "m": 40.0})
    >>> poststratification_factors(["sex"], cells, np.array([30.0, 10.0, 10.0]),
    ...                             population).round(2).tolist()
    [2.0, 2.0]
    """
    _, sampled = _match_cells(
        variables, row_cells, row_weight, population, "post-stratification"
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(sampled > 0, population.to_numpy() / sampled, 1.0)
    return pd.Series(factor, index=population.index)


def rake_factors(
    margins: Mapping[str, pd.Series],
    row_cells: pd.DataFrame,
    row_weight: np.ndarray,
    *,
    max_iter: int,
    tol: float,
) -> tuple[pd.DataFrame, int]:
    """Iterative proportional fitting on the joint cells of the margins.

    Returns the cumulative factor of each joint cell after each margin of the
    final sweep (columns ``0 .. M-1``; the last is the raking factor) and the
    number of sweeps. Converged when the joint table changes by less than
    ``tol * total weight`` (``tol < 1``) or ``tol`` (``tol >= 1``) in a
    sweep, as R's ``rake(control = list(epsilon = tol))``.

    Notes
    -----
    Sweep :math:`t` post-stratifies to each margin :math:`m` in turn,
    :math:`w \\leftarrow w\\,N_{mk}/\\hat N_{mk}` for category :math:`k`
    (Deming & Stephan 1940); the cumulative factors are products of these.

    References
    ----------
    Deming, W. E., & Stephan, F. F. (1940). On a least squares adjustment of a
    sampled frequency table when the expected marginal totals are known.
    *Ann. Math. Stat.*, 11, 427–444.

    Examples
    --------
    >>> cells = pd.DataFrame({"sex": ["f", "m", "f", "m"],
    ...                       "age": ["y", "y", "o", "o"]})
    >>> margins = {"sex": as_population(["sex"], {"f": 60, "m": 40}),
    ...            "age": as_population(["age"], {"y": 50, "o": 50})}
    >>> factors, sweeps = rake_factors(margins, cells, np.ones(4), max_iter=50,
    ...                                tol=1e-12)
    >>> sorted(zip(factors["sex"], factors["age"], factors[1].round(6).tolist()))
    [('f', 'o', 30.0), ('f', 'y', 30.0), ('m', 'o', 20.0), ('m', 'y', 20.0)]
    """
    variables = list(margins)
    codes, first = _joint_cells(row_cells[variables])
    cells = row_cells[variables].iloc[first].reset_index(drop=True)
    n_cells = len(first)
    table = np.bincount(codes, weights=row_weight, minlength=n_cells)
    margin_codes = []
    for name, population in margins.items():
        index, _ = _match_cells(
            [name],
            row_cells[[name]],
            row_weight,
            population,
            f"raking margin '{name}':",
        )
        cell_index = np.empty(n_cells, dtype=np.int64)
        cell_index[codes] = index
        margin_codes.append((name, cell_index, population.to_numpy()))
    epsilon = tol * table.sum() if tol < 1 else tol
    factor = np.ones(n_cells)
    old = table
    cumulative: list[np.ndarray] = []
    for sweep in range(1, max_iter + 1):
        cumulative = []
        for _, cell_index, totals in margin_codes:
            current = np.bincount(
                cell_index, weights=table * factor, minlength=len(totals)
            )
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(current > 0, totals / current, 1.0)
            factor = factor * ratio[cell_index]
            cumulative.append(factor)
        new = table * factor
        if np.max(np.abs(old - new)) < epsilon:
            _check_margins_met(margin_codes, new)
            frame = pd.DataFrame(dict(enumerate(cumulative)))
            return pd.concat([cells, frame], axis=1), sweep
        old = new
    worst = max(
        margin_codes,
        key=lambda m: np.max(
            np.abs(np.bincount(m[1], weights=old, minlength=len(m[2])) - m[2])
            / np.maximum(m[2], 1e-300)
        ),
    )
    raise ValueError(
        f"raking did not converge in {max_iter} iterations (tol={tol:g}); "
        f"margin '{worst[0]}' is furthest from its population totals"
    )


def _check_margins_met(
    margin_codes: list[tuple[str, np.ndarray, np.ndarray]], table: np.ndarray
) -> None:
    """IPF can settle into a cycle when the margins cannot all be met."""
    for name, cell_index, totals in margin_codes:
        reached = np.bincount(cell_index, weights=table, minlength=len(totals))
        gap = np.max(np.abs(reached - totals))
        if gap > 1e-6 * totals.sum():
            raise ValueError(
                f"raking did not converge: margin '{name}' stays {gap:g} from its "
                "population totals; the respondents cannot meet all margins"
            )


def _joint_cells(keys: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    from .sufficient import group_codes

    return group_codes(keys)


def trim_shift(
    weight: np.ndarray, count: np.ndarray, lower: float, upper: float
) -> float:
    """Amount added to each untrimmed weight, as R's ``trimWeights``.

    Notes
    -----
    :math:`\\delta = \\sum_i (w_i - \\tilde w_i) / \\#\\{i: L \\le w_i \\le U\\}`
    with :math:`\\tilde w_i = \\min(U, \\max(L, w_i))`.

    References
    ----------
    Potter, F. J. (1990). A study of procedures to identify and trim extreme
    sampling weights. *Proc. Survey Research Methods Section, ASA*.

    Examples
    --------
    >>> trim_shift(np.array([1.0, 10.0]), np.array([2.0, 1.0]), 0.0, 5.0)
    2.5
    """
    clipped = np.clip(weight, lower, upper)
    outside = (weight < lower) | (weight > upper)
    inside = count[~outside].sum()
    if inside == 0:
        raise ValueError(
            f"trimming to [{lower:g}, {upper:g}] leaves no untrimmed weight "
            "to take the excess"
        )
    return float(((weight - clipped) * count).sum() / inside)


def trim_rounds(
    weight: np.ndarray, count: np.ndarray, lower: float, upper: float, strict: bool
) -> tuple[float, ...]:
    """Shifts of the trimming rounds; strict rounds go on until none is outside.

    Raises ``ValueError`` when the bounds cannot hold the total weight
    (trimming keeps it), which would make strict trimming cycle for ever.

    Notes
    -----
    Each round applies :func:`trim_shift`; R's ``trimWeights(strict=TRUE)``
    repeats until no weight is outside :math:`[L, U]` (Potter 1990).

    Examples
    --------
    >>> trim_rounds(np.array([1.0, 10.0]), np.array([2.0, 1.0]), 0.0, 5.0, False)
    (2.5,)
    """
    total, n = float((weight * count).sum()), float(count.sum())
    if strict and not (
        n * lower <= total * (1 + 1e-12) and total <= n * upper * (1 + 1e-12)
    ):
        raise ValueError(
            f"trim_weights: bounds [{lower:g}, {upper:g}] cannot hold the total "
            f"weight {total:g} of {n:g} respondents (mean {total / n:g})"
        )
    shifts: list[float] = []
    for _ in range(10_000):
        outside = (weight < lower) | (weight > upper)
        if not outside.any():
            return tuple(shifts)
        shift = trim_shift(weight, count, lower, upper)
        shifts.append(shift)
        weight = np.where(outside, np.clip(weight, lower, upper), weight + shift)
        if not strict:
            return tuple(shifts)
    raise ValueError("trim_weights(strict=True) did not settle in 10000 rounds")
