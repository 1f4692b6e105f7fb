"""Number formats of the dashboard (the same as the PDF's, tables.display) and
the symbols of target verdicts."""

from __future__ import annotations

from django import template

from analysis.dashboard.overview import VERDICT_SYMBOLS, shade_name
from analysis.reports.tables import DECIMAL, INTEGER, PERCENT, POINTS, display

register = template.Library()


@register.filter
def points(value) -> str:
    return display(value, POINTS)


@register.filter
def percent(value) -> str:
    return display(value, PERCENT)


@register.filter
def decimal(value) -> str:
    return display(value, DECIMAL)


@register.filter
def integer(value) -> str:
    return display(value, INTEGER)


@register.filter
def signed(value) -> str:
    """A change in index points with its sign (+1.2, −0.8)."""
    if value is None:
        return "—"
    return f"{value:+.1f}".replace("-", "−")


@register.filter
def verdict_symbol(verdict: str) -> str:
    """The symbol shown beside a verdict's words (an empty verdict: none)."""
    return VERDICT_SYMBOLS.get(verdict or "", VERDICT_SYMBOLS[""])


@register.filter
def shade(verdict: str) -> str:
    """The verdict's shade, for its ``heat-<shade>`` class."""
    return shade_name(verdict)


def _range(low, high, unit: str) -> str:
    """``low–high``, or one dash where there is no interval (a single service
    point: the grid's key says why) rather than a dash for each end."""
    if low is None or high is None:
        return "—"
    return f"{display(low, unit)}–{display(high, unit)}"


@register.filter
def points_range(low, high) -> str:
    return _range(low, high, POINTS)


@register.filter
def percent_range(low, high) -> str:
    return _range(low, high, PERCENT)
