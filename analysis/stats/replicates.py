"""Jackknife (JK1, JKn) replicate variance, as R's ``as.svrepdesign``.

Replicate ``(h, j)`` drops PSU ``j`` of stratum ``h`` and multiplies the other
PSUs of the stratum by :math:`n_h/(n_h-1)`. Every estimator here is a ratio
of weighted sums (a total has denominator 1), so replicate estimates follow
from per-PSU sums without building the replicate-weight matrix over
respondents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np

from .variance import DesignRows, group_sum

__all__ = ["JACKKNIFE_TYPES", "JackknifeType", "jackknife_df", "jackknife_variance"]

JackknifeType = Literal["JK1", "JKn"]
JACKKNIFE_TYPES: tuple[str, ...] = ("JK1", "JKn")


def _replicate_scales(rows: DesignRows) -> tuple[np.ndarray, float]:
    """Per-replicate factor ``rscales`` (one per PSU, 0 = no replicate), scale.

    Notes
    -----
    :math:`r_{hj} = (1-f_h)(n_h-1)/n_h`; strata sampled with certainty
    (:math:`f_h=1`) and single-PSU strata under ``remove``/``certainty``/
    ``average`` give no replicate; ``average`` multiplies the variance by
    PSUs/replicates, as R's ``jknweights``.
    """
    n_h = rows.n_psu
    finite = np.isfinite(rows.popsize)
    keep = np.where(finite, (rows.popsize - n_h) / np.where(finite, rows.popsize, 1), 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_stratum = np.where(n_h > 1, keep * (n_h - 1) / n_h, 0.0)
    per_stratum = np.where(keep < 1e-7, 0.0, per_stratum)
    rscales = per_stratum[rows.psu_stratum]
    scale = 1.0
    if rows.lonely_psu == "average":
        lonely = (n_h == 1)[rows.psu_stratum]
        kept = int((~lonely & (keep[rows.psu_stratum] >= 1e-7)).sum())
        scale = len(rows.psu_stratum) / kept if kept else np.nan
    return rscales, scale


def _replicate_factor(rows: DesignRows) -> np.ndarray:
    """PSU x replicate weight multipliers (replicates = PSUs, all of them)."""
    n_units = len(rows.psu_stratum)
    n_h = rows.n_psu[rows.psu_stratum]
    same = rows.psu_stratum[:, None] == rows.psu_stratum[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        inflate = np.where(n_h > 1, n_h / (n_h - 1), 1.0)
    factor = np.where(same, inflate[None, :], 1.0)
    factor[np.arange(n_units), np.arange(n_units)] = 0.0
    return factor


def jackknife_variance(
    rows: DesignRows,
    numerator: np.ndarray,
    denominator: np.ndarray | None,
    transform: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """Jackknife variance of ``sum(numerator) / sum(denominator)`` per column.

    Parameters
    ----------
    rows : DesignRows
        Must have PSUs (``rows.psu``).
    numerator, denominator : ndarray (rows x k)
        Weighted row sums; ``denominator=None`` for totals.
    transform : callable, optional
        Applied to every replicate estimate first (e.g. the logit, for R's
        ``svyciprop`` on replicate designs, which fits a GLM per replicate).

    Returns
    -------
    ndarray (k,)

    Notes
    -----
    :math:`\\hat\\theta_{(hj)} = \\hat Y_{(hj)}/\\hat X_{(hj)}` with
    :math:`\\hat Y_{(hj)} = \\hat Y - Y_h + \\frac{n_h}{n_h-1}(Y_h - Y_{hj})`,
    and :math:`v = s\\sum_{hj} r_{hj}(\\hat\\theta_{(hj)}-\\bar\\theta)^2`
    where :math:`\\bar\\theta` is the mean of the replicates with
    :math:`r_{hj}>0` (R's default ``mse=FALSE``).

    References
    ----------
    Wolter, K. M. (2007). *Introduction to Variance Estimation*, ch. 4.
    Springer. Lumley (2010), sec. 2.6.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.stats import SurveyDesign
    >>> frame = pd.DataFrame({"h": [1, 1, 2, 2], "p": [1, 2, 3, 4],
    ...                       "y": [1.0, 3.0, 2.0, 6.0]})
    >>> jk = SurveyDesign(frame, strata="h", psu="p").jackknife()
    >>> round(jk.total("y").se, 6)
    4.472136
    """
    rscales, scale = _replicate_scales(rows)
    replicates = [_replicate_totals(rows, numerator)]
    if denominator is not None:
        replicates.append(_replicate_totals(rows, denominator))
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = replicates[0] if denominator is None else replicates[0] / replicates[1]
        if transform is not None:
            theta = transform(theta)
    used = rscales > 0
    if not used.any():
        return np.zeros(numerator.shape[1])
    centre = theta[used].mean(axis=0)
    return scale * (rscales[:, None] * (theta - centre) ** 2).sum(axis=0)


def _replicate_totals(rows: DesignRows, values: np.ndarray) -> np.ndarray:
    n_units = len(rows.psu_stratum)
    per_psu = group_sum(rows.psu, values, n_units)
    per_stratum = group_sum(rows.psu_stratum, per_psu, rows.n_strata)
    n_h = rows.n_psu[rows.psu_stratum][:, None]
    stratum_total = per_stratum[rows.psu_stratum]
    with np.errstate(divide="ignore", invalid="ignore"):
        inflate = np.where(n_h > 1, n_h / (n_h - 1), 1.0)
    return per_psu.sum(axis=0) - stratum_total + inflate * (stratum_total - per_psu)


def jackknife_df(rows: DesignRows, members: np.ndarray) -> float:
    """R's ``degf`` of a replicate design: rank of its replicate weights - 1.

    ``members`` flags the rows in the (domain) design.

    Notes
    -----
    Rank of the analysis replicate-weight matrix restricted to the design's
    respondents, minus one (R's ``degf.svyrep.design``); replicates of
    certainty strata are dropped as R's ``survey.drop.replicates``.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.stats import SurveyDesign
    >>> frame = pd.DataFrame({"h": [1, 1, 1, 2, 2], "y": [1.0, 3.0, 2.0, 6.0, 4.0]})
    >>> SurveyDesign(frame, strata="h").jackknife().mean("y").df
    3.0
    """
    rscales, _ = _replicate_scales(rows)
    in_design = group_sum(rows.psu, members.astype(float), len(rows.psu_stratum)) > 0
    factor = _replicate_factor(rows)[np.ix_(in_design, rscales > 0)]
    if factor.size == 0:
        return 0.0
    return float(np.linalg.matrix_rank(factor, tol=1e-5 * np.abs(factor).max()) - 1)
