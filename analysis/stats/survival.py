"""Kaplan–Meier estimation of time-to-event curves with censoring.

Used for the time it takes to settle a complaint: a complaint still open on the
report date is *censored* (we know it has taken at least that long), not dropped.
Dropping open complaints would keep only the quick ones and understate the time
to settlement.

The estimates, standard errors, pointwise confidence bands and quantiles follow
R's ``survival::survfit`` (Therneau 2024) for right-censored data with unit case
weights, so results can be checked against it number for number.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

ConfType = Literal["log", "log-log", "plain"]

# survfit's tolerance for "the curve sits exactly on the probability" in quantiles.
_QUANTILE_TOL = float(np.sqrt(np.finfo(float).eps))


@dataclass(frozen=True)
class KaplanMeier:
    """A Kaplan–Meier survival curve, one entry per distinct observed time.

    Attributes
    ----------
    time : ndarray
        Distinct observed times (events and censorings), increasing.
    n_risk, n_event, n_censor : ndarray
        Number at risk just before ``time``, events and censorings at ``time``.
    survival : ndarray
        :math:`\\hat S(t)`, the estimated probability that the event has not yet
        happened by ``time``.
    std_err_log : ndarray
        Greenwood standard error of :math:`\\log \\hat S(t)` (survfit's
        ``std.err``); infinite once the curve reaches zero.
    lower, upper : ndarray
        Pointwise confidence limits of :math:`S(t)`; NaN where undefined.
    conf_level : float
    conf_type : {"log", "log-log", "plain"}
    """

    time: npt.NDArray[np.float64]
    n_risk: npt.NDArray[np.int64]
    n_event: npt.NDArray[np.int64]
    n_censor: npt.NDArray[np.int64]
    survival: npt.NDArray[np.float64]
    std_err_log: npt.NDArray[np.float64]
    lower: npt.NDArray[np.float64]
    upper: npt.NDArray[np.float64]
    conf_level: float
    conf_type: ConfType

    @property
    def n(self) -> int:
        """Number of observations the curve was estimated from."""
        return int(self.n_risk[0]) if self.n_risk.size else 0

    @property
    def events(self) -> int:
        """Number of events observed."""
        return int(self.n_event.sum())

    @property
    def std_err(self) -> npt.NDArray[np.float64]:
        """Standard error of :math:`\\hat S(t)` itself (``summary(survfit)``)."""
        with np.errstate(invalid="ignore"):
            return self.survival * self.std_err_log

    def survival_at(self, times: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Evaluate the step function :math:`\\hat S` at ``times`` (1 before the
        first observed time; NaN after the last time if the curve has not reached
        zero, since it is not estimable there)."""
        at = np.asarray(times, dtype=float)
        position = np.searchsorted(self.time, at, side="right")
        padded = np.concatenate(([1.0], self.survival))
        values = padded[position]
        beyond = at > self.time[-1] if self.time.size else np.ones_like(at, bool)
        if self.survival.size and self.survival[-1] > 0:
            values = np.where(beyond, np.nan, values)
        return values

    def quantile(
        self, probs: float | npt.ArrayLike = 0.5
    ) -> tuple[npt.NDArray[np.float64], ...]:
        """Time by which a share ``probs`` of events has happened, with limits.

        Returns ``(estimate, lower, upper)`` arrays; NaN where the curve (or its
        confidence limit) never gets that far. ``probs=0.5`` gives the median
        with the Brookmeyer–Crowley style interval read off the pointwise band,
        as ``quantile.survfit`` does.
        """
        p = np.atleast_1d(np.asarray(probs, dtype=float))
        if np.any((p < 0) | (p > 1)) or np.any(np.isnan(p)):
            raise ValueError("probs must lie in [0, 1]")
        return (
            _find_quantile(self.time, self.survival, p),
            _find_quantile(self.time, self.lower, p),
            _find_quantile(self.time, self.upper, p),
        )

    def median(self) -> tuple[float, float, float]:
        """Median time ``(estimate, lower, upper)``; NaN where not reached."""
        estimate, lower, upper = self.quantile(0.5)
        return float(estimate[0]), float(lower[0]), float(upper[0])

    def to_frame(self) -> pd.DataFrame:
        """The curve as a table, one row per distinct time."""
        return pd.DataFrame(
            {
                "time": self.time,
                "n_risk": self.n_risk,
                "n_event": self.n_event,
                "n_censor": self.n_censor,
                "survival": self.survival,
                "std_err": self.std_err,
                "lower": self.lower,
                "upper": self.upper,
            }
        )


