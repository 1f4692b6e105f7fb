"""Time to settlement of tourist complaints, for Kaplan–Meier curves.

Works on the complaint frame described in :mod:`analysis.stats.settlement`:
open complaints are censored at the report date; complaints closed without
settlement are either kept at risk or censored at their close.
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np
import pandas as pd

from analysis.stats.settlement import instant, instants, status_masks, validate_frame
from analysis.stats.survival import ConfType, KaplanMeier, kaplan_meier, kaplan_meier_by

UnsettledHandling = Literal["at_risk", "censor_at_close"]
_DAY = np.timedelta64(1, "D")


def settlement_durations(
    frame: pd.DataFrame,
    *,
    as_of: pd.Timestamp,
    unsettled: UnsettledHandling = "at_risk",
) -> pd.DataFrame:
    """Time to settlement in days with the settled indicator, for Kaplan–Meier.

    Parameters
    ----------
    frame : DataFrame
        The complaint frame (see :mod:`analysis.stats.settlement`).
    as_of : Timestamp
        Report date: open complaints are censored at it.
    unsettled : {"at_risk", "censor_at_close"}, default "at_risk"
        What to do with complaints closed without settlement.

    Returns
    -------
    DataFrame
        ``days`` (float) and ``settled`` (bool) for every admitted complaint,
        indexed like ``frame`` (rejected complaints are left out).

    Notes
    -----
    A settled complaint contributes an event at ``settled_at - received_at``.
    An open one is censored at ``as_of - received_at``: it has taken at least
    that long. A complaint closed unsettled will never be settled; by default
    ("at_risk") it stays at risk until ``as_of`` and is censored there, so
    :math:`1 - \\hat S(t)` estimates the share of complaints settled within
    :math:`t` days rather than an optimistic share among those that could still
    be settled. "censor_at_close" censors them at closing instead, the usual
    but biased choice, kept for comparison.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "status": ["settled", "in_progress", "closed_unsettled"],
    ...     "received_at": pd.to_datetime(["2026-05-01"] * 3),
    ...     "settled_at": pd.to_datetime(["2026-05-03", None, None]),
    ...     "closed_at": pd.to_datetime(["2026-05-03", None, "2026-05-05"]),
    ...     "settle_by": pd.to_datetime(["2026-05-22"] * 3),
    ... })
    >>> settlement_durations(frame, as_of=pd.Timestamp("2026-05-11"))
       days  settled
    0   2.0     True
    1  10.0    False
    2  10.0    False
    """
    if unsettled not in get_args(UnsettledHandling):
        raise ValueError(
            f"unknown unsettled {unsettled!r}; "
            f"choose one of {get_args(UnsettledHandling)}"
        )
    validate_frame(frame, as_of)
    masks = status_masks(frame, as_of)
    received = instants(frame, "received_at")
    settled = masks["settled"]
    end = np.full(received.shape, instant(as_of))
    end = np.where(settled, instants(frame, "settled_at"), end)
    if unsettled == "censor_at_close":
        end = np.where(masks["closed_unsettled"], instants(frame, "closed_at"), end)
    days = (end - received) / _DAY
    if np.any(np.isnan(days[settled | masks["closed_unsettled"]])):
        raise ValueError("settled_at or closed_at is missing for a closed complaint")
    if np.any(days < 0):
        raise ValueError("a complaint is settled or closed before it was received")
    admitted = ~masks["rejected"]
    return pd.DataFrame(
        {"days": days[admitted], "settled": settled[admitted]},
        index=frame.index[admitted],
    )


def time_to_settlement(
    frame: pd.DataFrame,
    *,
    as_of: pd.Timestamp,
    by: str | None = None,
    unsettled: UnsettledHandling = "at_risk",
    conf_level: float = 0.95,
    conf_type: ConfType = "log",
) -> KaplanMeier | dict[object, KaplanMeier]:
    """Kaplan–Meier curve of days to settlement, overall or per group.

    Open complaints are censored, not dropped (see
    :func:`settlement_durations`). ``curve.median()`` gives the median days to
    settlement with its interval and ``1 - curve.survival_at(15)`` the share
    settled within 15 days.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "status": ["settled", "settled", "in_progress", "settled"],
    ...     "received_at": pd.to_datetime(["2026-05-01"] * 4),
    ...     "settled_at": pd.to_datetime(["2026-05-02", "2026-05-04", None,
    ...                                   "2026-05-09"]),
    ...     "closed_at": pd.to_datetime(["2026-05-02", "2026-05-04", None,
    ...                                  "2026-05-09"]),
    ...     "settle_by": pd.to_datetime(["2026-05-22"] * 4),
    ... })
    >>> curve = time_to_settlement(frame, as_of=pd.Timestamp("2026-05-06"))
    >>> curve.time.tolist(), curve.survival.tolist()
    ([1.0, 3.0, 5.0], [0.75, 0.5, 0.5])
    """
    durations = settlement_durations(frame, as_of=as_of, unsettled=unsettled)
    if durations.empty:
        raise ValueError("no admitted complaints to estimate time to settlement")
    if by is None:
        return kaplan_meier(
            durations["days"],
            durations["settled"],
            conf_level=conf_level,
            conf_type=conf_type,
        )
    if by not in frame.columns:
        raise ValueError(f"frame has no column {by!r}")
    return kaplan_meier_by(
        durations["days"],
        durations["settled"],
        frame.loc[durations.index, by],
        conf_level=conf_level,
        conf_type=conf_type,
    )
