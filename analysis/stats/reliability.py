"""Internal consistency of each dimension: Cronbach's alpha and item statistics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.stats.moments import (
    cluster_moments,
    correlation,
    covariance,
    numeric_matrix,
)
from analysis.stats.scoring import Item

__all__ = [
    "AlphaResult",
    "alpha_from_covariance",
    "cronbach_alpha",
    "reliability_table",
]


@dataclass(frozen=True)
class AlphaResult:
    """Alpha of one set of items.

    ``items`` has one row per item with ``item_rest_r`` (correlation of the
    item with the sum of the other items), ``alpha_if_deleted`` (raw) and
    ``std_alpha_if_deleted``.
    """

    raw: float
    standardized: float
    average_r: float
    n: int
    n_items: int
    items: pd.DataFrame


def _alpha(total: np.ndarray, trace: np.ndarray, p: int | np.ndarray) -> np.ndarray:
    return p / (p - 1) * (1.0 - trace / total)


def cronbach_alpha(
    scores: pd.DataFrame, weights: np.ndarray | pd.Series | None = None
) -> AlphaResult:
    """Cronbach's alpha, raw and standardized, optionally weighted.

    Parameters
    ----------
    scores : DataFrame
        One column per item; respondents with any missing item are dropped
        (listwise deletion).
    weights : array-like, optional
        Sampling weights; with weights the covariance matrix is the weighted
        one, as in ``survey::svycralpha``.

    Returns
    -------
    AlphaResult

    Notes
    -----
    With the item covariance matrix :math:`C` (:math:`p` items) and its
    correlation matrix :math:`R`:

    .. math:: \\alpha = \\frac{p}{p-1}\\Bigl(1 - \\frac{\\operatorname{tr} C}
              {\\mathbf 1^\\top C \\mathbf 1}\\Bigr), \\qquad
              \\alpha_{std} = \\frac{p}{p-1}\\Bigl(1 - \\frac{p}
              {\\mathbf 1^\\top R \\mathbf 1}\\Bigr)

    The item-rest correlation of item :math:`j` is
    :math:`(\\mathbf 1^\\top C_{\\cdot j} - C_{jj}) /
    \\sqrt{C_{jj}\\,\\mathbf 1^\\top C_{-j,-j} \\mathbf 1}` (``r.drop`` in
    ``psych::alpha``); alpha if deleted applies the formula to
    :math:`C_{-j,-j}`.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of
    tests. *Psychometrika* 16, 297-334.
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.

    Examples
    --------
    >>> s = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 3, 5], "c": [1, 3, 3, 4]})
    >>> round(cronbach_alpha(s).raw, 4)
    0.9474
    """
    if scores.shape[1] < 2:
        raise ValueError("alpha needs at least two item columns")
    values = numeric_matrix(scores, "item")
    complete = ~np.isnan(values).any(axis=1)
    w = None
    if weights is not None:
        w = np.asarray(weights, float)
        if w.shape != (len(scores),):
            raise ValueError("weights must have one entry per row of scores")
        complete &= ~np.isnan(w)
        w = w[complete]
    values = values[complete]
    if len(values) < 2:
        raise ValueError("alpha needs at least two complete respondents")
    return _alpha_of(values, w, list(scores.columns))


def _covariances(
    values: np.ndarray, w: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Unweighted and weighted covariance matrices from one centring pass."""
    n = len(values)
    ones = np.ones(n)
    centre = values.T @ (ones if w is None else w) / (n if w is None else w.sum())
    z = values - centre
    mean = z.T @ ones / n
    plain = z.T @ z / n - np.outer(mean, mean)
    if w is None:
        return plain, None
    total = w.sum()
    mean_w = z.T @ w / total
    return plain, (z * w[:, None]).T @ z / total - np.outer(mean_w, mean_w)


def _alpha_of(
    values: np.ndarray, w: np.ndarray | None, names: list[str]
) -> AlphaResult:
    m = cluster_moments(values, w)
    cov = covariance(m.s0, m.s1, m.s2)[0]
    return alpha_from_covariance(cov, names, len(values))


