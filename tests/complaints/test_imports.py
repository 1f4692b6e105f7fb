"""Hotline and platform cases: imported all or nothing, duplicates skipped."""

from __future__ import annotations

import io

import openpyxl
import pytest
import tablib
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints.choices import ComplaintChannel, ComplaintStatus
from complaints.errors import ImportRejected
from complaints.forms import ImportForm
from complaints.models import Complaint
from complaints.services import complaints_import
from tests.factories.complaints import handler, scenic_area

pytestmark = pytest.mark.django_db

HEADER = "case_number,received_at,service_point,category,description,contact_phone"
GOOD_ROWS = [
    "12301-0001,2026-05-01 09:30,wuzhen,price,Overcharged for a boat ride,13800000001",
    "12301-0002,2026-05-02 10:00,wuzhen,hygiene,Toilets closed at the east gate,",
]


def dataset(*rows: str, header: str = HEADER) -> tablib.Dataset:
    return tablib.Dataset().load("\n".join([header, *rows]), format="csv")


def run(data: tablib.Dataset, channel: str = ComplaintChannel.HOTLINE_12301):
    actor = (
        handler("importer")
        if not User.objects.filter(username="importer")
        else (User.objects.get(username="importer"))
    )
    return complaints_import(dataset=data, channel=channel, actor=actor)


def test_good_cases_become_received_complaints_with_deadlines():
    scenic_area()
    summary = run(dataset(*GOOD_ROWS))
    assert summary.created == 2 and summary.duplicates == ()
    complaint = Complaint.objects.get(external_reference="12301-0001")
    assert complaint.channel == ComplaintChannel.HOTLINE_12301
    assert complaint.status == ComplaintStatus.RECEIVED
    assert complaint.settle_by > complaint.acknowledge_by > complaint.received_at
    assert complaint.reference.startswith("JX-260501-")
    event = complaint.transitions.get()
    assert event.action == "receive" and "12301-0001" in event.note


def test_known_case_numbers_and_repeats_in_the_file_are_skipped():
    scenic_area()
    run(dataset(GOOD_ROWS[0]))
    summary = run(dataset(*GOOD_ROWS, GOOD_ROWS[1]))
    assert summary.created == 1
    assert summary.duplicates == ("12301-0001", "12301-0002")
    assert Complaint.objects.count() == 2


def test_the_same_case_number_on_another_channel_is_a_different_case():
    scenic_area()
    run(dataset(GOOD_ROWS[0]))
    assert run(dataset(GOOD_ROWS[0]), ComplaintChannel.HOTLINE_12345).created == 1


def test_a_file_with_bad_rows_imports_nothing_and_names_every_problem():
    scenic_area()
    rows = [
        GOOD_ROWS[0],
        "12301-0003,2026-05-03,wuzhen,bribery,Wrong category value",
        "12301-0004,yesterday,atlantis,price,Bad date and unknown place",
        ",2026-05-04 08:00,wuzhen,price,No case number",
    ]
    with pytest.raises(ImportRejected) as rejected:
        run(dataset(*rows))
    problems = "\n".join(rejected.value.problems)
    assert "Line 3:" in problems and "bribery" in problems
    assert "Line 4:" in problems and "atlantis" in problems
    assert "received_at" in problems
    assert "Line 5:" in problems and "case number is empty" in problems
    assert "Line 2:" not in problems
    assert not Complaint.objects.exists()


def test_missing_columns_empty_files_and_other_channels_are_refused():
    scenic_area()
    with pytest.raises(ImportRejected, match="Nothing was imported") as missing:
        run(dataset("x,y", header="case_number,received_at"))
    assert "service_point, category, description" in missing.value.problems[0]
    with pytest.raises(ImportRejected) as empty:
        run(dataset())
    assert empty.value.problems == ["The file has no cases."]
    with pytest.raises(ImportRejected):
        run(dataset(*GOOD_ROWS), channel=ComplaintChannel.QR)
    assert not Complaint.objects.exists()


def xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_excel_files_are_read_by_the_import_form():
    scenic_area()
    content = xlsx(
        [
            HEADER.split(","),
            ["96345-9", "2026-06-01 08:15", "wuzhen", "safety", "Broken railing", ""],
        ]
    )
    form = ImportForm(
        {"channel": ComplaintChannel.HOTLINE_96345},
        {"file": SimpleUploadedFile("cases.xlsx", content)},
    )
    assert form.is_valid(), form.errors
    summary = run(form.cleaned_data["file"], ComplaintChannel.HOTLINE_96345)
    assert summary.created == 1
    assert Complaint.objects.get().category == "safety"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cases.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx file."),
        ("cases.xlsx", b"not a zip file", "could not be read as Excel"),
        ("cases.csv", "案件".encode("gb18030"), "not UTF-8"),
    ],
)
def test_unreadable_files_are_refused_by_the_form(name, content, message):
    form = ImportForm(
        {"channel": ComplaintChannel.HOTLINE_12345},
        {"file": SimpleUploadedFile(name, content)},
    )
    assert not form.is_valid()
    assert message in str(form.errors["file"])
