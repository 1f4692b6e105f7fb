"""Target verdicts: is an index or rate at or above its target, allowing for error?"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "MET",
    "NOT_DISTINGUISHABLE",
    "NOT_MET",
    "PLAN_TARGETS",
    "Target",
    "target_verdicts",
    "verdict",
]

Metric = Literal["index", "rate"]
Scale = Literal["identity", "logit"]
_METRICS = ("index", "rate")
_SCALES = ("identity", "logit")

MET = "met"
NOT_MET = "not met"
NOT_DISTINGUISHABLE = "not distinguishable from the target"


@dataclass(frozen=True)
class Target:
    """A target for one index (0-100) or rate (0-1).

    ``name`` matches the ``name`` column of the estimates it is checked
    against.
    """

    name: str
    metric: Metric
    value: float
    label: str = ""

    def __post_init__(self) -> None:
        if self.metric not in _METRICS:
            raise ValueError(f"metric must be one of {_METRICS}, got {self.metric!r}")
        upper = 100.0 if self.metric == "index" else 1.0
        if not 0.0 <= self.value <= upper:
            raise ValueError(
                f"target {self.name!r}: {self.metric} target must be in [0, {upper}]"
            )


#: The 2020 targets of the Jiaxing quality plan (service and tourism rows).
PLAN_TARGETS: tuple[Target, ...] = (
    Target("service_sector", "index", 80.0, "Satisfaction with the service sector"),
    Target("consumer_services", "index", 80.0, "Satisfaction with consumer services"),
    Target("producer_services", "index", 85.0, "Satisfaction with producer services"),
    Target(
        "tourist_complaint_settlement",
        "rate",
        1.0,
        "Settlement rate of tourist complaints",
    ),
)


def _logit(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(p) - np.log1p(-p)


def verdict(
    estimate: float | np.ndarray,
    se: float | np.ndarray,
    target: float | np.ndarray,
    df: float | np.ndarray = np.inf,
    confidence: float = 0.95,
    scale: Scale = "identity",
) -> pd.DataFrame:
    """One-sided confidence bounds, verdict and p-value against a target.

    Parameters
    ----------
    estimate, se : float or ndarray
        Design-based estimate and standard error.
    target : float or ndarray
    df : float or ndarray
        Design degrees of freedom (``inf``: normal quantiles).
    confidence : float
        One-sided confidence of each bound.
    scale : {"identity", "logit"}
        Scale of the bounds: identity for indexes; logit for rates (as
        ``svyciprop(method="logit")``), which keeps bounds inside (0, 1).

    Returns
    -------
    DataFrame
        ``lower, upper, verdict, p_value, alternative``: ``verdict`` is "met"
        when ``lower >= target``, "not met" when ``upper < target``, else
        "not distinguishable from the target". ``p_value`` is that of the
        one-sided test towards the side the estimate lies on
        (``alternative`` "above" or "below"); NaN when ``se`` is zero (a
        census: the verdict is then exact).

    Notes
    -----
    Identity scale: :math:`L = \\hat\\theta - t_{df,c}\\,\\mathrm{se}`,
    :math:`U = \\hat\\theta + t_{df,c}\\,\\mathrm{se}`,
    :math:`p = 1 - F_{t,df}(|\\hat\\theta - \\theta_0|/\\mathrm{se})`.
    Logit scale: the same on :math:`\\operatorname{logit}\\hat p` with
    :math:`\\mathrm{se}/(\\hat p(1-\\hat p))`, transformed back.

    References
    ----------
    Lumley, T. (2010). *Complex Surveys*, sec. 2.3 and 5.2. Wiley.

    Examples
    --------
    >>> out = verdict([82.0, 81.0, 77.0], [0.8, 1.0, 1.0], 80.0)
    >>> out[["lower", "verdict"]].round(3)
        lower                              verdict
    0  80.684                                  met
    1  79.355  not distinguishable from the target
    2  75.355                              not met
    """
    if scale not in _SCALES:
        raise ValueError(f"scale must be one of {_SCALES}, got {scale!r}")
    est, se_, goal, dfs = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(v, float)) for v in (estimate, se, target, df))
    )
    quantile = stats.t.ppf(confidence, dfs)
    if scale == "logit":
        with np.errstate(divide="ignore", invalid="ignore"):
            centre, spread = _logit(est), se_ / (est * (1 - est))
            statistic = (centre - _logit(goal)) / spread
        expit = stats.logistic.cdf
        lower = expit(centre - quantile * spread)
        upper = expit(centre + quantile * spread)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            statistic = (est - goal) / se_
        lower, upper = est - quantile * se_, est + quantile * se_
    census = se_ == 0
    lower, upper = np.where(census, est, lower), np.where(census, est, upper)
    p_value = np.where(census, np.nan, stats.t.sf(np.abs(statistic), dfs))
    result = np.where(
        lower >= goal, MET, np.where(upper < goal, NOT_MET, NOT_DISTINGUISHABLE)
    )
    return pd.DataFrame(
        {
            "lower": lower,
            "upper": upper,
            "verdict": result,
            "p_value": p_value,
            "alternative": np.where(est >= goal, "above", "below"),
        }
    )


def target_verdicts(
    estimates: pd.DataFrame,
    targets: Sequence[Target] = PLAN_TARGETS,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Verdicts for every target whose estimate is present.

    Parameters
    ----------
    estimates : DataFrame
        Columns ``name, estimate, se`` and optionally ``df`` (one row per
        index or rate, e.g. the roll-ups and rates).
    targets : sequence of Target
        The plan's targets by default.
    confidence : float

    Returns
    -------
    DataFrame
        ``name, metric, target, estimate, se, df, lower, upper, verdict,
        p_value, alternative, confidence``; rates use logit-scale bounds.

    Notes
    -----
    Each row is :func:`verdict` of its estimate against its target.

    Examples
    --------
    >>> est = pd.DataFrame({"name": ["service_sector", "tourist_complaint_settlement"],
    ...                     "estimate": [83.0, 1.0], "se": [1.0, 0.0]})
    >>> target_verdicts(est).verdict.tolist()
    ['met', 'met']
    """
    for column in ("name", "estimate", "se"):
        if column not in estimates.columns:
            raise ValueError(f"estimates lack column {column!r}")
    table = pd.DataFrame(
        [(t.name, t.metric, t.value) for t in targets],
        columns=["name", "metric", "target"],
    ).merge(estimates, on="name", how="inner", validate="one_to_one")
    if "df" not in table:
        table = table.assign(df=np.inf)
    parts = []
    for metric, rows in table.groupby("metric", sort=False):
        scale = "logit" if metric == "rate" else "identity"
        bounds = verdict(
            rows.estimate,
            rows.se,
            rows.target,
            rows.df.fillna(np.inf),
            confidence,
            scale,
        )
        parts.append(pd.concat([rows.reset_index(drop=True), bounds], axis=1))
    columns = ["name", "metric", "target", "estimate", "se", "df"]
    if not parts:
        return pd.DataFrame(columns=[*columns, "lower", "upper", "verdict"])
    out = pd.concat(parts, ignore_index=True)
    return out[[*columns, *bounds.columns]].assign(confidence=confidence)
