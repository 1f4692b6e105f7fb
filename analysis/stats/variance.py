"""Taylor-linearization variance for stratified cluster designs.

The variance of an estimator is the variance of the estimated total of its
influence values under the ultimate-cluster approximation, as R's
``svyrecvar``/``onestrat`` with the options of ``survey.lonely.psu``.
Everything works on *rows*: groups of respondents sharing stratum, PSU,
weight and calibration cell (one respondent per row for microdata, one
``GROUP BY`` group for sufficient statistics).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

__all__ = [
    "LONELY_PSU",
    "DesignRows",
    "LonelyPsu",
    "group_sum",
    "linearized_variance",
    "stratum_scale",
]

LonelyPsu = Literal["fail", "remove", "adjust", "average", "certainty"]
LONELY_PSU: tuple[str, ...] = ("fail", "remove", "adjust", "average", "certainty")


def group_sum(codes: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Column sums of ``values`` (rows x k) per group code, via one bincount.

    Examples
    --------
    >>> values = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    >>> group_sum(np.array([0, 1, 0]), values, 2)
    array([[6., 8.],
           [3., 4.]])
    """
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        return np.bincount(codes, weights=values, minlength=n_groups)
    k = values.shape[1]
    flat = (codes[:, None] * k + np.arange(k)).ravel()
    sums = np.bincount(flat, weights=values.ravel(), minlength=n_groups * k)
    return sums.reshape(n_groups, k)


class Residualizer(Protocol):
    """A calibration step's adjustment of influence values (see weighting)."""

    def adjust(
        self, total: np.ndarray, unit: np.ndarray, count: np.ndarray
    ) -> np.ndarray: ...


@dataclass(frozen=True)
class DesignRows:
    """Design structure of a table of rows, ready for variance computation.

    Attributes
    ----------
    stratum : ndarray of int
        Stratum code of each row, ``0 .. n_strata - 1``.
    psu : ndarray of int or None
        PSU code of each row (unique across strata); None when every
        respondent is its own PSU (element sampling).
    psu_stratum : ndarray of int or None
        Stratum of each PSU code.
    n_psu : ndarray of float
        PSUs (respondents, for element sampling) per stratum in the full design.
    popsize : ndarray of float
        Population PSUs per stratum (inf when there is no fpc).
    count : ndarray of float
        Respondents per row.
    weight : ndarray of float
        Final (calibrated, trimmed) weight of the respondents of each row.
    residualizers : tuple
        Calibration steps, applied to influence values in order.
    lonely_psu : str
        Lonely-PSU option.
    replicates : str or None
        ``"JK1"`` or ``"JKn"`` for jackknife variance, None for Taylor.
    """

    stratum: np.ndarray
    psu: np.ndarray | None
    psu_stratum: np.ndarray | None
    n_psu: np.ndarray
    popsize: np.ndarray
    count: np.ndarray
    weight: np.ndarray
    residualizers: tuple[Residualizer, ...]
    lonely_psu: LonelyPsu
    replicates: str | None = None  # "JK1"/"JKn": jackknife instead of Taylor

    @property
    def n_strata(self) -> int:
        return len(self.n_psu)

    @property
    def calibrated(self) -> bool:
        return bool(self.residualizers)


def stratum_scale(n_psu: np.ndarray, popsize: np.ndarray) -> np.ndarray:
    """Per-stratum factor :math:`(1-f_h)\\,n_h/(n_h-1)` (``(1-f_h)`` if n_h=1).

    Examples
    --------
    >>> stratum_scale(np.array([2.0, 4.0, 1.0]), np.array([np.inf, 8.0, np.inf]))
    array([2.        , 0.66666667, 1.        ])
    """
    finite = np.isfinite(popsize)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(finite, (popsize - n_psu) / np.where(finite, popsize, 1.0), 1.0)
        scale = np.where(n_psu > 1, f * n_psu / (n_psu - 1), f)
    return np.where(f < 1e-7, 0.0, scale)


def _calibration_adjustment(rows: DesignRows, total: np.ndarray) -> np.ndarray:
    """Per-respondent shift of influence values from all calibration steps."""
    unit = np.zeros_like(total)
    for step in rows.residualizers:
        unit = step.adjust(total, unit, rows.count)
    return unit


