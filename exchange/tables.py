"""Raw grids -> the header and stripped data rows, a chunk at a time, with the
file's refusals (formulas, blank rows, a header row with nothing in it) the
same whether it is read whole or in chunks.

The checks that need the whole file are kept as the chunks go by and decided
by :meth:`ChunkedTable.finish`: a blank row is refused only once a filled row
follows it (trailing blank rows are ignored), and a column without a header
belongs to the table only if some row has something in it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from exchange.problems import FileRejected, Problem
from exchange.readers import FORMULA_START, Grids, clean_cell, read_grids

# Rows read, checked and handed on at a time: small enough that PostgreSQL
# starts on the first while the rest is read, large enough that per-column
# work (factorizing, checking distinct values) stays small.
TABLE_CHUNK_ROWS = 20_000
SHOWN_PROBLEMS = 50
SHOWN_BLANK_ROWS = 10


@dataclass
class TableChunk:
    """Consecutive data rows, stripped, their columns by position;
    ``row_numbers`` as a spreadsheet numbers them (the header is row 1)."""

    frame: pd.DataFrame
    row_numbers: np.ndarray

    def __len__(self) -> int:
        return len(self.frame)


@dataclass
class RawTable:
    """A whole file's header cells and data rows (see :func:`read_table`)."""

    headers: list[str]
    frame: pd.DataFrame
    row_numbers: np.ndarray
    file_format: str
    encoding: str = ""
    meta: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.frame)


class ChunkedTable:
    """A file's header and, through :meth:`chunks`, its data rows.

    ``headers`` are the header row's cells without the trailing blank ones;
    a column after them belongs to the file only if a row has something in it,
    which :meth:`finish` knows once every chunk is read.
    """

    def __init__(self, opened: Grids) -> None:
        self.file_format = opened.file_format
        self.encoding = opened.encoding
        self.meta = opened.meta
        self.rows_estimate = opened.rows_estimate
        self._grids = opened.grids
        first = next(self._grids, None)
        if first is None or first.empty:
            raise FileRejected(Problem(_("The file is empty.")))
        self._first = _as_text(first)
        self._cells = [str(h).strip() for h in self._first.iloc[0].tolist()]
        self.headers = list(self._cells)
        while self.headers and not self.headers[-1]:
            self.headers.pop()
        self._used = np.zeros(len(self._cells), dtype=bool)  # any raw cell
        self._formulas: dict[tuple[int, str], Problem] = {}
        self._inside_blank: list[int] = []  # blank rows with a filled row after
        self._pending_blank: list[int] = []  # blank rows after the last filled
        self._filled = False
        self._read = 1  # grid rows read so far, the header's included
        self._done = False

    def chunks(self) -> Iterator[TableChunk]:
        """The data rows, chunk by chunk, but for the blank rows that end a
        chunk: they are the file's trailing rows (ignored) or refused later."""
        grids = self._grids
        if self._first is not None:
            first, self._first = self._first.iloc[1:], None
            grids = _chained(first, grids)
        for grid in grids:
            chunk = self._chunk(_as_text(grid))
            if chunk is not None:
                yield chunk
        self._done = True

    def finish(self) -> list[str]:
        """Read what is left; refuse the file for what only the whole of it
        shows, in the order a whole read finds it. Returns the headers, with
        the headerless columns that hold something."""
        if not self._done:
            deque(self.chunks(), maxlen=0)
        used = np.flatnonzero(self._used)  # only columns after the headers
        width = int(used[-1]) + 1 if len(used) else len(self.headers)
        headers = self._cells[:width]
        if not headers:
            raise FileRejected(Problem(_("The first row (the header) is empty.")))
        if self._formulas:
            problems = sorted(self._formulas.values(), key=lambda p: p.row or 0)
            raise FileRejected(problems[:SHOWN_PROBLEMS])
        if not self._filled:
            raise FileRejected(Problem(_("The file has a header but no data rows.")))
        if self._inside_blank:
            rows = ", ".join(map(str, self._inside_blank))
            raise FileRejected(
                [
                    Problem(
                        _(
                            "Row %(rows)s is blank. Delete blank rows inside the "
                            "data (or fill them in) and upload again."
                        )
                        % {"rows": rows},
                        row=self._inside_blank[0],
                    )
                ]
            )
        return headers

    def _chunk(self, grid: pd.DataFrame) -> TableChunk | None:
        row_numbers = np.arange(self._read + 1, self._read + len(grid) + 1)
        self._read += len(grid)
        body = grid.reset_index(drop=True)
        body.columns = range(body.shape[1])
        for position in range(len(self.headers), body.shape[1]):
            self._used[position] |= bool((body[position] != "").any())
        body = self._strip(body, row_numbers)
        filled = (body != "").any(axis=1).to_numpy()
        blank = np.flatnonzero(~filled)
        last = int(np.flatnonzero(filled)[-1]) if filled.any() else -1
        if last >= 0:
            inside = row_numbers[blank[blank < last]].tolist()
            self._note_blank(self._inside_blank, self._pending_blank + inside)
            self._pending_blank = []
            self._filled = True
        self._note_blank(self._pending_blank, row_numbers[blank[blank > last]].tolist())
        if last < 0:
            return None
        return TableChunk(body.iloc[: last + 1], row_numbers[: last + 1])

    @staticmethod
    def _note_blank(rows: list[int], more: list[int]) -> None:
        rows.extend(more[: SHOWN_BLANK_ROWS - len(rows)])

    def _strip(self, body: pd.DataFrame, row_numbers: np.ndarray) -> pd.DataFrame:
        """Strip each column through its distinct values (fast on repetitive
        data), note formulas and give back the text of cells our exports
        neutralized. Columns come back categorical, so later steps reuse the
        factorization."""
        columns = {}
        for position in body.columns:
            codes, uniques = pd.factorize(body[position], sort=False)
            texts = [str(u).strip() for u in uniques]
            for index, text in enumerate(texts):
                if text.startswith(FORMULA_START):
                    # The first row holding it in the file: chunks come in order.
                    row = int(row_numbers[np.flatnonzero(codes == index)[0]])
                    self._formulas.setdefault(
                        (position, text), _formula(row, self._cells[position], text)
                    )
            # Stripping can make two texts equal: factorize the cleaned texts.
            cleaned = np.array([clean_cell(t) for t in texts] + [""], dtype=object)
            clean_codes, categories = pd.factorize(cleaned, sort=False)
            columns[position] = pd.Categorical.from_codes(
                clean_codes[codes], categories=pd.Index(categories, dtype=object)
            )  # code -1 (a missing cell) is the trailing ""
        return pd.DataFrame(columns, index=body.index)


