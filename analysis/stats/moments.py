"""Weighted first and second moments from per-cluster sufficient statistics.

Reliability and key-driver analysis only need weighted covariance matrices.
Summing weights, weighted values and weighted cross-products per cluster once
lets a bootstrap or jackknife replicate be a cheap matrix product over
clusters instead of a pass over respondents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "ClusterMoments",
    "cluster_moments",
    "correlation",
    "covariance",
    "numeric_matrix",
]


@dataclass(frozen=True)
class ClusterMoments:
    """Per-cluster sums ``S0 = sum w``, ``S1 = sum w z``, ``S2 = sum w z z'``.

    ``z`` is centred at the overall weighted mean ``centre`` to keep the
    subtraction in :func:`covariance` accurate.
    """

    s0: np.ndarray  # (G,)
    s1: np.ndarray  # (G, k)
    s2: np.ndarray  # (G, k, k)
    centre: np.ndarray  # (k,)
    counts: np.ndarray  # (G,) respondents per cluster


def numeric_matrix(frame: pd.DataFrame, role: str) -> np.ndarray:
    """The frame as a float matrix; ValueError naming a non-numeric column.

    Examples
    --------
    >>> numeric_matrix(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}), "items")
    Traceback (most recent call last):
    ...
    ValueError: items column 'b' is not numeric (dtype str)
    """
    for column in frame.columns:
        dtype = frame[column].dtype
        if not (
            pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
        ):
            raise ValueError(f"{role} column {column!r} is not numeric (dtype {dtype})")
    return np.ascontiguousarray(frame.to_numpy(float))


def cluster_moments(
    values: np.ndarray,
    weights: np.ndarray | None = None,
    clusters: np.ndarray | None = None,
) -> ClusterMoments:
    """Sum weights, values and cross-products per cluster.

    Parameters
    ----------
    values : ndarray, shape (n, k)
        Complete cases only (no NaN).
    weights : ndarray, shape (n,), optional
        Sampling weights; ones when omitted.
    clusters : ndarray of int, shape (n,), optional
        Cluster codes 0..G-1; one cluster when omitted.

    Returns
    -------
    ClusterMoments

    Examples
    --------
    >>> m = cluster_moments(np.array([[1.0], [3.0]]), clusters=np.array([0, 1]))
    >>> m.centre.tolist(), m.s1.ravel().tolist()
    ([2.0], [-1.0, 1.0])
    """
    values = np.asarray(values, float)
    n, k = values.shape
    if clusters is None:  # one cluster: BLAS products instead of k² passes
        w = np.ones(n) if weights is None else np.asarray(weights, float)
        total = w.sum()
        centre = (values.T @ w) / total  # gemv: faster than a strided mean
        z = values - centre
        wz = z if weights is None else z * w[:, None]
        return ClusterMoments(
            np.array([total]),
            (z.T @ w)[None],
            (wz.T @ z)[None],
            centre,
            np.array([n * 1.0]),
        )
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    codes = np.asarray(clusters)
    groups = int(codes.max()) + 1 if n else 1
    centre = w @ values / w.sum()
    z = values - centre
    counts = np.bincount(codes, minlength=groups).astype(float)
    s0 = np.bincount(codes, w, groups)
    s1 = np.empty((groups, k))
    s2 = np.empty((groups, k, k))
    for a in range(k):
        wz = w * z[:, a]
        s1[:, a] = np.bincount(codes, wz, groups)
        for b in range(a, k):
            s2[:, a, b] = s2[:, b, a] = np.bincount(codes, wz * z[:, b], groups)
    return ClusterMoments(s0, s1, s2, centre, counts)


def covariance(s0: np.ndarray, s1: np.ndarray, s2: np.ndarray) -> np.ndarray:
    """Weighted covariance matrices from (replicate) totals.

    Parameters
    ----------
    s0 : ndarray, shape (...,)
    s1 : ndarray, shape (..., k)
    s2 : ndarray, shape (..., k, k)

    Returns
    -------
    ndarray, shape (..., k, k)

    Notes
    -----
    :math:`C = S_2/S_0 - \\bar z \\bar z^\\top` with :math:`\\bar z = S_1/S_0`.
    No :math:`n/(n-1)` factor: every statistic built on it (alpha,
    correlations, R²) is invariant to a common scale factor.

    Examples
    --------
    >>> m = cluster_moments(np.array([[1.0, 2.0], [3.0, 6.0]]))
    >>> covariance(m.s0, m.s1, m.s2)[0].tolist()
    [[1.0, 2.0], [2.0, 4.0]]
    """
    mean = s1 / s0[..., None]
    return s2 / s0[..., None, None] - mean[..., :, None] * mean[..., None, :]


def correlation(cov: np.ndarray) -> np.ndarray:
    """Correlation matrices from covariance matrices (any leading axes).

    Examples
    --------
    >>> correlation(np.array([[4.0, 2.0], [2.0, 4.0]])).tolist()
    [[1.0, 0.5], [0.5, 1.0]]
    """
    sd = np.sqrt(np.diagonal(cov, axis1=-2, axis2=-1))
    return cov / (sd[..., :, None] * sd[..., None, :])