def kaplan_meier(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    *,
    conf_level: float = 0.95,
    conf_type: ConfType = "log",
) -> KaplanMeier:
    """Kaplan–Meier estimate of the survival curve with Greenwood errors.

    Parameters
    ----------
    time : array_like of float
        Follow-up time of each subject (finite, non-negative): time to the event,
        or to censoring for subjects whose event was not observed.
    event : array_like of bool
        True (or 1) where the event was observed at ``time``, False (or 0) where
        the subject was censored then.
    conf_level : float, default 0.95
        Level of the pointwise confidence band.
    conf_type : {"log", "log-log", "plain"}, default "log"
        Scale on which the normal band is built; "log" is survfit's default.

    Returns
    -------
    KaplanMeier

    Raises
    ------
    ValueError
        On empty or mismatched input, negative or non-finite times, event
        indicators other than 0/1, an unknown ``conf_type`` or a level outside
        (0, 1).

    Notes
    -----
    With distinct times :math:`t_1 < \\dots < t_k`, :math:`n_j` at risk just
    before :math:`t_j` (censored subjects count as at risk at their own time)
    and :math:`d_j` events at :math:`t_j`:

    .. math::

        \\hat S(t) = \\prod_{t_j \\le t} \\left(1 - \\frac{d_j}{n_j}\\right), \\qquad
        \\widehat{\\mathrm{se}}\\{\\log \\hat S(t)\\} =
        \\sqrt{\\sum_{t_j \\le t} \\frac{d_j}{n_j (n_j - d_j)}}
        \\quad \\text{(Greenwood)}.

    With :math:`z = \\Phi^{-1}(1 - \\alpha/2)` and :math:`s` that standard error,
    the "log" band is :math:`\\hat S e^{\\pm z s}` (upper capped at 1), "log-log"
    is :math:`\\hat S^{\\exp(\\pm z s / \\log \\hat S)}` and "plain" is
    :math:`\\hat S \\pm z s \\hat S` clipped to [0, 1], as in survfit.

    References
    ----------
    Kaplan, E. L. and Meier, P. (1958). Nonparametric estimation from incomplete
    observations. *JASA* 53, 457–481.
    Greenwood, M. (1926). The natural duration of cancer. *Reports on Public
    Health and Medical Subjects* 33. HMSO.
    Therneau, T. M. (2024). *A Package for Survival Analysis in R*, R package
    ``survival``, function ``survfit.formula``.

    Examples
    --------
    >>> curve = kaplan_meier([1, 2, 2, 3, 4, 4, 5, 6], [1, 1, 0, 1, 1, 1, 0, 1])
    >>> curve.time.tolist()
    [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    >>> curve.survival.round(3).tolist()
    [0.875, 0.75, 0.6, 0.3, 0.3, 0.0]
    >>> curve.lower.round(4).tolist()[:4]
    [0.6734, 0.5027, 0.3315, 0.0954]
    >>> curve.median()
    (4.0, 3.0, nan)
    """
    duration, observed = _validate(time, event, conf_level, conf_type)
    # Order among equal times does not matter: ties are counted together.
    order = np.argsort(duration)
    return _from_sorted(duration[order], observed[order], conf_level, conf_type)


