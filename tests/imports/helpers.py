"""Build response files the way people send them."""

from __future__ import annotations

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from exchange.services import import_create

HEADER = [
    "service_point",
    "channel",
    "interview_date",
    "interviewer_id",
    "q_visited",
    "q_channels",
    "q_channels.other",
    "q_wait",
    "q_staff",
    "q_overall",
    "q_nps",
    "q_name",
    "q_comment",
    "d_gender",
]
GOOD_ROWS = [
    [
        "wuzhen",
        "phone",
        "2026-11-03",
        "A01",
        "yes",
        "web;other",
        "海报",
        "15",
        "4",
        "9",
        "10",
        "A-17",
        "很好",
        "female",
    ],
    [
        "xitang",
        "paper",
        "2026-11-04",
        "A02",
        "no",
        "",
        "",
        "3",
        "",
        "na",
        "0",
        "",
        "",
        "male",
    ],
    [
        "wuzhen",
        "phone",
        "2026-11-04",
        "A01",
        "yes",
        "phone",
        "",
        "0",
        "5",
        "10",
        "9",
        "",
        "",
        "",
    ],
]


def csv_bytes(rows, header=HEADER, *, encoding="utf-8", delimiter=",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(content: bytes, name: str = "responses.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def check(
    survey, content: bytes, user=None, name: str = "responses.csv", kind="responses"
):
    return import_create(
        kind=kind, upload=upload(content, name), user=user, survey=survey
    )
