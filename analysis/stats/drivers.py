"""Key drivers: how much each dimension explains of overall satisfaction.

Both measures work on the weighted correlation matrix of the dimension scores
and the overall rating, so replicate estimates for the intervals only need the
per-cluster sums of :mod:`analysis.stats.moments`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import factorial
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats.moments import (
    cluster_moments,
    correlation,
    covariance,
    numeric_matrix,
)

__all__ = [
    "DriverResult",
    "importance_from_sums",
    "johnson_weights",
    "lmg",
    "relative_importance",
]

Method = Literal["lmg", "relative_weights"]
Interval = Literal["bootstrap", "jackknife", "none"]
_METHODS = ("lmg", "relative_weights")
_INTERVALS = ("bootstrap", "jackknife", "none")
_MAX_PREDICTORS = 15


def _subset_r2(corr: np.ndarray) -> np.ndarray:
    """R² of every subset of predictors (bit mask order), any leading axes."""
    p = corr.shape[-1] - 1
    r2 = np.zeros((*corr.shape[:-2], 2**p))
    for mask in range(1, 2**p):
        cols = [j for j in range(p) if mask >> j & 1]
        rxx = corr[..., cols, :][..., :, cols]
        rxy = corr[..., cols, p]
        beta = np.linalg.solve(rxx, rxy[..., None])[..., 0]
        r2[..., mask] = np.sum(beta * rxy, axis=-1)
    return r2


def lmg(corr: np.ndarray) -> np.ndarray:
    """Shapley decomposition of R² (LMG) from a correlation matrix.

    Parameters
    ----------
    corr : ndarray, shape (..., p + 1, p + 1)
        Correlations of the p predictors followed by the outcome (last).

    Returns
    -------
    ndarray, shape (..., p)
        Each predictor's share of R²; the shares sum to the full R².

    Notes
    -----
    .. math:: \\mathrm{LMG}_j = \\sum_{S \\subseteq P \\setminus \\{j\\}}
              \\frac{|S|!\\,(p-|S|-1)!}{p!}\\,\\bigl(R^2_{S\\cup\\{j\\}} -
              R^2_S\\bigr), \\qquad R^2_S = r_{yS}^\\top R_{SS}^{-1} r_{yS}

    the average gain in R² from adding predictor :math:`j` over all orders of
    entry, computed from the :math:`2^p` subset regressions.

    References
    ----------
    Lindeman, R. H., Merenda, P. F. & Gold, R. Z. (1980). *Introduction to
    Bivariate and Multivariate Analysis*. Scott, Foresman.

    Examples
    --------
    >>> c = np.array([[1.0, 0.0, 0.6], [0.0, 1.0, 0.3], [0.6, 0.3, 1.0]])
    >>> lmg(c).round(4).tolist()
    [0.36, 0.09]
    """
    p = corr.shape[-1] - 1
    if not 1 <= p <= _MAX_PREDICTORS:
        raise ValueError(f"LMG needs 1 to {_MAX_PREDICTORS} predictors, got {p}")
    r2 = _subset_r2(corr)
    masks = np.arange(2**p)
    size = np.array([bin(m).count("1") for m in masks])
    shapley = np.array(
        [factorial(s) * factorial(p - s - 1) / factorial(p) for s in range(p)]
    )
    out = np.empty((*corr.shape[:-2], p))
    for j in range(p):
        without = masks[(masks >> j & 1) == 0]
        gain = r2[..., without | (1 << j)] - r2[..., without]
        out[..., j] = gain @ shapley[size[without]]
    return out


def johnson_weights(corr: np.ndarray) -> np.ndarray:
    """Johnson's relative weights from a correlation matrix.

    Parameters
    ----------
    corr : ndarray, shape (..., p + 1, p + 1)
        Predictors first, outcome last.

    Returns
    -------
    ndarray, shape (..., p)
        Raw relative weights; they sum to R².

    Notes
    -----
    With :math:`R_{xx} = V \\operatorname{diag}(\\lambda) V^\\top` let
    :math:`\\Lambda = V \\operatorname{diag}(\\sqrt\\lambda) V^\\top` (the
    loadings of the predictors on their closest orthogonal counterparts) and
    :math:`\\beta = \\Lambda^{-1} r_{xy}`; then
    :math:`\\varepsilon_j = \\sum_k \\Lambda_{jk}^2 \\beta_k^2`.

    References
    ----------
    Johnson, J. W. (2000). A heuristic method for estimating the relative
    weight of predictor variables in multiple regression. *Multivariate
    Behavioral Research* 35, 1-19.

    Examples
    --------
    >>> c = np.array([[1.0, 0.0, 0.6], [0.0, 1.0, 0.3], [0.6, 0.3, 1.0]])
    >>> johnson_weights(c).round(4).tolist()
    [0.36, 0.09]
    """
    p = corr.shape[-1] - 1
    rxx, rxy = corr[..., :p, :p], corr[..., :p, p]
    eigval, eigvec = np.linalg.eigh(rxx)
    root = eigvec * np.sqrt(np.clip(eigval, 0, None))[..., None, :]
    loadings = root @ np.swapaxes(eigvec, -1, -2)
    beta = np.linalg.solve(loadings, rxy[..., None])[..., 0]
    return (loadings**2 * (beta**2)[..., None, :]).sum(axis=-1)


@dataclass(frozen=True)
class DriverResult:
    """Relative importance per dimension.

    ``table``: ``dimension, importance`` (share of R² explained),
    ``share`` (importance / R², sums to one), ``se, ci_low, ci_high`` (of
    ``importance``). ``r2`` is the model's R².
    """

    table: pd.DataFrame
    r2: float
    method: Method
    interval: Interval
    replicates: int


def _replicate_totals(
    unit_sums: np.ndarray,
    unit_strata: np.ndarray,
    interval: Interval,
    replicates: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Replicate totals (R, K) of the unit sums and their variance coefficients."""
    labels, stratum = np.unique(unit_strata, return_inverse=True)
    size = np.bincount(stratum).astype(float)
    if size.min() < 2:
        raise ValueError("each stratum needs at least two clusters for intervals")
    if interval == "jackknife":  # JKn: delete one unit, reweight its stratum
        by_stratum = np.zeros((len(labels), unit_sums.shape[1]))
        np.add.at(by_stratum, stratum, unit_sums)
        scale = (size / (size - 1))[stratum][:, None]
        own = by_stratum[stratum]
        totals = unit_sums.sum(axis=0) - own + scale * (own - unit_sums)
        return totals, ((size - 1) / size)[stratum]
    rng = np.random.default_rng(seed)  # Rao-Wu bootstrap: n_h - 1 draws
    n_units = len(unit_sums)
    chunk = max(1, min(replicates, 20_000_000 // n_units))
    parts = []
    for start in range(0, replicates, chunk):
        rows = min(chunk, replicates - start)
        factors = np.empty((rows, n_units))
        for h in range(len(labels)):
            units = np.flatnonzero(stratum == h)
            n_h = len(units)
            draws = rng.multinomial(n_h - 1, np.full(n_h, 1 / n_h), size=rows)
            factors[:, units] = draws * (n_h / (n_h - 1))
        parts.append(factors @ unit_sums)
    return np.vstack(parts), np.full(replicates, 1.0 / (replicates - 1))


def _importance(corr: np.ndarray, method: Method) -> np.ndarray:
    return lmg(corr) if method == "lmg" else johnson_weights(corr)


def _correlation_of_totals(totals: np.ndarray, k: int) -> np.ndarray:
    s0, s1 = totals[..., 0], totals[..., 1 : k + 1]
    s2 = totals[..., k + 1 :].reshape(*totals.shape[:-1], k, k)
    return correlation(covariance(s0, s1, s2))


def _resampling_units(
    n: int,
    clusters: np.ndarray | None,
    strata: np.ndarray | None,
    interval: Interval,
    groups: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Unit code per respondent and stratum code per unit."""
    stratum = np.zeros(n, np.intp) if strata is None else pd.factorize(strata)[0]
    if clusters is not None:
        cluster = pd.factorize(clusters)[0]
        codes, first = _pair_codes(stratum, cluster)
        if len(np.unique(cluster[first])) < len(first):
            raise ValueError("clusters must be nested in strata")
        return codes, stratum[first]
    # random groups (Kott's delete-a-group jackknife; a grouped bootstrap):
    # resampling a million respondents one by one costs far more than it adds
    order = np.random.default_rng(seed).permutation(n)
    group = np.empty(n, np.intp)
    group[order] = np.arange(n) % groups
    codes, first = _pair_codes(stratum, group)
    return codes, stratum[first]


def _pair_codes(outer: np.ndarray, inner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the (outer, inner) pairs and the first row of each pair."""
    combined = outer.astype(np.int64) * (int(inner.max()) + 1) + inner
    codes, _ = pd.factorize(combined)  # codes in order of first appearance
    return codes, pd.Series(codes).drop_duplicates().index.to_numpy()


def relative_importance(
    dimensions: pd.DataFrame,
    overall: pd.Series | np.ndarray,
    weights: pd.Series | np.ndarray | None = None,
    method: Method = "lmg",
    interval: Interval = "bootstrap",
    clusters: pd.Series | np.ndarray | None = None,
    strata: pd.Series | np.ndarray | None = None,
    replicates: int = 200,
    confidence: float = 0.95,
    groups: int = 100,
    seed: int = 0,
) -> DriverResult:
    """Relative importance of each dimension for overall satisfaction.

    Parameters
    ----------
    dimensions : DataFrame
        Dimension scores, one column per dimension.
    overall : array-like
        The overall-satisfaction rating (or its 0-100 score).
    weights : array-like, optional
        Sampling weights; correlations are weighted.
    method : {"lmg", "relative_weights"}
        Shapley decomposition of R² (:func:`lmg`) or Johnson's relative
        weights (:func:`johnson_weights`).
    interval : {"bootstrap", "jackknife", "none"}
        Rao-Wu rescaling bootstrap (percentile interval) or stratified
        delete-one-cluster jackknife (JKn, t interval), resampling ``clusters``
        within ``strata``. Without clusters respondents are first put into
        ``groups`` random groups per stratum, which are resampled or deleted
        (pass ``clusters=np.arange(n)`` to resample single respondents).
    clusters, strata : array-like, optional
        PSU and stratum of each respondent, as in the survey design.
    replicates : int
        Bootstrap replicates.
    confidence : float
    groups : int
        Random groups per stratum when no clusters are given.
    seed : int

    Returns
    -------
    DriverResult

    Notes
    -----
    Respondents with a missing dimension or overall rating are left out. The
    jackknife variance is
    :math:`\\sum_h \\frac{n_h-1}{n_h}\\sum_{i \\in h}(\\hat\\theta_{(hi)} -
    \\hat\\theta)^2`, its interval uses :math:`t` with (units - strata) d.f.

    References
    ----------
    Lindeman, Merenda & Gold (1980); Johnson (2000); Lumley, T. (2010).
    *Complex Surveys*, ch. 2 (replicate weights). Wiley.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame(rng.normal(size=(300, 2)), columns=["staff", "price"])
    >>> y = 2 * d.staff + d.price + rng.normal(size=300)
    >>> r = relative_importance(d, y, interval="jackknife")
    >>> r.table.dimension[r.table.importance.idxmax()]
    'staff'
    """
    if interval not in _INTERVALS:  # before grouping respondents for it
        raise ValueError(f"interval must be one of {_INTERVALS}, got {interval!r}")
    names = [str(c) for c in dimensions.columns]
    if len(overall) != len(dimensions):
        raise ValueError("overall must have one value per row of dimensions")
    values = np.column_stack(
        [numeric_matrix(dimensions, "dimension"), np.asarray(overall, float)]
    )
    w = np.ones(len(values)) if weights is None else np.asarray(weights, float)
    keep = ~np.isnan(values).any(axis=1) & ~np.isnan(w)
    values, w = values[keep], w[keep]
    clusters, strata = (
        None if a is None else np.asarray(a)[keep] for a in (clusters, strata)
    )
    codes, unit_strata = _resampling_units(
        len(values), clusters, strata, interval, groups, seed
    )
    m = cluster_moments(values, w, codes)
    return importance_from_sums(
        names,
        m.s0,
        m.s1,
        m.s2,
        unit_strata,
        method=method,
        interval=interval,
        replicates=replicates,
        confidence=confidence,
        seed=seed,
    )


def importance_from_sums(
    names: Sequence[str],
    s0: np.ndarray,
    s1: np.ndarray,
    s2: np.ndarray,
    unit_strata: np.ndarray | None = None,
    method: Method = "lmg",
    interval: Interval = "jackknife",
    replicates: int = 200,
    confidence: float = 0.95,
    seed: int = 0,
) -> DriverResult:
    """Relative importance from per-unit weighted sums (no respondent data).

    Parameters
    ----------
    names : sequence of str
        The p dimensions (predictors).
    s0 : ndarray, shape (G,)
        Sum of weights of each resampling unit (PSU), complete cases only.
    s1 : ndarray, shape (G, p + 1)
        Weighted sums of the p dimension scores and, last, the outcome.
    s2 : ndarray, shape (G, p + 1, p + 1)
        Weighted sums of their cross-products. The sums may be centred at any
        common point or not at all (a database ``SUM(w * x * y)``).
    unit_strata : ndarray, shape (G,), optional
        Stratum of each unit; one stratum when omitted.
    method, interval, replicates, confidence, seed
        As in :func:`relative_importance`.

    Returns
    -------
    DriverResult

    Notes
    -----
    The point estimate uses the totals :math:`S_0 = \\sum_g s_{0g}` etc.:
    :math:`C = S_2/S_0 - \\bar z\\bar z^\\top`, then the correlation matrix.
    Replicates reweight the units' sums (see :func:`relative_importance`),
    so an SQL ``GROUP BY`` per PSU is all a database has to return.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> x = rng.normal(size=(400, 2))
    >>> y = 2 * x[:, 0] + x[:, 1] + rng.normal(size=400)
    >>> v = np.column_stack([x, y])
    >>> m = cluster_moments(v, clusters=np.arange(400) % 20)
    >>> r = importance_from_sums(["a", "b"], m.s0, m.s1, m.s2)
    >>> full = relative_importance(pd.DataFrame(x, columns=["a", "b"]), y,
    ...                            interval="none")
    >>> bool(np.allclose(r.table.importance, full.table.importance))
    True
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    if interval not in _INTERVALS:
        raise ValueError(f"interval must be one of {_INTERVALS}, got {interval!r}")
    names = [str(n) for n in names]
    s0, s1, s2 = (np.asarray(a, float) for a in (s0, s1, s2))
    k = len(names) + 1
    if s1.shape != (len(s0), k) or s2.shape != (len(s0), k, k):
        raise ValueError(
            f"s1 must be (units, {k}) and s2 (units, {k}, {k}) for {k - 1} names"
        )
    strata = np.zeros(len(s0), np.intp) if unit_strata is None else unit_strata
    unit_sums = np.column_stack([s0, s1, s2.reshape(len(s0), k * k)])
    point = _importance(_correlation_of_totals(unit_sums.sum(axis=0), k), method)
    r2 = float(point.sum())
    table = pd.DataFrame({"dimension": names, "importance": point})
    table = table.assign(share=point / r2)
    if interval != "none":
        totals, coef = _replicate_totals(unit_sums, strata, interval, replicates, seed)
        reps = _importance(_correlation_of_totals(totals, k), method)
        df = len(unit_sums) - len(np.unique(strata))
        table = table.join(_intervals(point, reps, coef, interval, confidence, df))
        return DriverResult(table, r2, method, interval, len(reps))
    return DriverResult(table, r2, method, interval, 0)


def _intervals(
    point: np.ndarray,
    reps: np.ndarray,
    coef: np.ndarray,
    interval: Interval,
    confidence: float,
    df: int,
) -> pd.DataFrame:
    if interval == "bootstrap":
        se = reps.std(axis=0, ddof=1)
        tail = (1 - confidence) / 2
        low, high = np.quantile(reps, [tail, 1 - tail], axis=0)
    else:
        se = np.sqrt(coef @ (reps - point) ** 2)
        half = stats.t.ppf((1 + confidence) / 2, max(df, 1)) * se
        low, high = point - half, point + half
    return pd.DataFrame({"se": se, "ci_low": low, "ci_high": high})
