"""A file read a few rows at a time gets the verdict, messages, preview and
report of the same file read whole, and the progress bar moves with every
chunk of a background check, up to 100."""

from contextlib import contextmanager

import pytest
from django.db import connection, connections
from django.utils import translation

from exchange import services, tables
from exchange.models import ImportJob, ImportStatus
from tests.imports.helpers import GOOD_ROWS, HEADER, check, csv_bytes
from tests.services import require

pytestmark = pytest.mark.django_db

ROWS = GOOD_ROWS * 3  # 9 rows: chunks of 2 cut them five times
BLANK = [""] * len(HEADER)


def with_cell(rows, index: int, column: str, value: str):
    rows = [list(row) for row in rows]
    rows[index][HEADER.index(column)] = value
    return rows


def headerless(rows, filled_at: int | None, value: str = "x"):
    """Two columns without a header after the last one; one cell filled."""
    return csv_bytes(
        [[*row, value if i == filled_at else "", ""] for i, row in enumerate(rows)],
        [*HEADER, "", ""],
    )


FILES = {
    "good": csv_bytes(ROWS),
    "trailing blank rows, across chunks": csv_bytes([*ROWS, BLANK, BLANK, BLANK]),
    "blank rows inside, at chunk ends": csv_bytes(
        [*ROWS[:2], BLANK, BLANK, *ROWS[2:5], BLANK, *ROWS[5:], BLANK]
    ),
    "leading blank row": csv_bytes([BLANK, *ROWS]),
    "the same formula in two chunks": csv_bytes(
        with_cell(with_cell(ROWS, 1, "q_name", "=1+2"), 7, "q_name", "=1+2")
    ),
    "formulas and blank rows": csv_bytes(
        [*with_cell(ROWS, 6, "q_comment", " =A1"), BLANK, ROWS[0]]
    ),
    "headerless columns, empty": headerless(ROWS, None),
    "headerless column holding a value in a late chunk": headerless(ROWS, 8),
    "headerless column holding a space": headerless(ROWS, 5, " "),
    "headerless column holding a formula": headerless(ROWS, 6, "=A1"),
    "unknown column and a late formula": csv_bytes(
        [[*row, "=A1" if i == 8 else "x"] for i, row in enumerate(ROWS)],
        [*HEADER, "remarks"],
    ),
    "a ragged row in a late chunk": csv_bytes(ROWS).replace(b"\r\n", b",extra\r\n", 9),
    "bad cells in several chunks": csv_bytes(
        with_cell(
            with_cell(with_cell(ROWS, 0, "q_staff", "7"), 4, "channel", "fax"),
            8,
            "interview_date",
            "soon",
        )
    ),
    "identical rows in different chunks": csv_bytes([*ROWS, *ROWS[:4]]),
    "GB18030 with a line break in a cell": csv_bytes(
        with_cell(ROWS, 3, "q_comment", "很好\n谢谢"), encoding="gb18030"
    ),
    "no data rows": csv_bytes([BLANK, BLANK]),
}


def outcome(job: ImportJob) -> dict:
    return {
        "status": job.status,
        "message": job.message,
        "counts": (job.created_count, job.skipped_count, job.rejected_count),
        "preview": job.preview,
        "report": job.report.open("rb").read() if job.report else b"",
    }


@pytest.mark.parametrize("case", sorted(FILES))
def test_a_file_read_in_chunks_gets_what_the_whole_file_read_at_once_gets(
    case, survey, points, admin_user, monkeypatch
):
    outcomes = []
    for chunk_rows in (2, 10_000):
        monkeypatch.setattr(tables, "TABLE_CHUNK_ROWS", chunk_rows)
        with translation.override("en"):
            outcomes.append(outcome(check(survey, FILES[case], admin_user)))
    chunked, whole = outcomes
    assert chunked == whole


def test_read_table_refuses_what_a_chunked_check_refuses(tmp_path):
    from exchange.problems import FileRejected

    path = tmp_path / "blank.csv"
    path.write_bytes(csv_bytes([GOOD_ROWS[0], BLANK, GOOD_ROWS[1]]))
    with translation.override("en"), pytest.raises(FileRejected, match="Row 3 is"):
        tables.read_table(path)


@pytest.mark.django_db(transaction=True)
def test_a_background_check_moves_the_progress_bar_chunk_by_chunk_to_100(
    survey, points, admin_user, monkeypatch, settings
):
    """The progress is written after every chunk, while the dry run's COPY
    holds the connection, through another connection: a third one (the
    progress page's) sees each step."""
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    settings.EXCHANGE_BACKGROUND_BYTES = 10  # every file goes to the task
    monkeypatch.setattr(tables, "TABLE_CHUNK_ROWS", 2)
    seen: list[tuple[int, int, bool]] = []
    writer = services.progress_writer

    def watched(job):
        with writer(job) as write:

            def write_and_look(*, total, processed):
                write(total=total, processed=processed)
                page = connections.create_connection("default")
                try:
                    with page.cursor() as cursor:
                        cursor.execute(
                            "SELECT processed_rows, total_rows FROM "
                            "exchange_importjob WHERE id = %s",
                            [job.pk],
                        )
                        seen.append((*cursor.fetchone(), connection.in_atomic_block))
                finally:
                    page.close()

            yield write_and_look

    monkeypatch.setattr(services, "progress_writer", contextmanager(watched))
    job = check(survey, csv_bytes(ROWS), admin_user)
    job.refresh_from_db()
    assert job.status == ImportStatus.READY, job.message
    processed = [done for done, _total, _in_copy in seen]
    assert processed == [0, 1, 3, 5, 7, 9]  # the header shares the first chunk
    assert all(total == len(ROWS) for _done, total, _in_copy in seen)
    assert any(in_copy for *_counts, in_copy in seen)  # inside the stage's COPY
    assert (job.processed_rows, job.total_rows, job.progress_percent) == (9, 9, 100)
