"""The malformed-file corpus: each is refused with a message naming the row,
the column and what was expected, and nothing is written."""

import io
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from exchange.models import ImportStatus
from exchange.readers import MAX_FILE_BYTES
from exchange.services import ImportRefused, import_confirm
from surveys.models import Response
from tests.imports.helpers import GOOD_ROWS, HEADER, check, csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # The corpus matches the English messages; zh-hans is the default language.
    with translation.override("en"):
        yield


def with_cell(row_index: int, column: str, value: str):
    rows = [list(row) for row in GOOD_ROWS]
    rows[row_index][HEADER.index(column)] = value
    return rows


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A small zip, named .xlsx, that would expand to 1 GB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(1024):
                member.write(block)
    return buffer.getvalue()


def other_survey_bytes() -> bytes:
    header = [
        "service_point",
        "channel",
        "interview_date",
        "b_clean",
        "b_safe",
        "b_fare",
    ]
    return csv_bytes([["wuzhen", "phone", "2026-11-03", "4", "5", "3"]], header)


def duplicate_header_bytes() -> bytes:
    header = [*HEADER, "q_wait"]
    return csv_bytes([[*row, "1"] for row in GOOD_ROWS], header)


LATIN_ROW = [
    "wuzhen",
    "phone",
    "2026-11-03",
    "A01",
    "yes",
    "",
    "",
    "15",
    "4",
    "9",
    "10",
    "",
    "café crème",
    "female",
]

CORPUS = {
    "wrong encoding (Latin-1)": (
        lambda: csv_bytes([LATIN_ROW], encoding="latin-1"),
        ("not UTF-8, GB18030 or GBK", "line 2", "CSV UTF-8"),
    ),
    "missing column": (
        lambda: csv_bytes([r[:-1] for r in GOOD_ROWS], HEADER[:-1]),
        "The column “d_gender” is missing",
    ),
    "extra column": (
        lambda: csv_bytes([[*r, "x"] for r in GOOD_ROWS], [*HEADER, "remarks"]),
        ("Unknown column O", "remarks"),
    ),
    "unknown question code": (
        lambda: csv_bytes([[*r, "3"] for r in GOOD_ROWS], [*HEADER, "q_parking"]),
        ("Unknown column O", "q_parking"),
    ),
    "duplicate headers": (lambda: duplicate_header_bytes(), "both hold “q_wait”"),
    "unknown choice label": (
        lambda: csv_bytes(with_cell(1, "q_visited", "maybe")),
        ("row 3, column “q_visited”", "maybe", "expected one of yes"),
    ),
    "out-of-range rating": (
        lambda: csv_bytes(with_cell(0, "q_staff", "7")),
        ("row 2, column “q_staff”", "expected a whole number 1–5"),
    ),
    "out-of-range number": (
        lambda: csv_bytes(with_cell(2, "q_wait", "500")),
        ("row 4, column “q_wait”", "500"),
    ),
    "unknown service point": (
        lambda: csv_bytes(with_cell(0, "service_point", "nowhere")),
        ("row 2, column “service_point”", "Unknown service point", "nowhere"),
    ),
    "bad date": (
        lambda: csv_bytes(with_cell(0, "interview_date", "yesterday")),
        ("row 2, column “interview_date”", "Not a date", "2026-11-03"),
    ),
    "blank rows": (
        lambda: csv_bytes([GOOD_ROWS[0], [""] * len(HEADER), GOOD_ROWS[1]]),
        "Row 3 is blank",
    ),
    "formula in a CSV cell": (
        lambda: csv_bytes(with_cell(1, "q_comment", '=HYPERLINK("http://x","y")')),
        ("row 3, column “q_comment”", "formula", "paste the values"),
    ),
    "formula in an XLSX cell": (
        lambda: xlsx_bytes(with_cell(0, "q_wait", "=1+2")),
        ("row 2, column “q_wait”", "formula"),
    ),
    "zip bomb disguised as XLSX": (lambda: zip_bomb(), ("zip bomb", "1024 MB")),
    "a file of a different survey": (
        lambda: other_survey_bytes(),
        ("does not belong to the survey", "b_clean", "q_visited"),
    ),
    "required answer missing": (
        lambda: csv_bytes(with_cell(0, "q_nps", "")),
        ("row 2, column “q_nps”", "must be answered"),
    ),
    "ragged row": (
        lambda: csv_bytes(GOOD_ROWS).replace(b"A-17", b"A-17,extra"),
        "has 15 cells but the header has 14",
    ),
    "an old .xls file": (
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
        ".xls",
    ),
    "empty file": (lambda: b"", "empty"),
}


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_malformed_file_is_rejected_with_a_clear_message_and_writes_nothing(
    case, survey, points, admin_user
):
    make, expected = CORPUS[case]
    content = make()
    name = "responses.xlsx" if content.startswith((b"PK", b"\xd0\xcf")) else "r.csv"
    with translation.override("en"):  # the messages are checked in English
        job = check(survey, content, admin_user, name=name)
    assert job.status == ImportStatus.REJECTED, (case, job.message)
    # what was wrong, and where: row, column, value and what was expected
    for fragment in (expected,) if isinstance(expected, str) else expected:
        assert fragment.casefold() in job.message.casefold(), job.message
    with pytest.raises(ImportRefused):
        import_confirm(job_id=job.pk, user=admin_user)
    assert Response.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    survey, admin_user, tmp_path
):
    from django.core.files.uploadedfile import TemporaryUploadedFile

    big = TemporaryUploadedFile("big.csv", "text/csv", 200 * 1024 * 1024, "utf-8")
    big.file.truncate(200 * 1024 * 1024)  # sparse: 200 MB without writing it
    assert big.size > MAX_FILE_BYTES
    from exchange.services import import_create

    with pytest.raises(ImportRefused, match="200 MB; the limit is 150 MB"):
        import_create(kind="responses", upload=big, user=admin_user, survey=survey)
    assert Response.objects.count() == 0


def test_a_200_mb_file_read_directly_is_refused_in_a_second(tmp_path):
    import time

    from exchange.problems import FileRejected
    from exchange.tables import read_table

    path = tmp_path / "big.csv"
    with open(path, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)
    started = time.perf_counter()
    with pytest.raises(FileRejected, match="limit is 150 MB"):
        read_table(path)
    assert time.perf_counter() - started < 1


def test_one_bad_row_among_good_ones_rejects_the_whole_file(survey, points, admin_user):
    rows = GOOD_ROWS * 10 + [with_cell(0, "q_overall", "11")[0]]
    job = check(survey, csv_bytes(rows), admin_user)
    assert job.status == ImportStatus.REJECTED
    assert job.rejected_count == 1
    assert "row 32" in job.message
    rejected = [o for o in job.preview if o["action"] == "reject"]
    assert rejected[0]["row"] == 32
    assert "q_overall" in rejected[0]["why"][0]
    assert Response.objects.count() == 0
