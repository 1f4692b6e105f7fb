"""Files as people send them -> grids of cell texts, a chunk of rows at a
time, or a clear refusal.

CSV in UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or
GB18030/GBK; XLSX with the values Excel typed (numbers, dates). The grids are
raw (the header row first, cells unstripped); :mod:`exchange.tables` checks
and strips them. Size and zip-expansion limits are checked before any cell is
parsed, so a huge file or a zip bomb is refused in a second.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import BinaryIO

import pandas as pd
from django.utils.translation import gettext as _

from exchange.problems import FileRejected, Problem

MAX_FILE_BYTES = 150 * 1024 * 1024
MAX_XLSX_UNCOMPRESSED = 400 * 1024 * 1024
MAX_ZIP_RATIO = 200
MAX_ZIP_MEMBERS = 2_000
XLSX_MAX_ROWS = 1_048_576
META_SHEET = "_meta"
FORMULA_START = "="
# A cell our own exports neutralized ("'=..." ) gets its text back on import.
NEUTRALIZED = re.compile(r"^'+[=+\-@\t\r]")
CSV_DELIMITERS = ",\t;"


@dataclass
class Grids:
    """A file's cells as raw grids of consecutive rows (the first holds the
    header row), with what was learnt opening it."""

    grids: Iterator[pd.DataFrame]
    file_format: str
    rows_estimate: int  # data rows, from the line count: for progress only
    encoding: str = ""
    meta: dict[str, str] = field(default_factory=dict)


def _too_large(size: int) -> Problem:
    return Problem(
        _(
            "The file is %(size)s MB; the limit is %(limit)s MB. Split it into "
            "smaller files (for example one per service point or per month)."
        )
        % {
            "size": f"{size / 1024 / 1024:.0f}",
            "limit": f"{MAX_FILE_BYTES / 1024 / 1024:.0f}",
        }
    )


def read_grids(
    source: str | Path | BinaryIO, *, name: str = "", chunk_rows: int | None
) -> Grids:
    """Open a CSV or XLSX file as grids of ``chunk_rows`` rows (one grid when
    None); ``FileRejected`` if it cannot be read. A CSV is parsed a grid at a
    time, as the caller asks for the next."""
    handle = open(source, "rb") if isinstance(source, str | Path) else source  # noqa: SIM115
    try:
        handle.seek(0, io.SEEK_END)
        size = handle.tell()
        handle.seek(0)
        if size > MAX_FILE_BYTES:
            raise FileRejected(_too_large(size))
        if size == 0:
            raise FileRejected(Problem(_("The file is empty.")))
        head = handle.read(8)
        handle.seek(0)
        if head.startswith(b"PK\x03\x04"):
            return _read_xlsx(handle, chunk_rows)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise FileRejected(
                Problem(
                    _(
                        "This is an old Excel (.xls) file. Open it in Excel and "
                        "save it as “Excel Workbook (.xlsx)” or “CSV UTF-8”."
                    )
                )
            )
        if name.lower().endswith((".xlsx", ".xlsm")):
            raise FileRejected(
                Problem(_("The file is named .xlsx but is not an Excel workbook."))
            )
        return _read_csv(handle.read(), chunk_rows)
    finally:
        if isinstance(source, str | Path):
            handle.close()


# --- CSV -------------------------------------------------------------------


def decode_text(raw: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: UTF-8 (BOM or not), UTF-16 with a
    BOM, else GB18030 (a superset of GBK and GB2312)."""
    if raw.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    failure: UnicodeDecodeError | None = None
    for encoding in candidates:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError as error:
            failure = failure or error
    assert failure is not None  # noqa: S101 - one candidate at least was tried
    line = raw.count(b"\n", 0, failure.start) + 1
    raise FileRejected(
        Problem(
            _(
                "The file is not UTF-8, GB18030 or GBK text: the bytes at line "
                "%(line)d (%(bytes)s) cannot be read. In Excel choose “Save as” → "
                "“CSV UTF-8 (comma delimited)”, or save as .xlsx."
            )
            % {
                "line": line,
                "bytes": raw[failure.start : failure.start + 4].hex(" "),
            },
            row=line,
        )
    )


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in CSV_DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_csv(raw: bytes, chunk_rows: int | None) -> Grids:
    text, encoding = decode_text(raw)
    if "\x00" in text[:4096]:
        raise FileRejected(
            Problem(_("The file contains NUL bytes: it is not a text (CSV) file."))
        )
    end = text.find("\n")
    delimiter = _delimiter(text if end < 0 else text[:end])
    # pandas' parser reads UTF-8 itself: handed the decoded text, it would
    # encode all of it again (a fifth of its time).
    if encoding.startswith("utf-8"):
        source, parser_encoding, text = io.BytesIO(raw), encoding, ""
        lines = raw.count(b"\n")
    else:
        source, parser_encoding = io.StringIO(text), None
        lines = text.count("\n")
    del raw, text
    try:
        parser = pd.read_csv(
            source,
            encoding=parser_encoding,
            sep=delimiter,
            header=None,
            # Categories straight from the parser: one string object per
            # distinct cell instead of one per cell, and no factorizing after.
            dtype="category",
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
            quoting=csv.QUOTE_MINIMAL,
            chunksize=chunk_rows,
        )
    except pd.errors.ParserError as error:
        raise FileRejected(_parser_problem(error)) from None
    except pd.errors.EmptyDataError:
        raise FileRejected(Problem(_("The file is empty."))) from None
    grids = _parsed(parser) if chunk_rows else iter([parser])
    estimate = max(lines - 1, 0)  # the header's line is no row
    return Grids(grids, file_format="csv", rows_estimate=estimate, encoding=encoding)


