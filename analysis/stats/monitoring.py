"""Change between waves and monitoring of indexes over successive periods."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats.scoring import Item

__all__ = ["detect_falls", "ewma_chart", "questionnaire_changes", "wave_change"]

_ESTIMATE_COLUMNS = ("estimate", "se")


def _require(frame: pd.DataFrame, columns: Iterable[str], role: str) -> None:
    for column in columns:
        if column not in frame.columns:
            raise ValueError(f"{role} lack column {column!r}")


def _satterthwaite(v1: np.ndarray, v2: np.ndarray, df1, df2) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        df = (v1 + v2) ** 2 / (v1**2 / df1 + v2**2 / df2)
    return np.where(np.isnan(df), np.inf, df)


def wave_change(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    on: str | Sequence[str] = "name",
    covariance: pd.Series | float = 0.0,
    questionnaire_changed: Mapping[str, bool] | bool = False,
    level: float = 0.95,
) -> pd.DataFrame:
    """Change of each index or rate from the previous wave.

    Parameters
    ----------
    current, previous : DataFrame
        Columns ``on``, ``estimate``, ``se`` and optionally ``df``.
    on : str or list of str
        Key of an index (e.g. ``name``, or ``domain_type, domain``).
    covariance : float or Series
        Covariance of the two estimates (zero for independent samples; give
        it for overlapping panels), aligned with the merged rows.
    questionnaire_changed : bool or mapping
        Flag per index (keyed by the first ``on`` column) when the items it
        uses differ between the waves (see :func:`questionnaire_changes`).
    level : float

    Returns
    -------
    DataFrame
        ``on..., previous, current, change, se, ci_low, ci_high, df, p_value``
        (two-sided), ``p_fall`` (one-sided, for a decrease) and
        ``questionnaire_changed``.

    Notes
    -----
    :math:`\\Delta = \\hat\\theta_t - \\hat\\theta_{t-1}`,
    :math:`\\mathrm{se}(\\Delta) = \\sqrt{\\mathrm{se}_t^2 + \\mathrm{se}_{t-1}^2
    - 2\\,\\mathrm{cov}}` with Welch-Satterthwaite degrees of freedom.

    References
    ----------
    Lumley, T. (2010). *Complex Surveys*, sec. 3.3 (contrasts). Wiley.

    Examples
    --------
    >>> now = pd.DataFrame({"name": ["bus"], "estimate": [76.0], "se": [1.2]})
    >>> before = pd.DataFrame({"name": ["bus"], "estimate": [80.0], "se": [1.6]})
    >>> out = wave_change(now, before)
    >>> float(out.change[0]), float(out.se[0]), bool(out.p_fall[0] < 0.05)
    (-4.0, 2.0, True)
    """
    keys = [on] if isinstance(on, str) else list(on)
    _require(current, [*keys, *_ESTIMATE_COLUMNS], "current estimates")
    _require(previous, [*keys, *_ESTIMATE_COLUMNS], "previous estimates")
    merged = current.merge(
        previous, on=keys, suffixes=("", "_previous"), validate="one_to_one"
    )
    df_now = np.asarray(merged.get("df", np.inf), float)
    df_before = np.asarray(merged.get("df_previous", np.inf), float)
    v1, v2 = merged["se"] ** 2, merged["se_previous"] ** 2
    variance = np.clip(v1 + v2 - 2 * np.asarray(covariance, float), 0, None)
    df = _satterthwaite(v1.to_numpy(), v2.to_numpy(), df_now, df_before)
    change = merged["estimate"] - merged["estimate_previous"]
    se = np.sqrt(variance)
    half = stats.t.ppf((1 + level) / 2, df) * se
    statistic = change / se
    if isinstance(questionnaire_changed, Mapping):
        flag = merged[keys[0]].map(questionnaire_changed).fillna(False).astype(bool)
    else:
        flag = np.full(len(merged), bool(questionnaire_changed))
    return merged[keys].assign(
        previous=merged["estimate_previous"],
        current=merged["estimate"],
        change=change,
        se=se,
        ci_low=change - half,
        ci_high=change + half,
        df=df,
        p_value=2 * stats.t.sf(np.abs(statistic), df),
        p_fall=stats.t.cdf(statistic, df),
        questionnaire_changed=flag,
    )


def questionnaire_changes(
    previous: Sequence[Item],
    current: Sequence[Item],
    dimensions: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Items that differ between two waves' questionnaires.

    Parameters
    ----------
    previous, current : sequence of Item
    dimensions : iterable of str, optional
        Only items of these dimensions (those an index uses); all when omitted.

    Returns
    -------
    DataFrame
        ``code, change`` with change one of ``added, removed, dimension,
        scale, reverse, na_codes``; empty when the index is comparable.

    Examples
    --------
    >>> old = [Item("q1", "staff", 1, 5), Item("q2", "staff", 1, 5)]
    >>> new = [Item("q1", "staff", 1, 7), Item("q3", "staff", 1, 5)]
    >>> questionnaire_changes(old, new).values.tolist()
    [['q1', 'scale'], ['q2', 'removed'], ['q3', 'added']]
    """
    wanted = None if dimensions is None else set(dimensions)
    before = {i.code: i for i in previous if wanted is None or i.dimension in wanted}
    after = {i.code: i for i in current if wanted is None or i.dimension in wanted}
    rows = []
    for code in sorted(before.keys() | after.keys()):
        if code not in after:
            rows.append((code, "removed"))
        elif code not in before:
            rows.append((code, "added"))
        else:
            old, new = before[code], after[code]
            if old.dimension != new.dimension:
                rows.append((code, "dimension"))
            if (old.scale_min, old.scale_max) != (new.scale_min, new.scale_max):
                rows.append((code, "scale"))
            if old.reverse != new.reverse:
                rows.append((code, "reverse"))
            if set(old.na_codes) != set(new.na_codes):
                rows.append((code, "na_codes"))
    return pd.DataFrame(rows, columns=["code", "change"])


