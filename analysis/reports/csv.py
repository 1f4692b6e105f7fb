"""The CSV export: every topic table stacked, a ``table`` column says which.

Plain numbers (rates as 0-1 fractions, unrounded). Cells that a spreadsheet
would run as a formula (starting with = + - @, tab or carriage return) get a
leading apostrophe, so an opened file never executes anything.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import BinaryIO

from analysis.dashboard.overview import WaveOverview
from analysis.reports.tables import overview_tables

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralized(value) -> object:
    """``value`` safe to open in a spreadsheet; numbers pass unchanged."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(
    overview: WaveOverview,
    out: BinaryIO,
    progress: Callable[[int], None] = lambda _p: None,
) -> None:
    """Write all tables of ``overview`` as one UTF-8 CSV (with BOM for Excel)."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    tables = overview_tables(overview)
    for k, table in enumerate(tables):
        writer.writerow(["table", *(neutralized(c.title) for c in table.columns)])
        for row in table.rows:
            writer.writerow([table.key, *(neutralized(v) for v in row)])
        writer.writerow([])
        progress(10 + 80 * (k + 1) // len(tables))
    text.flush()
    text.detach()
