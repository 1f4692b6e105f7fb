"""Files as people send them -> a table of strings, or a clear refusal.

CSV in UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or
GB18030/GBK; XLSX with the values Excel typed (numbers, dates). Every cell
becomes a stripped string ("" when blank); what a cell means is decided later,
by the column it is in. Size and zip-expansion limits are checked before any
cell is parsed, so a huge file or a zip bomb is refused in a second.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import BinaryIO

import numpy as np
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
class RawTable:
    """Header cells, then the data rows as strings (columns by position).

    ``row_numbers`` are spreadsheet row numbers (the header is row 1), so a
    message can point at the row a person sees.
    """

    headers: list[str]
    frame: pd.DataFrame
    row_numbers: np.ndarray
    file_format: str
    encoding: str = ""
    meta: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.frame)


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


def read_table(source: str | Path | BinaryIO, *, name: str = "") -> RawTable:
    """Read a CSV or XLSX file into a :class:`RawTable`; ``FileRejected`` if not."""
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
            return _read_xlsx(handle, size)
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
        return _read_csv(handle.read())
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


def _read_csv(raw: bytes) -> RawTable:
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
    else:
        source, parser_encoding = io.StringIO(text), None
    del raw
    try:
        grid = pd.read_csv(
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
        )
    except pd.errors.ParserError as error:
        raise FileRejected(_parser_problem(error)) from None
    except pd.errors.EmptyDataError:
        raise FileRejected(Problem(_("The file is empty."))) from None
    del text, source
    return _table_from_grid(grid, file_format="csv", encoding=encoding)


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


def _read_xlsx(handle: BinaryIO, size: int) -> RawTable:
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
    table = _table_from_grid(grid.fillna(""), file_format="xlsx")
    table.meta = meta
    return table


# --- both ----------------------------------------------------------------


def _table_from_grid(grid: pd.DataFrame, *, file_format: str, encoding: str = ""):
    """Header row, trailing blank rows and columns dropped, cells stripped;
    blank rows between data rows refused."""
    if grid.empty:
        raise FileRejected(Problem(_("The file is empty.")))
    if not all(isinstance(t, pd.CategoricalDtype) for t in grid.dtypes):
        grid = grid.astype(str)
    headers = [str(h).strip() for h in grid.iloc[0].tolist()]
    while (
        headers
        and not headers[-1]
        and not (grid.iloc[1:, len(headers) - 1] != "").any()
    ):
        headers.pop()
    if not headers:
        raise FileRejected(Problem(_("The first row (the header) is empty.")))
    body = grid.iloc[1:, : len(headers)].reset_index(drop=True)
    body.columns = range(len(headers))
    body = _strip(body, headers, row_offset=2)
    filled = (body != "").any(axis=1).to_numpy()
    if not filled.any():
        raise FileRejected(Problem(_("The file has a header but no data rows.")))
    last = int(np.flatnonzero(filled)[-1])
    body = body.iloc[: last + 1]
    row_numbers = np.arange(2, len(body) + 2)
    blank = np.flatnonzero(~filled[: last + 1])
    if len(blank):
        rows = ", ".join(str(row_numbers[i]) for i in blank[:10])
        raise FileRejected(
            [
                Problem(
                    _(
                        "Row %(rows)s is blank. Delete blank rows inside the data "
                        "(or fill them in) and upload again."
                    )
                    % {"rows": rows},
                    row=int(row_numbers[blank[0]]),
                )
            ]
        )
    return RawTable(
        headers=headers,
        frame=body,
        row_numbers=row_numbers,
        file_format=file_format,
        encoding=encoding,
    )


def _strip(body: pd.DataFrame, headers: list[str], *, row_offset: int):
    """Strip each column through its distinct values (fast on repetitive data),
    refuse formulas and give back the text of cells our exports neutralized.

    Columns come back categorical, so later steps reuse the factorization.
    """
    columns, formulas = {}, []
    for position in body.columns:
        codes, uniques = pd.factorize(body[position], sort=False)
        texts = [str(u).strip() for u in uniques]
        for index, text in enumerate(texts):
            if text.startswith(FORMULA_START):
                row = int(np.flatnonzero(codes == index)[0]) + row_offset
                formulas.append(
                    Problem(
                        _(
                            "The cell holds a formula; paste the values instead "
                            "(Paste special → Values)."
                        ),
                        row=row,
                        column=headers[position],
                        value=text[:80],
                    )
                )
        # Stripping can make two texts equal: factorize the cleaned texts again.
        cleaned = np.array([_clean_cell(t) for t in texts] + [""], dtype=object)
        clean_codes, categories = pd.factorize(cleaned, sort=False)
        columns[position] = pd.Categorical.from_codes(
            clean_codes[codes], categories=pd.Index(categories, dtype=object)
        )  # code -1 (a missing cell) is the trailing ""
    if formulas:
        raise FileRejected(sorted(formulas, key=lambda p: p.row or 0)[:50])
    return pd.DataFrame(columns, index=body.index)


def _clean_cell(text: str) -> str:
    if NEUTRALIZED.match(text):
        return text[1:]
    return text