def alpha_from_covariance(cov: np.ndarray, names: list[str], n: int) -> AlphaResult:
    """Alpha and item statistics from an item covariance matrix.

    The matrix may come from anywhere (e.g. database sums of weighted
    cross-products, see :func:`analysis.stats.moments.covariance`); ``n`` is
    the number of complete respondents it summarizes. Formulas as in
    :func:`cronbach_alpha`.

    Examples
    --------
    >>> c = np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> round(alpha_from_covariance(c, ["a", "b"], 10).raw, 4)
    0.6667
    """
    p = cov.shape[0]
    corr = correlation(cov)
    var = np.diag(cov)
    total, col = cov.sum(), cov.sum(axis=0)
    corr_total, corr_col = corr.sum(), corr.sum(axis=0)
    rest_var = total - 2 * col + var  # 1'C_{-j,-j}1
    item_rest = (col - var) / np.sqrt(var * rest_var)
    if p > 2:
        drop_raw = _alpha(rest_var, var.sum() - var, p - 1)
        drop_std = _alpha(corr_total - 2 * corr_col + 1, p - 1.0, p - 1)
    else:
        drop_raw = drop_std = np.full(p, np.nan)
    items = pd.DataFrame(
        {
            "item": names,
            "item_rest_r": item_rest,
            "alpha_if_deleted": drop_raw,
            "std_alpha_if_deleted": drop_std,
        }
    )
    return AlphaResult(
        raw=float(_alpha(total, var.sum(), p)),
        standardized=float(_alpha(corr_total, float(p), p)),
        average_r=float((corr_total - p) / (p * (p - 1))),
        n=n,
        n_items=p,
        items=items,
    )


def reliability_table(
    scores: pd.DataFrame,
    items: Sequence[Item],
    weights: np.ndarray | pd.Series | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Alpha per dimension, unweighted and (when weights are given) weighted.

    Parameters
    ----------
    scores : DataFrame
        Item scores (e.g. from :func:`analysis.stats.scoring.item_scores`).
    items : sequence of Item
    weights : array-like, optional

    Returns
    -------
    dimensions : DataFrame
        ``dimension, n, n_items, alpha, std_alpha, average_r`` and, with
        weights, ``weighted_alpha, weighted_std_alpha``.
    item_table : DataFrame
        ``dimension, item, item_rest_r, alpha_if_deleted,
        std_alpha_if_deleted`` (unweighted) and, with weights, the same three
        statistics prefixed ``weighted_``.

    Examples
    --------
    >>> its = [Item(c, "staff", 1, 5) for c in "abc"]
    >>> s = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 3, 5], "c": [1, 3, 3, 4]})
    >>> dims, _ = reliability_table(s, its, weights=[1, 1, 1, 1])
    >>> bool(np.isclose(dims.alpha[0], dims.weighted_alpha[0]))
    True
    """
    by_dimension: dict[str, list[str]] = {}
    for item in items:
        if item.code not in scores.columns:
            raise ValueError(f"scores lack item column {item.code!r}")
        by_dimension.setdefault(item.dimension, []).append(item.code)
    matrix = numeric_matrix(scores[[i.code for i in items]], "item")
    missing = np.isnan(matrix)
    position = {item.code: j for j, item in enumerate(items)}
    w = None if weights is None else np.asarray(weights, float)
    dim_rows, item_frames = [], []
    stats = ["item_rest_r", "alpha_if_deleted", "std_alpha_if_deleted"]
    for dimension, codes in by_dimension.items():
        if len(codes) < 2:
            continue  # alpha is undefined for a single-item dimension
        columns = [position[c] for c in codes]
        complete = ~missing[:, columns].any(axis=1)
        if w is not None:
            complete &= ~np.isnan(w)
        rows = np.flatnonzero(complete)
        if len(rows) < 2:
            raise ValueError(f"dimension {dimension!r}: fewer than two complete rows")
        values = matrix[np.ix_(rows, columns)]  # one gather, no intermediate copy
        plain_cov, weighted_cov = _covariances(values, None if w is None else w[rows])
        plain = alpha_from_covariance(plain_cov, codes, len(rows))
        row = {
            "dimension": dimension,
            "n": plain.n,
            "n_items": plain.n_items,
            "alpha": plain.raw,
            "std_alpha": plain.standardized,
            "average_r": plain.average_r,
        }
        table = plain.items.assign(dimension=dimension)
        if weighted_cov is not None:
            weighted = alpha_from_covariance(weighted_cov, codes, len(rows))
            row |= {
                "weighted_alpha": weighted.raw,
                "weighted_std_alpha": weighted.standardized,
            }
            table = table.join(weighted.items[stats].add_prefix("weighted_"))
        dim_rows.append(row)
        item_frames.append(table)
    first = ["dimension", "item"]
    if not item_frames:
        return pd.DataFrame(dim_rows), pd.DataFrame(columns=first + stats)
    item_table = pd.concat(item_frames, ignore_index=True)
    item_table = item_table[first + [c for c in item_table if c not in first]]
    return pd.DataFrame(dim_rows), item_table