def linearized_variance(
    rows: DesignRows,
    slope: np.ndarray,
    intercept: np.ndarray,
    sums: np.ndarray,
    sumsq: np.ndarray,
    answered: np.ndarray,
    present: np.ndarray,
) -> np.ndarray:
    """Linearization variance of estimators with influence ``slope*y + intercept``.

    Parameters
    ----------
    rows : DesignRows
    slope, intercept : ndarray (rows x k)
        Influence value of an answering respondent in row r is
        ``slope[r] * y + intercept[r]`` (zero outside the domain); other
        respondents have influence zero before calibration.
    sums, sumsq, answered : ndarray (rows x k)
        Sum of y, sum of y squared and number of answers in each row.
    present : ndarray of bool (strata x k)
        Strata that R's subset design still holds (for ``average``).

    Returns
    -------
    ndarray (k,)

    Notes
    -----
    With :math:`z_{hj}` the PSU totals of the (calibration-residualized)
    influence values,

    .. math::
        \\hat V = \\sum_h (1-f_h)\\frac{n_h}{n_h-1}
                 \\sum_{j=1}^{n_h} (z_{hj} - \\bar z_h)^2,

    where :math:`\\bar z_h` averages over all :math:`n_h` PSUs of the stratum
    in the full design (domain estimation), :math:`f_h = n_h/N_h`. A stratum
    with one PSU contributes 0 (``remove``, ``certainty``),
    :math:`(1-f_h) z_{h1}^2` (``adjust``), or is left out and the sum scaled
    by (strata)/(strata with several PSUs) (``average``).

    References
    ----------
    Lumley, T. (2010). *Complex Surveys*, appendix C. Wiley.
    Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed.,
    ch. 6. Springer.
    Särndal, C.-E., Swensson, B., & Wretman, J. (1992). *Model Assisted Survey
    Sampling*, sec. 4.3 and 5.5. Springer.

    Examples
    --------
    Two strata of two PSUs, the total of y (slope = weight, intercept 0):

    >>> rows = DesignRows(
    ...     stratum=np.array([0, 0, 1, 1]), psu=np.array([0, 1, 2, 3]),
    ...     psu_stratum=np.array([0, 0, 1, 1]), n_psu=np.array([2.0, 2.0]),
    ...     popsize=np.array([np.inf, np.inf]), count=np.ones(4),
    ...     weight=np.ones(4), residualizers=(), lonely_psu="fail")
    >>> y = np.array([[1.0], [3.0], [2.0], [6.0]])
    >>> linearized_variance(rows, np.ones((4, 1)), np.zeros((4, 1)), y, y**2,
    ...                     np.ones((4, 1)), np.ones((2, 1), dtype=bool))
    array([20.])
    """
    total = slope * sums + intercept * answered
    unit = _calibration_adjustment(rows, total) if rows.calibrated else None
    total_final = total if unit is None else total + rows.count[:, None] * unit
    n_h = rows.n_psu[:, None]
    if rows.psu is not None:
        n_units = len(rows.psu_stratum)
        z = group_sum(rows.psu, total_final, n_units)
        s1 = group_sum(rows.psu_stratum, z, rows.n_strata)
        centred = z - (s1 / n_h)[rows.psu_stratum]
        ss = group_sum(rows.psu_stratum, centred**2, rows.n_strata)
        uncentred = group_sum(rows.psu_stratum, z**2, rows.n_strata)
    else:
        squares = slope**2 * sumsq + 2 * slope * intercept * sums
        squares = squares + intercept**2 * answered
        if unit is not None:
            squares = squares + 2 * unit * total + rows.count[:, None] * unit**2
        s1 = group_sum(rows.stratum, total_final, rows.n_strata)
        uncentred = group_sum(rows.stratum, squares, rows.n_strata)
        ss = uncentred - s1**2 / n_h
    lonely = (rows.n_psu == 1)[:, None]
    scale = stratum_scale(rows.n_psu, rows.popsize)[:, None]
    if rows.lonely_psu == "adjust":
        ss = np.where(lonely, uncentred, ss)
    elif rows.lonely_psu in ("remove", "certainty", "average"):
        ss = np.where(lonely, 0.0, ss)
    variance = (scale * ss).sum(axis=0)
    if rows.lonely_psu == "average":
        self_representing = scale == 0
        ok = present & (~lonely | self_representing)
        with np.errstate(divide="ignore", invalid="ignore"):
            variance = variance * present.sum(axis=0) / ok.sum(axis=0)
    return variance


def present_strata(rows: DesignRows, in_design: np.ndarray) -> np.ndarray:
    """Strata holding at least one row flagged ``in_design`` (rows x k)."""
    if rows.calibrated:
        return np.ones((rows.n_strata, in_design.shape[1]), dtype=bool)
    return group_sum(rows.stratum, in_design.astype(float), rows.n_strata) > 0


def design_df(rows: DesignRows, answered: np.ndarray) -> np.ndarray:
    """R's ``degf``: PSUs minus strata holding a respondent of the design.

    ``answered`` (rows x k) counts the respondents of each row that belong to
    the (domain) design: in the domain, answering, with a non-zero weight.

    Notes
    -----
    :math:`df = \\#\\{\\text{PSUs}\\} - \\#\\{\\text{strata}\\}` among units
    with a non-zero weight in the (domain) design (Lumley 2010, sec. 2.3).

    Examples
    --------
    >>> rows = DesignRows(
    ...     stratum=np.array([0, 0, 1, 1]), psu=np.array([0, 1, 2, 3]),
    ...     psu_stratum=np.array([0, 0, 1, 1]), n_psu=np.array([2.0, 2.0]),
    ...     popsize=np.array([np.inf, np.inf]), count=np.ones(4),
    ...     weight=np.ones(4), residualizers=(), lonely_psu="fail")
    >>> design_df(rows, np.array([[1.0], [1.0], [1.0], [0.0]]))
    array([1.])
    """
    flags = (answered > 0).astype(float)
    strata = (group_sum(rows.stratum, flags, rows.n_strata) > 0).sum(axis=0)
    if rows.psu is None:
        return (answered.sum(axis=0) - strata).astype(float)
    units = group_sum(rows.psu, flags, len(rows.psu_stratum)) > 0
    return (units.sum(axis=0) - strata).astype(float)
