"""The importance-performance matrix: where to act first."""

from __future__ import annotations

import pandas as pd

__all__ = ["QUADRANTS", "importance_performance", "quadrant_cuts"]

QUADRANTS = {
    (True, False): "improve",
    (True, True): "strength",
    (False, True): "maintain",
    (False, False): "opportunity",
}


def importance_performance(
    importance: pd.Series,
    performance: pd.Series,
    importance_cut: float | None = None,
    performance_cut: float | None = None,
) -> pd.DataFrame:
    """Place each dimension in a quadrant of the importance-performance chart.

    Parameters
    ----------
    importance : Series
        Importance per dimension (index: dimension), e.g. ``share`` from
        :func:`relative_importance`.
    performance : Series
        Mean score per dimension (0-100), e.g. the design-based means.
    importance_cut, performance_cut : float, optional
        Where the axes cross; the means over the dimensions by default.

    Returns
    -------
    DataFrame
        ``dimension, importance, performance, quadrant`` where quadrant is
        ``"improve"`` (important, below par: act first), ``"strength"``
        (important, above par: keep up), ``"maintain"`` (less important,
        above par) or ``"opportunity"`` (less important, below par).

    Notes
    -----
    The four-quadrant chart of GB/T 19038 annex D: a dimension is high on an
    axis when at or above the cut.

    Examples
    --------
    >>> imp = pd.Series({"staff": 0.5, "price": 0.3, "web": 0.2})
    >>> perf = pd.Series({"staff": 70.0, "price": 85.0, "web": 60.0})
    >>> importance_performance(imp, perf).quadrant.tolist()
    ['improve', 'maintain', 'opportunity']
    """
    missing = importance.index.difference(performance.index)
    if len(missing):
        raise ValueError(f"no performance for dimension {missing[0]!r}")
    perf = performance.reindex(importance.index).astype(float)
    imp = importance.astype(float)
    i_cut, p_cut = quadrant_cuts(imp, perf, importance_cut, performance_cut)
    high_i, high_p = (imp >= i_cut).to_numpy(), (perf >= p_cut).to_numpy()
    return pd.DataFrame(
        {
            "dimension": importance.index,
            "importance": imp.to_numpy(),
            "performance": perf.to_numpy(),
            "quadrant": [QUADRANTS[pair] for pair in zip(high_i, high_p, strict=True)],
        }
    )


def quadrant_cuts(
    importance: pd.Series,
    performance: pd.Series,
    importance_cut: float | None = None,
    performance_cut: float | None = None,
) -> tuple[float, float]:
    """Where the axes of the importance-performance chart cross.

    The one definition of the cut lines: the stored quadrants are placed by
    it, and the dashboard and the PDF draw their dashed lines with it, so a
    point is never drawn on the other side of a line from its quadrant.

    Parameters
    ----------
    importance, performance : Series
        Importance and score of each dimension; a missing score (NaN) is left
        out of the performance mean.
    importance_cut, performance_cut : float, optional
        Cuts to use instead of the means (e.g. a target score).

    Returns
    -------
    tuple of float
        ``(importance_cut, performance_cut)``; NaN for an axis without values.

    Examples
    --------
    >>> quadrant_cuts(pd.Series([0.5, 0.3, 0.2]), pd.Series([70.0, 85.0, None]))
    (0.3333333333333333, 77.5)
    """
    if importance_cut is None:
        importance_cut = importance.astype(float).mean()
    if performance_cut is None:
        performance_cut = performance.astype(float).mean()
    return float(importance_cut), float(performance_cut)
