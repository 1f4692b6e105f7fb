"""The Excel workbook: one sheet per topic, numbers as numbers, frozen headers.

Renders :func:`analysis.reports.tables.overview_tables`; computes nothing.
Write-only mode keeps memory flat however many service points a wave has.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from analysis.dashboard.labels import words
from analysis.dashboard.overview import WaveOverview
from analysis.reports import tables as t
from analysis.reports.provenance import provenance_rows

NUMBER_FORMATS = {
    t.POINTS: "0.0",
    t.PERCENT: "0.0%",
    t.INTEGER: "0",
    t.DECIMAL: "0.00",
    t.PROBABILITY: "0.000",
}
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
#: Excel's limit on sheet names, and characters it refuses in them.
SHEET_NAME_LENGTH = 31
SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))


def sheet_name(title: str) -> str:
    return title.translate(SHEET_NAME_FORBIDDEN)[:SHEET_NAME_LENGTH]


def _header(sheet, titles: list[str]) -> list[WriteOnlyCell]:
    cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cells.append(cell)
    return cells


def _row(sheet, columns: list[t.Column], values: list) -> list:
    out = []
    for column, value in zip(columns, values, strict=True):
        if value is None or column.fmt == t.TEXT or isinstance(value, str):
            out.append(value)
            continue
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = NUMBER_FORMATS[column.fmt]
        out.append(cell)
    return out


def _table_sheet(workbook: Workbook, table: t.Table) -> None:
    sheet = workbook.create_sheet(sheet_name(table.title))
    sheet.freeze_panes = "B2"
    for k, column in enumerate(table.columns, start=1):
        width = 28 if column.fmt == t.TEXT else max(12, min(len(column.title) + 2, 22))
        sheet.column_dimensions[get_column_letter(k)].width = width
    sheet.append(_header(sheet, [c.title for c in table.columns]))
    for values in table.rows:
        sheet.append(_row(sheet, table.columns, values))


def write_workbook(
    overview: WaveOverview,
    out: BinaryIO,
    progress: Callable[[int], None] = lambda _p: None,
) -> None:
    """Write the workbook of ``overview`` to ``out``."""
    w = words(overview.language)
    workbook = Workbook(write_only=True)
    topic_tables = t.overview_tables(overview)
    for k, table in enumerate(topic_tables):
        _table_sheet(workbook, table)
        progress(10 + 80 * (k + 1) // len(topic_tables))
    sheet = workbook.create_sheet(sheet_name(w["methodology"]))
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 90
    sheet.append(_header(sheet, [w["name"], w["methodology"]]))
    for key, value in provenance_rows(overview):
        sheet.append([key, value])
    workbook.save(out)
