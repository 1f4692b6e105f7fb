"""Settlement of tourist complaints: rates and on-time rates.

The plan's target is a 100% settlement rate for tourist complaints. This module
turns one row per complaint into the figures officials read against it (time
to settlement is in :mod:`analysis.stats.settlement_times`). It is
pure pandas/numpy/scipy: the Django side builds the frame, nothing here knows
about models.

The complaint frame
-------------------
One row per complaint with these columns (extra columns are kept for grouping):

``status``
    One of :data:`STATUSES`: ``received``, ``accepted``, ``in_progress`` (open),
    ``settled``, ``closed_unsettled`` (concluded) or ``rejected`` (not admitted).
``received_at``
    When the complaint was received (datetime64).
``settled_at``, ``closed_at``
    When it was settled / concluded (NaT while open; ``closed_at`` equals
    ``settled_at`` for settled complaints).
``settle_by``
    The settlement deadline (received date plus the category's working days).

Definitions
-----------
*Rejected* complaints were not admitted (out of scope, duplicates): they are
reported in their own column and left out of every rate. An admitted complaint
is *pending* while it is open and its deadline has not passed on the report date
(``as_of``): it has not failed yet, so it is left out too. Every other admitted
complaint is *counted*: concluded ones, and open ones whose deadline has passed.

settlement rate
    settled / counted.
on-time settlement rate
    settled no later than ``settle_by`` / counted.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from analysis.stats.binomial import IntervalMethod, binomial_interval, target_verdict

OPEN_STATUSES = ("received", "accepted", "in_progress")
STATUSES = (*OPEN_STATUSES, "settled", "closed_unsettled", "rejected")
REQUIRED_COLUMNS = ("status", "received_at", "settled_at", "closed_at", "settle_by")
SETTLEMENT_TARGET = 1.0


def settlement_outcomes(frame: pd.DataFrame, *, as_of: pd.Timestamp) -> pd.DataFrame:
    """Classify each complaint as rejected, pending or counted, settled, on time.

    Parameters
    ----------
    frame : DataFrame
        The complaint frame (see the module docstring).
    as_of : Timestamp
        The report date. Figures are as they stood then: a complaint concluded
        later counts as open; one received later is an input error.

    Returns
    -------
    DataFrame
        Boolean columns ``rejected``, ``pending``, ``counted``, ``settled``,
        ``settled_on_time``, aligned with ``frame``.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "status": ["settled", "in_progress", "in_progress", "rejected"],
    ...     "received_at": pd.to_datetime(["2026-05-01"] * 4),
    ...     "settled_at": pd.to_datetime(["2026-05-30", None, None, None]),
    ...     "closed_at": pd.to_datetime(["2026-05-30", None, None, "2026-05-02"]),
    ...     "settle_by": pd.to_datetime(["2026-05-22", "2026-05-22",
    ...                                  "2026-06-30", "2026-05-22"]),
    ... })
    >>> settlement_outcomes(frame, as_of=pd.Timestamp("2026-06-01")).sum().to_dict()
    {'rejected': 1, 'pending': 1, 'counted': 2, 'settled': 1, 'settled_on_time': 0}
    """
    validate_frame(frame, as_of)
    masks = status_masks(frame, as_of)
    settle_by = instants(frame, "settle_by")
    settled_at = instants(frame, "settled_at")
    rejected = masks["rejected"]
    settled = masks["settled"]
    is_open = masks["received"] | masks["accepted"] | masks["in_progress"]
    pending = is_open & (settle_by >= instant(as_of))
    counted = ~rejected & ~pending
    on_time = settled & (settled_at <= settle_by)
    return pd.DataFrame(
        {
            "rejected": rejected,
            "pending": pending,
            "counted": counted,
            "settled": settled,
            "settled_on_time": on_time,
        },
        index=frame.index,
    )


def settlement_rates(
    frame: pd.DataFrame,
    *,
    as_of: pd.Timestamp,
    by: str | Sequence[str] | None = None,
    method: IntervalMethod = "wilson",
    conf_level: float = 0.95,
    target: float = SETTLEMENT_TARGET,
) -> pd.DataFrame:
    """Settlement and on-time settlement rates with intervals and verdicts.

    Parameters
    ----------
    frame : DataFrame
        The complaint frame (see the module docstring).
    as_of : Timestamp
        Report date: decides which open complaints are pending.
    by : str or list of str, optional
        Grouping columns (e.g. ``"scenic_area"``, ``"category"``, ``"channel"``
        or a ``"period"`` made by :func:`with_period`); one overall row if None.
    method : {"wilson", "exact"}, default "wilson"
        Interval for both rates, see :func:`binomial_interval`.
    conf_level : float, default 0.95
    target : float, default 1.0
        Target settlement rate, see :func:`target_verdict`.

    Returns
    -------
    DataFrame
        One row per group: ``received``, ``rejected``, ``pending``,
        ``counted``, ``settled``, ``unsettled``, ``settlement_rate``,
        ``lower``, ``upper``, ``target``, ``verdict``, ``settled_on_time``,
        ``on_time_rate``, ``on_time_lower``, ``on_time_upper``. Rates are NaN
        and the verdict "no data" where nothing is counted.

    Notes
    -----
    Complaints are a census, not a sample: the interval treats the complaints
    of a group as draws from the handling process that produced them, so it
    says how precisely that process's rate is known, which matters for small
    scenic areas and short periods.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "status": ["settled"] * 3 + ["closed_unsettled"],
    ...     "received_at": pd.to_datetime(["2026-05-04"] * 4),
    ...     "settled_at": pd.to_datetime(["2026-05-06"] * 3 + [None]),
    ...     "closed_at": pd.to_datetime(["2026-05-06"] * 4),
    ...     "settle_by": pd.to_datetime(["2026-05-22"] * 4),
    ...     "scenic_area": ["Wuzhen", "Wuzhen", "Xitang", "Xitang"],
    ... })
    >>> table = settlement_rates(frame, as_of=pd.Timestamp("2026-06-01"),
    ...                          by="scenic_area")
    >>> table[["scenic_area", "counted", "settlement_rate", "verdict"]]
      scenic_area  counted  settlement_rate  verdict
    0      Wuzhen        2              1.0      met
    1      Xitang        2              0.5  not met
    """
    outcomes = settlement_outcomes(frame, as_of=as_of)
    return _rate_table(
        frame, outcomes, _grouping(frame, by), method, conf_level, target
    )


def settlement_rates_by(
    frame: pd.DataFrame,
    *,
    as_of: pd.Timestamp,
    dimensions: Sequence[str] = ("period", "scenic_area", "category", "channel"),
    method: IntervalMethod = "wilson",
    conf_level: float = 0.95,
    target: float = SETTLEMENT_TARGET,
) -> dict[str, pd.DataFrame]:
    """:func:`settlement_rates` overall and for each dimension separately.

    Classifies the complaints once, so the whole dashboard panel costs one
    pass over the frame plus one group-by per dimension.

    Returns
    -------
    dict
        ``"overall"`` and each name in ``dimensions`` to its table.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "status": ["settled", "closed_unsettled"],
    ...     "received_at": pd.to_datetime(["2026-05-04"] * 2),
    ...     "settled_at": pd.to_datetime(["2026-05-06", None]),
    ...     "closed_at": pd.to_datetime(["2026-05-06"] * 2),
    ...     "settle_by": pd.to_datetime(["2026-05-22"] * 2),
    ...     "channel": ["12301", "96345"],
    ... })
    >>> tables = settlement_rates_by(frame, as_of=pd.Timestamp("2026-06-01"),
    ...                              dimensions=["channel"])
    >>> tables["overall"]["settlement_rate"].tolist()
    [0.5]
    >>> tables["channel"][["channel", "verdict"]].values.tolist()
    [['12301', 'met'], ['96345', 'not met']]
    """
    keys = {dimension: _grouping(frame, dimension) for dimension in dimensions}
    outcomes = settlement_outcomes(frame, as_of=as_of)
    tables = {"overall": _rate_table(frame, outcomes, [], method, conf_level, target)}
    for dimension, key in keys.items():
        tables[dimension] = _rate_table(
            frame, outcomes, key, method, conf_level, target
        )
    return tables


_COUNT_COLUMNS = ["received", "rejected", "pending", "counted", "settled"]
# Every complaint falls in exactly one outcome class; each count is a sum of
# classes (the membership vectors below).
_CLASSES = ("rejected", "pending", "on_time", "late", "unsettled")
_CLASS_MEMBERSHIP = {
    "received": np.array([1, 1, 1, 1, 1]),
    "rejected": np.array([1, 0, 0, 0, 0]),
    "pending": np.array([0, 1, 0, 0, 0]),
    "counted": np.array([0, 0, 1, 1, 1]),
    "settled": np.array([0, 0, 1, 1, 0]),
    "settled_on_time": np.array([0, 0, 1, 0, 0]),
}


def _outcome_class(outcomes: pd.DataFrame) -> npt.NDArray[np.int64]:
    """The index in ``_CLASSES`` of each complaint's outcome."""
    return np.select(
        [
            outcomes["rejected"].to_numpy(),
            outcomes["pending"].to_numpy(),
            outcomes["settled_on_time"].to_numpy(),
            outcomes["settled"].to_numpy(),
        ],
        [0, 1, 2, 3],
        default=4,
    )


