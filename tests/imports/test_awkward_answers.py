"""Awkward cells (quotes, backslashes, Chinese, line breaks, tabs, "not
applicable", multiple choice, "other" texts, blanks) are stored exactly as the
JSON of the same answers written one response at a time, and keyed by that
text, whether the file is checked in one chunk or in many."""

import json

import numpy as np
import pandas as pd
import pytest
from django.db import connection

from exchange import tables
from exchange.models import ImportStatus
from exchange.services import import_confirm
from surveys.models import Response
from tests.imports.helpers import HEADER, check, csv_bytes
from tests.services import require

pytestmark = pytest.mark.django_db

TEXTS = [
    'say "hi"',
    "back\\slash",
    "C:\\new\\table",
    "很好，谢谢",
    "line\nbreak",
    "tab\there",
    "cr\r\nlf",
    "emoji 😀",
    "sep\u2028arator",
    '{"json": [1]}',
    "\\N",
    "\\",
    'quote\\"mix',
    "中文\\n",
    "N/A",
]
# (cells of the file) -> answers as the web stores them, in questionnaire order
CASES = [
    (
        ["yes", "web;other", "{t}", "15", "4", "na", "10", "{t}", "{t}", "female"],
        {
            "q_visited": "yes",
            "q_channels": ["web", "other"],
            "q_channels.other": "{t}",
            "q_wait": 15,
            "q_staff": 4,
            "q_overall": None,
            "q_nps": 10,
            "q_name": "{t}",
            "q_comment": "{t}",
            "d_gender": "female",
        },
    ),
    (
        ["选项no", "Option phone；选项web", "", "0", "", "N/A", "0", "", "{t}", ""],
        {
            "q_visited": "no",
            "q_channels": ["phone", "web"],
            "q_wait": 0,
            "q_overall": None,
            "q_nps": 0,
            "q_comment": "{t}",
        },
    ),
    (
        ["Yes", "", "", "90.0", "不适用", "7", "9", "{t}", "", "Option male"],
        {
            "q_visited": "yes",
            "q_wait": 90,
            "q_staff": None,
            "q_overall": 7,
            "q_nps": 9,
            "q_name": "{t}",
            "d_gender": "male",
        },
    ),
]


def rows_and_answers():
    """Every awkward text in every case, then the first rows again (whose
    second copies are duplicates, in a later chunk when chunks are small)."""
    rows, answers = [], []
    for number, text in enumerate(TEXTS):
        cells, stored = CASES[number % len(CASES)]
        point = "wuzhen" if number % 2 else ""
        rows.append(
            [point, "phone", "2026-11-03", f"A{number}"]
            + [cell.replace("{t}", text) for cell in cells]
        )
        answers.append(
            {
                code: value.replace("{t}", text) if isinstance(value, str) else value
                for code, value in stored.items()
            }
        )
    return rows + rows[:4], answers + answers[:4]


def web_json(answers: dict) -> str:
    """A response's answers as one web submission's JSON text."""
    return (
        "{"
        + ", ".join(
            f"{json.dumps(code)}: {json.dumps(value, ensure_ascii=False)}"
            for code, value in answers.items()
        )
        + "}"
    )


@pytest.mark.parametrize("chunk_rows", [3, tables.TABLE_CHUNK_ROWS])
def test_awkward_answers_are_stored_and_keyed_byte_for_byte(
    survey, points, admin_user, monkeypatch, chunk_rows
):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    monkeypatch.setattr(tables, "TABLE_CHUNK_ROWS", chunk_rows)
    assert HEADER[4:] == list(CASES[0][1])  # the cells line up with the header
    rows, answers = rows_and_answers()
    job = check(survey, csv_bytes(rows), admin_user)
    assert job.status == ImportStatus.READY, job.message
    job = import_confirm(job_id=job.pk, user=admin_user)
    assert job.status == ImportStatus.DONE, job.message

    stored = list(
        Response.objects.filter(import_job=job.pk)
        .order_by("import_row")
        .values_list(
            "import_row", "service_point_id", "channel", "started_at", "interviewer"
        )
    )
    assert [row for row, *_rest in stored] == list(range(2, len(rows) + 2))
    texts = [web_json(a) for a in answers]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.answers::text = e.text::jsonb::text, r.flags::text "
            "FROM surveys_response r JOIN unnest(%s::text[]) "
            "WITH ORDINALITY AS e(text, n) ON r.import_row = e.n + 1 "
            "WHERE r.import_job = %s ORDER BY r.import_row",
            [texts, job.pk],
        )
        same, flags = zip(*cursor.fetchall(), strict=True)
    assert all(same)
    assert [json.loads(f) == ["duplicate"] for f in flags] == [False] * len(TEXTS) + [
        True
    ] * 4

    # The key hashes the answers' text: the same text, byte for byte.
    content = pd.DataFrame(
        {
            "answers": np.array(texts, dtype=object),
            "point": [point or 0 for _row, point, *_rest in stored],
            "channel": [channel for _row, _point, channel, *_rest in stored],
            "started": pd.to_datetime([s for *_head, s, _i in stored], utc=True)
            .tz_localize(None)
            .to_numpy(dtype="datetime64[us]")
            .astype("int64"),
            "interviewer": [interviewer for *_head, interviewer in stored],
        }
    )
    first, second = (
        pd.util.hash_pandas_object(content, index=False, hash_key=k).to_numpy()
        for k in ("jx-import-key-01", "jx-import-key-02")
    )
    occurrence = [0] * len(TEXTS) + [1] * 4
    expected = [
        f"import:{survey.pk}:{a:016x}{b:016x}:{n}"
        for a, b, n in zip(first, second, occurrence, strict=True)
    ]
    keys = Response.objects.filter(import_job=job.pk).order_by("import_row")
    assert list(keys.values_list("idempotency_key", flat=True)) == expected
