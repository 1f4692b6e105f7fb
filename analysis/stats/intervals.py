"""Confidence intervals for design-based estimates.

Normal and Student-t Wald intervals as R's ``confint`` (``df=Inf`` or
``df=degf(design)``) and the proportion intervals of R's ``svyciprop``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy import stats

__all__ = [
    "CI_METHODS",
    "PROPORTION_METHODS",
    "proportion_interval",
    "wald_interval",
]

CiMethod = Literal["normal", "t"]
ProportionMethod = Literal["logit", "beta", "wilson", "mean", "asin", "xlogit"]
CI_METHODS: tuple[str, ...] = ("normal", "t")
PROPORTION_METHODS: tuple[str, ...] = (
    "logit",
    "beta",
    "wilson",
    "mean",
    "asin",
    "xlogit",
)


def _quantile(level: float, df: np.ndarray | float) -> np.ndarray:
    """Upper ``(1 + level) / 2`` quantile of t(df); normal where df is inf."""
    if not 0 < level < 1:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level!r}")
    df = np.asarray(df, dtype=float)
    upper = (1 + level) / 2
    t_quantile = stats.t.ppf(upper, np.where(np.isfinite(df), df, 1.0))
    return np.where(np.isfinite(df), t_quantile, stats.norm.ppf(upper))


def wald_interval(
    estimate: np.ndarray | float,
    se: np.ndarray | float,
    *,
    df: np.ndarray | float = np.inf,
    level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric Wald interval ``estimate ± q * se``.

    Parameters
    ----------
    estimate, se : array_like
        Point estimates and their standard errors.
    df : array_like, default inf
        Degrees of freedom; ``inf`` gives the normal quantile (R's default for
        ``confint`` on survey statistics), finite values Student's t.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    (ci_low, ci_high) : tuple of ndarray

    Notes
    -----
    :math:`\\hat\\theta \\pm q_{(1+\\alpha)/2}\\,\\widehat{SE}`, with
    :math:`q` from :math:`N(0,1)` or :math:`t_{df}` (Lumley 2010, sec. 2.3).

    References
    ----------
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.

    Examples
    --------
    >>> low, high = wald_interval(10.0, 1.0)
    >>> round(float(low), 4), round(float(high), 4)
    (8.04, 11.96)
    >>> low, high = wald_interval(10.0, 1.0, df=5)
    >>> round(float(high), 4)
    12.5706
    """
    estimate = np.asarray(estimate, dtype=float)
    half = _quantile(level, df) * np.asarray(se, dtype=float)
    return estimate - half, estimate + half


def _expit(value: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-value))


def proportion_interval(
    p: np.ndarray | float,
    se: np.ndarray | float,
    *,
    method: ProportionMethod = "logit",
    df: np.ndarray | float = np.inf,
    n_rows: np.ndarray | float | None = None,
    level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval for a design-based proportion, as R's ``svyciprop``.

    Parameters
    ----------
    p, se : array_like
        Estimated proportion and its design-based standard error.
    method : {"logit", "beta", "wilson", "mean", "asin", "xlogit"}
        ``logit`` (default): Wald interval on the logit scale, back-transformed.
        ``beta``: Korn & Graubard (1998) Clopper–Pearson interval on the
        effective sample size. ``wilson``: Wilson score interval on the
        effective sample size. ``mean``: Wald interval on the proportion scale.
        ``asin``: Wald interval on the arcsine-square-root scale.
        ``xlogit``: same interval as ``logit`` (R computes it by the delta
        method instead of a one-parameter GLM; the results coincide).
    df : array_like, default inf
        Design degrees of freedom (``svyciprop`` uses ``degf(design)``).
    n_rows : array_like, optional
        Number of rows of the design; needed by ``beta`` only.
    level : float, default 0.95

    Returns
    -------
    (ci_low, ci_high) : tuple of ndarray

    Notes
    -----
    With :math:`q = t_{df,(1+\\alpha)/2}` and :math:`v = \\widehat{SE}^2`:

    * logit: :math:`\\operatorname{expit}(\\operatorname{logit}\\hat p \\pm
      q\\,\\widehat{SE}/(\\hat p(1-\\hat p)))`;
    * beta: :math:`n^* = \\hat p(1-\\hat p)/v \\cdot
      (t_{n-1,\\alpha/2}/t_{df,\\alpha/2})^2`, limits
      :math:`B^{-1}(\\alpha/2; n^*\\hat p, n^*(1-\\hat p)+1)` and
      :math:`B^{-1}(1-\\alpha/2; n^*\\hat p+1, n^*(1-\\hat p))`;
    * wilson: :math:`n^* = \\hat p(1-\\hat p)/v`, limits
      :math:`(\\hat p + q^2/2n^* \\pm q\\sqrt{\\hat p(1-\\hat p)/n^* +
      q^2/4n^{*2}})/(1+q^2/n^*)`. R's ``svyciprop`` (survey 4.1) has no
      Wilson method; this is the effective-sample-size Wilson interval of
      Kott & Carr (1997).

    References
    ----------
    Korn, E. L., & Graubard, B. I. (1998). Confidence intervals for proportions
    with small expected number of positive counts estimated from survey data.
    *Survey Methodology*, 24, 193–201.
    Kott, P. S., & Carr, D. A. (1997). Developing an estimation strategy for a
    pesticide data program. *Journal of Official Statistics*, 13, 367–383.
    Wilson, E. B. (1927). Probable inference, the law of succession, and
    statistical inference. *JASA*, 22, 209–212.
    Lumley, T. (2010). *Complex Surveys*, sec. 2.3.1. Wiley.

    Examples
    --------
    >>> low, high = proportion_interval(0.2, 0.05, method="logit")
    >>> round(float(low), 4), round(float(high), 4)
    (0.1193, 0.3157)
    >>> low, high = proportion_interval(0.2, 0.05, method="wilson")
    >>> round(float(low), 4), round(float(high), 4)
    (0.1203, 0.3137)
    """
    if method not in PROPORTION_METHODS:
        raise ValueError(
            f"unknown proportion interval method {method!r}; "
            f"choose one of {', '.join(PROPORTION_METHODS)}"
        )
    p = np.asarray(p, dtype=float)
    se = np.asarray(se, dtype=float)
    q = _quantile(level, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method in ("logit", "xlogit"):
            centre = np.log(p / (1 - p))
            half = q * se / (p * (1 - p))
            return _expit(centre - half), _expit(centre + half)
        if method == "mean":
            return p - q * se, p + q * se
        if method == "asin":
            centre = np.arcsin(np.sqrt(p))
            half = q * se / (2 * np.sqrt(p * (1 - p)))
            return np.sin(centre - half) ** 2, np.sin(centre + half) ** 2
        n_eff = p * (1 - p) / se**2
        if method == "wilson":
            # A zero SE (p of 0 or 1) is the limit n_eff -> inf: the point p.
            n_eff = np.where(se > 0, n_eff, np.inf)
            centre = p + q**2 / (2 * n_eff)
            half = q * np.sqrt(p * (1 - p) / n_eff + q**2 / (4 * n_eff**2))
            scale = 1 + q**2 / n_eff
            return (centre - half) / scale, (centre + half) / scale
        if n_rows is None:
            raise ValueError("method 'beta' needs n_rows (rows of the design)")
        alpha = 1 - level
        ratio = stats.t.ppf(alpha / 2, np.asarray(n_rows, dtype=float) - 1) / (
            stats.t.ppf(alpha / 2, np.asarray(df, dtype=float))
        )
        n_eff = n_eff * ratio**2
        low = stats.beta.ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1)
        high = stats.beta.ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p))
        return low, high