def _rate_table(
    frame: pd.DataFrame,
    outcomes: pd.DataFrame,
    keys: list[str],
    method: IntervalMethod,
    conf_level: float,
    target: float,
) -> pd.DataFrame:
    """Count outcomes per group and add the rates, intervals and verdict."""
    columns = [*_COUNT_COLUMNS, "settled_on_time"]
    if len(keys) == 1:
        # One key (the usual case): factorize once, then a single bincount over
        # group x outcome class gives every count.
        codes, labels = pd.factorize(frame[keys[0]], sort=True)
        per_class = np.bincount(
            codes * len(_CLASSES) + _outcome_class(outcomes),
            minlength=len(labels) * len(_CLASSES),
        ).reshape(len(labels), len(_CLASSES))
        counts = pd.DataFrame({keys[0]: labels})
        for column in columns:
            counts[column] = per_class @ _CLASS_MEMBERSHIP[column]
    elif keys:
        outcomes = outcomes.assign(received=True)
        grouped = pd.concat([frame[keys], outcomes[columns]], axis=1)
        counts = grouped.groupby(keys, observed=True, sort=True)[columns].sum()
        counts = counts.reset_index()
    else:
        counts = outcomes.assign(received=True)[columns].sum().to_frame().T
    counts = counts.astype(dict.fromkeys(columns, np.int64))
    counted = counts["counted"].to_numpy()
    settled = counts["settled"].to_numpy()
    on_time = counts["settled_on_time"].to_numpy()
    lower, upper = binomial_interval(
        settled, counted, method=method, conf_level=conf_level
    )
    on_time_lower, on_time_upper = binomial_interval(
        on_time, counted, method=method, conf_level=conf_level
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(counted > 0, settled / counted, np.nan)
        on_time_rate = np.where(counted > 0, on_time / counted, np.nan)
    table = counts.assign(
        unsettled=counted - settled,
        settlement_rate=rate,
        lower=lower,
        upper=upper,
        target=target,
        verdict=target_verdict(settled, counted, lower, upper, target=target),
        on_time_rate=on_time_rate,
        on_time_lower=on_time_lower,
        on_time_upper=on_time_upper,
    )
    order = [*keys, *_COUNT_COLUMNS, "unsettled", "settlement_rate", "lower"]
    order += ["upper", "target", "verdict", "settled_on_time", "on_time_rate"]
    return table[[*order, "on_time_lower", "on_time_upper"]]


def with_period(
    frame: pd.DataFrame,
    *,
    freq: str = "M",
    column: str = "received_at",
    timezone: str | None = None,
) -> pd.DataFrame:
    """A copy of ``frame`` with a ``period`` column (e.g. month of receipt).

    Parameters
    ----------
    frame : DataFrame
    freq : str, default "M"
        A pandas period frequency: "M" month, "Q" quarter, "Y" year, "W" week.
    column : str, default "received_at"
    timezone : str, optional
        Local time zone the periods follow (e.g. "Asia/Shanghai", so a complaint
        at 23:30 UTC on 31 January falls in February). Aware datetimes are
        converted to it; without it they are read in UTC.

    Examples
    --------
    >>> frame = pd.DataFrame({"received_at": pd.to_datetime(["2026-01-31 23:30"])})
    >>> with_period(frame, freq="Q")["period"].astype(str).tolist()
    ['2026Q1']
    >>> aware = frame.assign(received_at=frame.received_at.dt.tz_localize("UTC"))
    >>> with_period(aware, timezone="Asia/Shanghai")["period"].astype(str).tolist()
    ['2026-02']
    """
    if column not in frame.columns:
        raise ValueError(f"frame has no column {column!r}")
    moments = frame[column]
    if not pd.api.types.is_datetime64_any_dtype(moments):
        raise TypeError(f"column {column!r} must hold datetimes")
    if moments.dt.tz is not None:
        moments = moments.dt.tz_convert(timezone or "UTC").dt.tz_localize(None)
    return frame.assign(period=moments.dt.to_period(freq))


def handling_satisfaction(
    answers: pd.DataFrame,
    *,
    rating: str = "overall",
    by: str | Sequence[str] | None = None,
    scale_max: int = 5,
    satisfied_from: int = 4,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Satisfaction of complainants with the handling of their complaint.

    Parameters
    ----------
    answers : DataFrame
        One row per answered follow-up questionnaire, with the rating column
        (integers 1..``scale_max``; missing means the question was skipped).
    rating : str, default "overall"
        The rating column to summarise.
    by : str or list of str, optional
        Grouping columns; one overall row if None.
    scale_max : int, default 5
    satisfied_from : int, default 4
        Ratings at or above this count as satisfied.
    conf_level : float, default 0.95

    Returns
    -------
    DataFrame
        One row per group: ``answers`` (non-missing ratings), ``mean`` with
        ``mean_lower``/``mean_upper`` (Student t), ``satisfied``,
        ``satisfied_share`` with Wilson ``satisfied_lower``/``satisfied_upper``.

    Notes
    -----
    Follow-up answers are not a probability sample (only some complainants
    answer), so these are plain unweighted summaries: :math:`\\bar y \\pm
    t_{n-1, 1-\\alpha/2}\\, s / \\sqrt n` for the mean and the Wilson interval
    (see :func:`binomial_interval`) for the share satisfied.

    Examples
    --------
    >>> answers = pd.DataFrame({"overall": [5, 4, 2, 5, None]})
    >>> row = handling_satisfaction(answers).iloc[0]
    >>> int(row.answers), float(row["mean"]), float(row.satisfied_share)
    (4, 4.0, 0.75)
    """
    if rating not in answers.columns:
        raise ValueError(f"answers has no column {rating!r}")
    if not 1 <= satisfied_from <= scale_max:
        raise ValueError("satisfied_from must lie on the rating scale")
    try:
        values = pd.to_numeric(answers[rating]).astype(float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"column {rating!r} must hold numeric ratings") from error
    valid = values.dropna()
    if np.any((valid < 1) | (valid > scale_max) | (valid != np.round(valid))):
        raise ValueError(f"column {rating!r} has ratings outside 1..{scale_max}")
    keys = _grouping(answers, by)
    work = pd.DataFrame(
        {
            "value": values,
            "square": values**2,
            "answered": values.notna(),
            "satisfied": values >= satisfied_from,
        }
    )
    if keys:
        work = pd.concat([answers[keys], work], axis=1)
        sums = work.groupby(keys, observed=True, sort=True)[
            ["value", "square", "answered", "satisfied"]
        ].sum()
        sums = sums.reset_index()
    else:
        sums = work[["value", "square", "answered", "satisfied"]].sum().to_frame().T
    n = sums["answered"].to_numpy(dtype=float)
    total = sums["value"].to_numpy(dtype=float)
    squares = sums["square"].to_numpy(dtype=float)
    satisfied = sums["satisfied"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n > 0, total / n, np.nan)
        variance = np.maximum(squares - n * mean**2, 0.0) / (n - 1)
        half = stats.t.ppf(1 - (1 - conf_level) / 2, n - 1) * np.sqrt(variance / n)
    half = np.where(n > 1, half, np.nan)
    lower, upper = binomial_interval(satisfied, n, conf_level=conf_level)
    return sums[keys].assign(
        answers=n.astype(np.int64),
        mean=mean,
        mean_lower=mean - half,
        mean_upper=mean + half,
        satisfied=satisfied.astype(np.int64),
        satisfied_share=np.where(n > 0, satisfied / np.where(n > 0, n, 1), np.nan),
        satisfied_lower=lower,
        satisfied_upper=upper,
    )


def _grouping(frame: pd.DataFrame, by: str | Sequence[str] | None) -> list[str]:
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    for key in keys:
        if key not in frame.columns:
            raise ValueError(f"frame has no column {key!r}")
        if frame[key].isna().any():
            raise ValueError(f"column {key!r} has missing values")
    return keys


def validate_frame(frame: pd.DataFrame, as_of: pd.Timestamp) -> None:
    missing = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"complaint frame lacks column(s) {', '.join(missing)}")
    for column in REQUIRED_COLUMNS[1:]:
        if not pd.api.types.is_datetime64_any_dtype(frame[column]):
            raise TypeError(f"column {column!r} must hold datetimes")
    received = instants(frame, "received_at")
    if np.isnat(received).any():
        raise ValueError("column 'received_at' has missing values")
    if (received > instant(as_of)).any():
        raise ValueError("column 'received_at' has dates after as_of")
    if np.isnat(instants(frame, "settle_by")).any():
        raise ValueError("column 'settle_by' has missing values")


def status_masks(
    frame: pd.DataFrame, as_of: pd.Timestamp
) -> dict[str, npt.NDArray[np.bool_]]:
    """One boolean mask per status as it stood on ``as_of``.

    Factorizes once (fast on 1M rows, categorical or not). A complaint concluded after
    ``as_of`` was still open then, so it counts as in progress.
    """
    found, values = pd.factorize(frame["status"], use_na_sentinel=True)
    unknown = sorted(str(value) for value in values if value not in STATUSES)
    if unknown or np.any(found < 0):
        raise ValueError(
            f"column 'status' has unknown or missing value(s) {unknown[:5]}; "
            f"expected {STATUSES}"
        )
    position = np.array([STATUSES.index(value) for value in values], dtype=np.int8)
    codes = position[found]
    masks = {status: codes == position for position, status in enumerate(STATUSES)}
    moment = instant(as_of)
    concluded_later = (instants(frame, "closed_at") > moment) | (
        instants(frame, "settled_at") > moment
    )
    if concluded_later.any():
        for status in ("settled", "closed_unsettled", "rejected"):
            masks[status] = masks[status] & ~concluded_later
        masks["in_progress"] = masks["in_progress"] | concluded_later
    return masks


def instant(moment: pd.Timestamp) -> np.datetime64:
    """A timestamp as naive UTC nanoseconds (aware ones are converted)."""
    stamp = pd.Timestamp(moment)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return np.datetime64(stamp.as_unit("ns"))


def instants(frame: pd.DataFrame, column: str) -> npt.NDArray[np.datetime64]:
    """A datetime column as naive UTC nanoseconds (aware ones are converted)."""
    return frame[column].to_numpy(dtype="datetime64[ns]")