def _from_sorted(
    duration: npt.NDArray[np.float64],
    observed: npt.NDArray[np.float64],
    conf_level: float,
    conf_type: ConfType,
) -> KaplanMeier:
    """The estimate from times already in increasing order (no sort needed)."""
    starts = np.flatnonzero(np.concatenate(([True], duration[1:] != duration[:-1])))
    distinct = duration[starts]
    n_at_time = np.diff(np.append(starts, duration.size))
    n_event = np.add.reduceat(observed, starts).astype(np.int64)
    n_risk = duration.size - np.concatenate(([0], np.cumsum(n_at_time)[:-1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        survival = np.cumprod(1.0 - n_event / n_risk)
        greenwood = np.cumsum(n_event / (n_risk * (n_risk - n_event)))
    std_err_log = np.sqrt(greenwood)
    lower, upper = _confidence_band(survival, std_err_log, conf_level, conf_type)
    return KaplanMeier(
        time=distinct,
        n_risk=n_risk,
        n_event=n_event,
        n_censor=n_at_time - n_event,
        survival=survival,
        std_err_log=std_err_log,
        lower=lower,
        upper=upper,
        conf_level=conf_level,
        conf_type=conf_type,
    )


def kaplan_meier_by(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    groups: npt.ArrayLike,
    *,
    conf_level: float = 0.95,
    conf_type: ConfType = "log",
    overall: Hashable | None = None,
) -> dict[Hashable, KaplanMeier]:
    """One Kaplan–Meier curve per group (survfit's ``strata``), in sorted order.

    Parameters
    ----------
    time, event, conf_level, conf_type
        As in :func:`kaplan_meier`.
    groups : array_like
        Group label of each subject, same length as ``time``; missing labels are
        rejected rather than silently dropped.
    overall : hashable, optional
        If given, the curve of all subjects comes first under this label (it
        shares the sort, so it costs little more).

    Returns
    -------
    dict
        Group label to its :class:`KaplanMeier` curve.

    Examples
    --------
    >>> curves = kaplan_meier_by([2, 3, 1, 5], [1, 0, 1, 1], ["Xitang", "Wuzhen",
    ...                          "Wuzhen", "Xitang"])
    >>> {area: curve.survival.tolist() for area, curve in curves.items()}
    {'Wuzhen': [0.5, 0.5], 'Xitang': [0.5, 0.0]}
    """
    duration, observed = _validate(time, event, conf_level, conf_type)
    labels = groups if isinstance(groups, pd.Series) else pd.Series(list(groups))
    if labels.size != duration.size:
        raise ValueError("groups must have the same length as time")
    if labels.isna().any():
        raise ValueError("groups has missing labels")
    codes, uniques = pd.factorize(labels, sort=True)
    # One sort by time, then a stable (radix) sort by group keeps each group's
    # times in order: every curve is read off without sorting again.
    by_time = np.argsort(duration)
    small_codes = codes.astype(np.min_scalar_type(max(len(uniques) - 1, 0)))
    order = by_time[np.argsort(small_codes[by_time], kind="stable")]
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    curves: dict[Hashable, KaplanMeier] = {}
    if overall is not None:
        curves[overall] = _from_sorted(
            duration[by_time], observed[by_time], conf_level, conf_type
        )
    for code, label in enumerate(uniques):
        members = order[bounds[code] : bounds[code + 1]]
        curves[label] = _from_sorted(
            duration[members], observed[members], conf_level, conf_type
        )
    return curves


def median_table(curves: dict[Hashable, KaplanMeier]) -> pd.DataFrame:
    """Median time with its interval and the counts behind it, one row per curve.

    Examples
    --------
    >>> curves = {"all": kaplan_meier([1, 2, 3, 4], [1, 1, 1, 0])}
    >>> median_table(curves).to_dict("records")
    [{'group': 'all', 'n': 4, 'events': 3, 'median': 2.5, 'lower': 1.0, 'upper': nan}]
    """
    rows = []
    for label, curve in curves.items():
        estimate, lower, upper = curve.median()
        rows.append(
            {
                "group": label,
                "n": curve.n,
                "events": curve.events,
                "median": estimate,
                "lower": lower,
                "upper": upper,
            }
        )
    columns = ["group", "n", "events", "median", "lower", "upper"]
    return pd.DataFrame(rows, columns=columns)


def _validate(
    time: npt.ArrayLike, event: npt.ArrayLike, conf_level: float, conf_type: str
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    if conf_type not in get_args(ConfType):
        raise ValueError(
            f"unknown conf_type {conf_type!r}; choose one of {get_args(ConfType)}"
        )
    if not 0 < conf_level < 1:
        raise ValueError("conf_level must lie strictly between 0 and 1")
    try:
        duration = np.asarray(time, dtype=float).ravel()
        observed = np.asarray(event, dtype=float).ravel()
    except (TypeError, ValueError) as error:
        raise TypeError("time and event must be numeric") from error
    if duration.size == 0:
        raise ValueError("time is empty")
    if duration.size != observed.size:
        raise ValueError("time and event must have the same length")
    if not np.all(np.isfinite(duration)):
        raise ValueError("time has missing or infinite values")
    if np.any(duration < 0):
        raise ValueError("time has negative values")
    if not np.all((observed == 0) | (observed == 1)):
        raise ValueError("event must be 0/1 or boolean")
    return duration, observed


def _confidence_band(
    survival: npt.NDArray[np.float64],
    std_err_log: npt.NDArray[np.float64],
    conf_level: float,
    conf_type: ConfType,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Pointwise limits as ``survival:::survfit_confint`` builds them."""
    z = stats.norm.ppf(1 - (1 - conf_level) / 2)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "plain":
            half = z * std_err_log * survival
            lower = np.maximum(survival - half, 0.0)
            upper = np.minimum(survival + half, 1.0)
            undefined = np.isnan(half)
        elif conf_type == "log":
            defined = np.where(survival == 0, np.nan, survival)
            lower = np.exp(np.log(defined) - z * std_err_log)
            upper = np.minimum(np.exp(np.log(defined) + z * std_err_log), 1.0)
            undefined = np.isnan(defined)
        else:  # log-log
            defined = np.where((survival == 0) | (survival == 1), np.nan, survival)
            shift = z * std_err_log / np.log(defined)
            lower = np.exp(-np.exp(np.log(-np.log(defined)) - shift))
            upper = np.exp(-np.exp(np.log(-np.log(defined)) + shift))
            undefined = np.isnan(defined)
    lower = np.where(undefined, np.nan, lower)
    upper = np.where(undefined, np.nan, upper)
    return lower, upper


def _find_quantile(
    time: npt.NDArray[np.float64],
    curve: npt.NDArray[np.float64],
    probs: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """``survival:::findq``: first time the event share reaches each prob.

    Where the curve sits exactly on the probability over an interval, the
    midpoint of that interval is returned, as survfit does.
    """
    x = np.concatenate(([0.0], time))
    y = np.concatenate(([0.0], 1.0 - curve))
    result = np.full(probs.shape, np.nan)
    if time.size == 0 or np.all(np.isnan(y)) or np.nanmax(y) < probs.min():
        return result
    x_last = x[-1]
    x_sorted, y_sorted, y_final = _first_levels(x, y)

    def first_reaching(levels: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        position = np.searchsorted(levels, probs, side="left")
        # approx(rule = 1) gives NA outside the range of the levels.
        found = (position < levels.size) & (probs >= levels[0])
        times = np.full(probs.shape, np.nan)
        times[found] = x_sorted[position[found]]
        return times

    at_or_above = first_reaching(y_sorted + _QUANTILE_TOL)
    strictly_above = first_reaching(y_sorted - _QUANTILE_TOL)
    result = (at_or_above + strictly_above) / 2
    result[probs == 0] = x[0]
    if not np.isnan(y_final):
        on_last_level = np.abs(probs - y_final) < _QUANTILE_TOL
        result[on_last_level] = (at_or_above[on_last_level] + x_last) / 2
    return result


def _first_levels(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], float]:
    """Times and levels of each level's first occurrence, sorted by level.

    As findq: ``duplicated`` keeps the first occurrence (NaN counted once),
    ``approx`` drops NaN and orders by level. Also returns the last level left
    after de-duplication (NaN when that is the NaN), which findq checks.
    """
    defined = ~np.isnan(y)
    first_nan = y.size if defined.all() else int(np.argmin(defined))
    x_defined, y_defined = x[defined], y[defined]
    steps = np.diff(y_defined)
    if not defined[first_nan:].any() and np.all(steps >= 0):
        # Common case, linear time: a non-decreasing curve, NaN only at its end.
        keep = np.concatenate(([True], steps != 0))
        x_kept, y_kept = x_defined[keep], y_defined[keep]
        return x_kept, y_kept, np.nan if first_nan < y.size else float(y_kept[-1])
    _, first = np.unique(y, return_index=True, equal_nan=True)
    first = np.sort(first)
    y_final = float(y[first[-1]])
    first = first[defined[first]]
    order = np.argsort(y[first], kind="stable")
    return x[first][order], y[first][order], y_final