def _parsed(parser) -> Iterator[pd.DataFrame]:
    """The parser's chunks; a row it cannot read refuses the file when it is
    reached (pandas numbers the line in the whole file)."""
    with parser:
        try:
            yield from parser
        except pd.errors.ParserError as error:
            raise FileRejected(_parser_problem(error)) from None


def _parser_problem(error: Exception) -> Problem:
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
    if found:
        expected, line, saw = (int(g) for g in found.groups())
        return Problem(
            _(
                "This row has %(saw)d cells but the header has %(expected)d: a "
                "separator or a quote is out of place, or a value is in a column "
                "without a header."
            )
            % {"saw": saw, "expected": expected},
            row=line,
        )
    return Problem(
        _("The file cannot be read as CSV: %(error)s") % {"error": str(error)[:200]}
    )


# --- XLSX ------------------------------------------------------------------


def check_zip(handle: BinaryIO) -> None:
    """Refuse archives that would expand too far (zip bombs) or are not XLSX."""
    try:
        archive = zipfile.ZipFile(handle)
    except zipfile.BadZipFile:
        raise FileRejected(
            Problem(_("The file is damaged: it is not a readable .xlsx workbook."))
        ) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise FileRejected(
                Problem(_("The workbook has too many parts to be a spreadsheet."))
            )
        total = sum(member.file_size for member in members)
        packed = sum(member.compress_size for member in members) or 1
        worst = max((m.file_size / max(m.compress_size, 1) for m in members), default=0)
        if total > MAX_XLSX_UNCOMPRESSED or worst > MAX_ZIP_RATIO:
            raise FileRejected(
                Problem(
                    _(
                        "The workbook would expand from %(packed)s MB to %(total)s "
                        "MB (%(ratio)d times): refused as a possible zip bomb. "
                        "Save the data as CSV, or split the workbook."
                    )
                    % {
                        "packed": f"{packed / 1024 / 1024:.1f}",
                        "total": f"{total / 1024 / 1024:.0f}",
                        "ratio": int(worst),
                    }
                )
            )
        names = {member.filename for member in members}
        if "xl/workbook.xml" not in names:
            raise FileRejected(
                Problem(_("The file is a zip archive, not an Excel workbook."))
            )
    handle.seek(0)


def cell_text(value: object) -> str:
    """A typed Excel value as the text a person would have typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="minutes")
    return str(value)


def _read_xlsx(handle: BinaryIO, chunk_rows: int | None) -> Grids:
    """The sheet whole (openpyxl's parsing of the XML is most of the time, and
    a sheet's rows are limited to Excel's million), handed on in grids of
    ``chunk_rows`` rows so that every check runs as on a CSV."""
    from openpyxl import load_workbook

    check_zip(handle)
    try:
        workbook = load_workbook(handle, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many types for damaged files
        raise FileRejected(
            Problem(
                _("The workbook cannot be opened: %(error)s")
                % {"error": str(error)[:200]}
            )
        ) from None
    try:
        meta = {}
        if META_SHEET in workbook.sheetnames:
            for key, value, *_rest in workbook[META_SHEET].iter_rows(
                max_col=2, values_only=True
            ):
                if key:
                    meta[str(key)] = cell_text(value)
        data_sheets = [n for n in workbook.sheetnames if not n.startswith("_")]
        sheet = workbook[data_sheets[0]] if data_sheets else workbook.active
        if sheet.max_row and sheet.max_row > XLSX_MAX_ROWS:
            raise FileRejected(Problem(_("The sheet has more rows than Excel allows.")))
        grid = pd.DataFrame(
            [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        )
    finally:
        workbook.close()
    grid = grid.fillna("")
    step = chunk_rows or max(len(grid), 1)
    return Grids(
        (grid.iloc[start : start + step] for start in range(0, len(grid), step)),
        file_format="xlsx",
        rows_estimate=max(len(grid) - 1, 0),
        meta=meta,
    )


def clean_cell(text: str) -> str:
    """A stripped cell's text, with the text back of a cell our exports
    neutralized."""
    if NEUTRALIZED.match(text):
        return text[1:]
    return text