def _wide(history: pd.DataFrame, column: str) -> pd.DataFrame:
    return history.pivot(index="period", columns="name", values=column).sort_index()


def ewma_chart(
    history: pd.DataFrame,
    smoothing: float = 0.2,
    width: float = 3.0,
    baseline: int = 3,
    centre: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """EWMA control chart of each index over successive periods.

    Parameters
    ----------
    history : DataFrame
        Columns ``name, period, estimate, se``; periods sort in time order.
    smoothing : float
        :math:`\\lambda` in (0, 1]; 1 gives a Shewhart chart of the estimates.
    width : float
        Control limits at ``width`` standard deviations of the EWMA.
    baseline : int
        Periods whose mean is the in-control level, unless ``centre`` gives it.
    centre : mapping, optional
        In-control level per name (e.g. a previous year's index).

    Returns
    -------
    DataFrame
        ``name, period, estimate, ewma, centre, lcl, ucl, signal`` where
        signal is ``"below"``, ``"above"`` or ``""``.

    Notes
    -----
    :math:`z_t = \\lambda \\hat\\theta_t + (1-\\lambda) z_{t-1}`,
    :math:`z_0 = \\mu_0`. With independent samples in each period the EWMA's
    sampling variance is
    :math:`\\sum_{k \\le t} \\lambda^2 (1-\\lambda)^{2(t-k)} \\mathrm{se}_k^2`;
    limits are :math:`\\mu_0 \\pm L\\sqrt{\\cdot}`.

    References
    ----------
    Roberts, S. W. (1959). Control chart tests based on geometric moving
    averages. *Technometrics* 1, 239-250.

    Examples
    --------
    >>> h = pd.DataFrame({"name": "bus", "period": range(6),
    ...                   "estimate": [80, 80.5, 79.5, 80, 76, 75.0], "se": 1.0})
    >>> ewma_chart(h, smoothing=0.5).signal.tolist()
    ['', '', '', '', 'below', 'below']
    """
    if not 0 < smoothing <= 1:
        raise ValueError(f"smoothing must be in (0, 1], got {smoothing}")
    _require(history, ["name", "period", *_ESTIMATE_COLUMNS], "history")
    estimate, se = _wide(history, "estimate"), _wide(history, "se")
    if centre is None:
        mu = estimate.iloc[:baseline].mean().to_numpy()
    else:
        mu = np.array([centre[name] for name in estimate.columns], float)
    z, variance = mu.copy(), np.zeros(len(mu))
    ewma, spread = np.empty(estimate.shape), np.empty(estimate.shape)
    for t, (values, errors) in enumerate(
        zip(estimate.to_numpy(), se.to_numpy(), strict=True)
    ):  # a loop over periods, not respondents
        z = smoothing * values + (1 - smoothing) * z
        variance = smoothing**2 * errors**2 + (1 - smoothing) ** 2 * variance
        ewma[t], spread[t] = z, width * np.sqrt(variance)
    mu_wide = np.broadcast_to(mu, ewma.shape)
    lcl, ucl = mu_wide - spread, mu_wide + spread
    signal = np.where(ewma < lcl, "below", np.where(ewma > ucl, "above", ""))
    parts = {
        "estimate": estimate.to_numpy(),
        "ewma": ewma,
        "centre": mu_wide,
        "lcl": lcl,
        "ucl": ucl,
        "signal": signal,
    }
    long = pd.DataFrame(
        {key: value.ravel() for key, value in parts.items()},
        index=pd.MultiIndex.from_product(
            [estimate.index, estimate.columns], names=["period", "name"]
        ),
    ).reset_index()
    return long.sort_values(["name", "period"], ignore_index=True)[
        ["name", "period", *parts]
    ]


def detect_falls(
    history: pd.DataFrame,
    alpha: float = 0.05,
    smoothing: float = 0.2,
    width: float = 3.0,
    baseline: int = 3,
) -> pd.DataFrame:
    """Name the indexes that fell significantly in the latest period.

    Parameters
    ----------
    history : DataFrame
        ``name, period, estimate, se`` (``df`` optional) over at least two
        periods.
    alpha : float
        One-sided level of the test against the previous period.
    smoothing, width, baseline
        Of the EWMA chart (:func:`ewma_chart`).

    Returns
    -------
    DataFrame
        One row per name for the latest period: ``change, se, p_fall,
        significant_fall, ewma, lcl, ewma_signal, fell`` where ``fell`` is
        true when either the test or the chart signals a fall.

    Notes
    -----
    Fell if :math:`p_{fall} < \\alpha` (one-sided test of
    :math:`\\theta_t < \\theta_{t-1}`, :func:`wave_change`) or
    :math:`z_t < \\mathrm{LCL}_t` (:func:`ewma_chart`).

    Examples
    --------
    >>> h = pd.DataFrame({"name": ["bus"] * 4 + ["clinic"] * 4,
    ...                   "period": list(range(4)) * 2,
    ...                   "estimate": [80, 80, 81, 74, 85, 85, 86, 85.5],
    ...                   "se": 1.5})
    >>> detect_falls(h).query("fell").name.tolist()
    ['bus']
    """
    _require(history, ["name", "period", *_ESTIMATE_COLUMNS], "history")
    periods = np.sort(history["period"].unique())
    if len(periods) < 2:
        raise ValueError("monitoring needs at least two periods")
    latest = history[history["period"] == periods[-1]]
    previous = history[history["period"] == periods[-2]]
    change = wave_change(latest, previous)
    chart = ewma_chart(history, smoothing, width, baseline)
    chart = chart[chart["period"] == periods[-1]]
    out = change[["name", "change", "se", "p_fall"]].merge(
        chart[["name", "period", "ewma", "lcl", "signal"]], on="name"
    )
    out = out.rename(columns={"signal": "ewma_signal"})
    significant = out["p_fall"] < alpha
    return out.assign(
        significant_fall=significant,
        fell=significant | (out["ewma_signal"] == "below"),
    )
