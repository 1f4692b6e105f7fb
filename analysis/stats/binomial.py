"""Binomial proportions: confidence intervals and verdicts against a target.

Used for the tourist-complaint settlement rate (target 100%) and for any count
of successes out of trials read against a target. Pure numpy/scipy.
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np
import numpy.typing as npt
from scipy import stats

IntervalMethod = Literal["wilson", "exact"]


def binomial_interval(
    successes: npt.ArrayLike,
    trials: npt.ArrayLike,
    *,
    method: IntervalMethod = "wilson",
    conf_level: float = 0.95,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Two-sided confidence interval for a binomial proportion, vectorized.

    Parameters
    ----------
    successes, trials : array_like of int
        Counts, broadcast together; ``0 <= successes <= trials``.
    method : {"wilson", "exact"}, default "wilson"
        Wilson score interval, or the Clopper–Pearson "exact" interval.
    conf_level : float, default 0.95

    Returns
    -------
    lower, upper : ndarray
        NaN where ``trials`` is 0.

    Notes
    -----
    With :math:`\\hat p = x/n` and :math:`z = \\Phi^{-1}(1 - \\alpha/2)`, Wilson's
    interval is

    .. math::

        \\frac{\\hat p + \\frac{z^2}{2n} \\pm
        z \\sqrt{\\frac{\\hat p (1 - \\hat p)}{n} + \\frac{z^2}{4n^2}}}
        {1 + z^2/n},

    the interval of R's ``prop.test(x, n, correct = FALSE)``. Clopper–Pearson
    takes the :math:`\\alpha/2` quantile of :math:`\\mathrm{Beta}(x, n - x + 1)`
    (0 when :math:`x = 0`) and the :math:`1 - \\alpha/2` quantile of
    :math:`\\mathrm{Beta}(x + 1, n - x)` (1 when :math:`x = n`), as
    ``binom.test``. Both stay inside [0, 1]; Wilson's is shorter and has close
    to nominal coverage, the exact one never covers less than nominal.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and
    statistical inference. *JASA* 22, 209–212.
    Clopper, C. J. and Pearson, E. S. (1934). The use of confidence or fiducial
    limits illustrated in the case of the binomial. *Biometrika* 26, 404–413.
    Brown, L. D., Cai, T. T. and DasGupta, A. (2001). Interval estimation for a
    binomial proportion. *Statistical Science* 16, 101–133.

    Examples
    --------
    >>> lower, upper = binomial_interval([45, 50], [50, 50])
    >>> lower.round(4).tolist(), upper.round(4).tolist()
    ([0.7864, 0.9287], [0.9565, 1.0])
    >>> lower, upper = binomial_interval(50, 50, method="exact")
    >>> float(lower.round(4)), float(upper)
    (0.9289, 1.0)
    """
    if method not in get_args(IntervalMethod):
        raise ValueError(
            f"unknown method {method!r}; choose one of {get_args(IntervalMethod)}"
        )
    if not 0 < conf_level < 1:
        raise ValueError("conf_level must lie strictly between 0 and 1")
    x, n = np.broadcast_arrays(
        np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    )
    if np.any(np.isnan(x) | np.isnan(n)):
        raise ValueError("successes and trials must not be missing")
    if np.any((x < 0) | (x > n)):
        raise ValueError("successes must lie between 0 and trials")
    alpha = 1 - conf_level
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "wilson":
            z = stats.norm.ppf(1 - alpha / 2)
            p = x / n
            centre = p + z**2 / (2 * n)
            half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
            # The limits are exactly 0 at x = 0 and 1 at x = n; say so rather
            # than leave a rounding residue of 1e-19.
            lower = np.where(x == 0, 0.0, (centre - half) / (1 + z**2 / n))
            upper = np.where(x == n, 1.0, (centre + half) / (1 + z**2 / n))
        else:
            lower = np.where(x == 0, 0.0, stats.beta.ppf(alpha / 2, x, n - x + 1))
            upper = np.where(x == n, 1.0, stats.beta.ppf(1 - alpha / 2, x + 1, n - x))
    empty = n == 0
    return np.where(empty, np.nan, lower), np.where(empty, np.nan, upper)


def target_verdict(
    successes: npt.ArrayLike,
    trials: npt.ArrayLike,
    lower: npt.ArrayLike,
    upper: npt.ArrayLike,
    *,
    target: float = 1.0,
) -> npt.NDArray[np.str_]:
    """Read a rate and its interval against a target.

    Parameters
    ----------
    successes, trials : array_like of int
    lower, upper : array_like of float
        Confidence limits of the rate (from :func:`binomial_interval`).
    target : float, default 1.0
        The target rate, in (0, 1].

    Returns
    -------
    ndarray of str
        "met", "not met", "not distinguishable" or "no data" (no trials).

    Notes
    -----
    For a target :math:`p_0 < 1` the interval decides: "met" when
    :math:`L \\ge p_0`, "not met" when :math:`U < p_0`, otherwise the data
    cannot tell the rate from the target ("not distinguishable").

    A 100% target is different. Its lower limit is below 1 for any finite
    number of complaints (even 50 settled out of 50 give a Wilson lower limit
    of 0.93), so "met with confidence" can never be shown; the question is only
    whether the data contradict the target. The upper limit answers it: it
    equals 1 exactly when every counted complaint was settled, and is below 1
    as soon as one was not. So a 100% target is "met" when :math:`U = 1`
    (no complaint left unsettled: the data are consistent with 100%) and
    "not met" when :math:`U < 1`; "not distinguishable" cannot occur. This
    matches the plain reading of the target, which is about every complaint,
    and gives the same answer with Wilson and exact intervals.

    Examples
    --------
    >>> lower, upper = binomial_interval([50, 49, 0], [50, 50, 0])
    >>> target_verdict([50, 49, 0], [50, 50, 0], lower, upper).tolist()
    ['met', 'not met', 'no data']
    >>> lower, upper = binomial_interval([97, 80, 93], [100, 100, 100])
    >>> target_verdict([97, 80, 93], [100] * 3, lower, upper, target=0.9).tolist()
    ['met', 'not met', 'not distinguishable']
    """
    if not 0 < target <= 1:
        raise ValueError("target must lie in (0, 1]")
    x, n, low, high = np.broadcast_arrays(
        np.asarray(successes, dtype=float),
        np.asarray(trials, dtype=float),
        np.asarray(lower, dtype=float),
        np.asarray(upper, dtype=float),
    )
    if target == 1:
        verdict = np.where(x == n, "met", "not met")
    else:
        verdict = np.where(
            low >= target,
            "met",
            np.where(high < target, "not met", "not distinguishable"),
        )
    return np.where(n == 0, "no data", verdict).astype(str)
