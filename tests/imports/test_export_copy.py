"""On PostgreSQL the database writes the CSV export (COPY); it must be, byte for
byte, the CSV the Python path writes, whatever the answers hold."""

import csv
import hashlib
import io

import pytest
from django.db import connection

from exchange import export_copy
from exchange.export_copy import RowEnds, copy_csv_body
from exchange.exports import (
    ExportFilters,
    export_begin,
    python_csv_body,
    stream_csv,
)
from exchange.models import Export
from surveys.models import Response
from surveys.services import CompleteSubmission, response_submit_complete
from tests.analysis.conftest import AGE, GENDER
from tests.factories.analysis import add_margin, simulated_wave
from tests.services import require

pytestmark = pytest.mark.django_db

# Stored answers as they are, and as they could be: what validation lets in,
# and JSON shapes it does not (booleans, numbers where text is expected).
AWKWARD = [
    {
        "q_visited": "yes",
        "q_channels": ["web", "other"],
        "q_channels.other": "海报, “朋友”\n推荐",
        "q_wait": 15,
        "q_staff": 4,
        "q_overall": 9,
        "q_nps": 10,
        "q_name": "=cmd|' /C calc'!A0",
        "q_comment": "-很好- @everyone",
        "d_gender": "female",
    },
    {
        "q_name": "+1",
        "q_comment": "-3",
        "q_channels.other": "@x",
        "q_wait": 2.5,
        "q_overall": None,
        "q_staff": None,
    },
    {"q_name": "\tTAB", "q_comment": "\rCR", "q_wait": 1e-05, "q_nps": 0},
    {
        "q_name": "'=already",
        "q_comment": "''+x",
        "q_wait": 3.0,
        "q_channels": ["phone"],
        "q_channels.other": None,
    },
    {
        "q_name": 'say "hi", ok',
        "q_comment": "line1\nline2\r\nline3",
        "q_wait": -4,
        "q_channels": ['we"b', "a\\b", "c,d"],
        "q_channels.other": 5,
    },
    {
        "q_name": "-3\n",
        "q_comment": "1e5",
        "q_wait": 1234567890123456.8,
        "q_visited": True,
        "d_gender": "",
    },
    {
        "q_name": "2.50",
        "q_comment": "true",
        "q_wait": 1e16,
        "q_channels": [],
        "d_gender": "男",
    },
    {},
    {
        "q_name": "[not a list",
        "q_comment": "{brace",
        "q_wait": -0.5,
        "q_channels": ["web", 3, None, True, 2.0],
        "q_overall": 123456.789,
    },
    {"q_name": "-", "q_comment": "'", "q_wait": 0.1, "q_nps": -2},
]
INTERVIEWERS = ["=HYPERLINK(1)", "", "A-01", "@me", "-5", "甲", "'+x"]


@pytest.fixture(autouse=True)
def _postgresql(db):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")


def submit(survey, points, number: int) -> Response:
    response, _created = response_submit_complete(
        survey=survey,
        submission=CompleteSubmission(
            answers={"q_visited": "no", "q_wait": 0, "q_overall": None, "q_nps": 0},
            idempotency_key=f"copy-{number}",
            channel="web",
            language="zh-hans",
            duration_seconds=300,
            service_point=points[number % 2] if number % 3 else None,
        ),
    )
    return response


def both_paths(filters: ExportFilters) -> tuple[bytes, bytes, int]:
    """(PostgreSQL's bytes, Python's bytes, rows PostgreSQL counted)."""
    _export, rows, header = export_begin(filters=filters, file_format="csv", user=None)
    copied = list(copy_csv_body(rows, header))
    written = b"".join(chunk for chunk, _n in python_csv_body(rows, header))
    return b"".join(c for c, _n in copied), written, sum(n for _c, n in copied)


def test_awkward_answers_come_out_byte_identical(survey, points):
    for number, answers in enumerate(AWKWARD):
        response = submit(survey, points, number)
        Response.objects.filter(pk=response.pk).update(
            answers=answers,
            interviewer=INTERVIEWERS[number % len(INTERVIEWERS)],
            flags=["speeding", "straight_lining"] if number % 2 else [],
            excluded=number == 3,
        )
    copied, written, lines = both_paths(
        ExportFilters(survey_ids=(survey.pk,), include_excluded=True)
    )
    assert copied == written
    assert lines == len(AWKWARD)
    cells = list(csv.reader(io.StringIO(copied.decode("utf-8"))))
    assert "'=cmd|' /C calc'!A0" in cells[0] and "'=HYPERLINK(1)" in cells[0]
    assert "line1\nline2\r\nline3" in cells[4]


def test_weights_of_a_wave_come_out_byte_identical():
    made = simulated_wave(responses_per_survey=30).wave
    add_margin(made, "gender", GENDER)
    add_margin(made, "age_band", AGE)
    Response.objects.filter(pk=Response.objects.order_by("pk").first().pk).update(
        excluded=True
    )
    copied, written, lines = both_paths(ExportFilters(include_excluded=True))
    assert copied == written
    assert lines == Response.objects.count()
    weights = [row[12] for row in csv.reader(io.StringIO(copied.decode("utf-8")))]
    assert weights[0] == "" and all(float(w) > 0 for w in weights[1:])


def test_the_stream_records_the_rows_of_its_snapshot_and_the_digest(survey, points):
    for number in range(5):
        submit(survey, points, number)
    export, rows, header = export_begin(
        filters=ExportFilters(survey_ids=(survey.pk,)), file_format="csv", user=None
    )
    content = b"".join(stream_csv(export, rows, header))
    export.refresh_from_db()
    assert export.row_count == export.expected_rows == 5
    assert export.checksum == hashlib.sha256(content).hexdigest()


@pytest.mark.django_db(transaction=True)
def test_a_download_outside_a_transaction_reads_one_snapshot(survey, points):
    for number in range(3):
        submit(survey, points, number)
    export, rows, header = export_begin(
        filters=ExportFilters(survey_ids=(survey.pk,)), file_format="csv", user=None
    )
    stream = stream_csv(export, rows, header)
    next(stream)  # the count is taken: the snapshot is fixed
    with connection.cursor() as cursor:
        cursor.execute("SHOW transaction_isolation")
        assert cursor.fetchone()[0] == "repeatable read"
    content = b"".join(stream)
    export.refresh_from_db()
    assert export.row_count == export.expected_rows == 3
    assert content.count(b"\r\n") == 3  # the rows after the header


def test_a_download_cut_short_cancels_the_copy_and_records_nothing(
    survey, points, monkeypatch
):
    for number in range(40):
        submit(survey, points, number)
    monkeypatch.setattr(export_copy, "BLOCK_BYTES", 100)  # one row per block
    export, rows, header = export_begin(
        filters=ExportFilters(survey_ids=(survey.pk,)), file_format="csv", user=None
    )
    stream = stream_csv(export, rows, header)
    next(stream), next(stream)  # the header, then the first rows
    stream.close()  # what the server does when the client goes away
    assert Response.objects.count() == 40  # the connection is usable again
    assert Export.objects.get(pk=export.pk).row_count is None


@pytest.mark.parametrize("cut", range(1, 40))
def test_row_ends_count_lines_not_newlines_inside_quoted_fields(cut):
    data = b'1,"a\nb",x\n2,"say ""hi""\n",\n3,plain,"\r"\n'
    ends = RowEnds()
    out = ends(data[:cut]) + ends(data[cut:])
    assert ends.rows == 3
    assert out == b'1,"a\nb",x\r\n2,"say ""hi""\n",\r\n3,plain,"\r"\r\n'
