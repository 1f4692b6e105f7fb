"""Working-day arithmetic for complaint deadlines (pure; the calendar is passed in)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from zoneinfo import ZoneInfo


def is_working_day(
    day: dt.date, *, holidays: Collection[dt.date], working_days: Collection[dt.date]
) -> bool:
    """Monday to Friday unless a public holiday; weekends worked in exchange count."""
    if day in working_days:
        return True
    return day.weekday() < 5 and day not in holidays


def add_working_days(
    start: dt.date,
    days: int,
    *,
    holidays: Collection[dt.date] = (),
    working_days: Collection[dt.date] = (),
) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself not counted).

    >>> add_working_days(dt.date(2026, 9, 30), 5, holidays={dt.date(2026, 10, 1)})
    datetime.date(2026, 10, 8)
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays=holidays, working_days=working_days):
            counted += 1
    return day


def deadline_after(
    received_at: dt.datetime,
    days: int,
    *,
    timezone: str,
    holidays: Collection[dt.date] = (),
    working_days: Collection[dt.date] = (),
) -> dt.datetime:
    """End (23:59:59 local time) of the ``days``-th working day after receipt."""
    zone = ZoneInfo(timezone)
    local_day = received_at.astimezone(zone).date()
    due = add_working_days(
        local_day, days, holidays=holidays, working_days=working_days
    )
    return dt.datetime.combine(due, dt.time(23, 59, 59), tzinfo=zone)