def _formula(row: int, header: str, text: str) -> Problem:
    return Problem(
        _(
            "The cell holds a formula; paste the values instead "
            "(Paste special → Values)."
        ),
        row=row,
        column=header,
        value=text[:80],
    )


def _as_text(grid: pd.DataFrame) -> pd.DataFrame:
    if all(isinstance(t, pd.CategoricalDtype) for t in grid.dtypes):
        return grid
    return grid.astype(str)


def _chained(first: pd.DataFrame, rest: Iterator[pd.DataFrame]):
    yield first
    yield from rest


def open_table(
    source: str | Path | BinaryIO,
    *,
    name: str = "",
    chunk_rows: int | None,
) -> ChunkedTable:
    """Open a CSV or XLSX file to be read ``chunk_rows`` rows at a time
    (:data:`TABLE_CHUNK_ROWS` suits a check); ``FileRejected`` if it cannot
    be opened."""
    return ChunkedTable(read_grids(source, name=name, chunk_rows=chunk_rows))


def read_table(source: str | Path | BinaryIO, *, name: str = "") -> RawTable:
    """Read a CSV or XLSX file whole; ``FileRejected`` if it is refused."""
    table = open_table(source, name=name, chunk_rows=None)
    chunks = list(table.chunks())
    headers = table.finish()
    (chunk,) = chunks
    return RawTable(
        headers=headers,
        frame=chunk.frame.iloc[:, : len(headers)],
        row_numbers=chunk.row_numbers,
        file_format=table.file_format,
        encoding=table.encoding,
        meta=table.meta,
    )
