"""Assessors import and export from the Wagtail admin: dry run, row-by-row
preview, confirm, progress, report, template and downloads."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import ASSESSORS, OFFICIALS
from exchange.models import Export, ImportJob, ImportStatus
from surveys.models import Response
from tests.accounts.helpers import login_verified, member_of
from tests.imports.helpers import GOOD_ROWS, HEADER, csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessor(client):
    user = member_of(ASSESSORS)
    login_verified(client, user)
    return user


@pytest.fixture
def in_english(assessor):
    """The assessor's admin in English (the admin's language is per user)."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(assessor)
    profile.preferred_language = "en"
    profile.save()


def upload(client, survey, content: bytes, name="interviews.csv"):
    return client.post(
        reverse("exchange:index"),
        {"kind": "responses", "survey": survey.pk, "upload": _file(content, name)},
    )


def _file(content, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_an_assessor_checks_a_file_sees_each_row_and_then_imports_it(
    client, assessor, survey, points
):
    response = upload(client, survey, csv_bytes(GOOD_ROWS).decode().encode("gb18030"))
    assert response.status_code == 302
    job = ImportJob.objects.get()
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "Confirm and import" in text or "确认" in text
    assert job.status == ImportStatus.READY
    assert [o["action"] for o in job.preview] == ["create"] * 3
    assert Response.objects.count() == 0  # the dry run wrote nothing
    confirmed = client.post(response["Location"])
    assert confirmed.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created_count == 3
    assert Response.objects.count() == 3
    progress = client.get(reverse("exchange:progress", args=[job.pk])).json()
    assert progress == {
        "status": "done",
        "status_label": job.get_status_display(),
        "processed": 3,
        "total": 3,
        "percent": 100,
    }


def test_a_rejected_file_shows_the_problems_offers_no_confirm_and_a_report(
    client, assessor, survey, points
):
    rows = [list(r) for r in GOOD_ROWS]
    rows[1][HEADER.index("q_overall")] = "12"
    response = upload(client, survey, csv_bytes(rows))
    page = client.get(response["Location"]).content.decode()
    assert "q_overall" in page and "0–10" in page
    assert 'type="submit"' not in page
    assert client.post(response["Location"]).status_code == 302
    assert Response.objects.count() == 0
    job = ImportJob.objects.get()
    report = client.get(reverse("exchange:report", args=[job.pk]))
    body = b"".join(report.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0] == "row,action,column,value,message"
    assert body.splitlines()[1].startswith("3,reject,q_overall,12,")


@pytest.mark.parametrize("chunk_rows", [2, 10_000])
def test_a_file_refused_as_a_whole_says_so_instead_of_counting_rows(
    client, in_english, survey, points, monkeypatch, chunk_rows
):
    from exchange import tables

    monkeypatch.setattr(tables, "TABLE_CHUNK_ROWS", chunk_rows)
    lines = csv_bytes(GOOD_ROWS * 3).split(b"\r\n")
    lines[7] += b",extra"  # data row 7: one field too many, the parser stops
    response = upload(client, survey, b"\r\n".join(lines))
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.REJECTED and job.refused_whole
    page = client.get(response["Location"]).content.decode()
    said = re.search(
        r"The file was refused (after (\d+) rows had been read|as a whole); "
        r"nothing was written\.",
        page,
    )
    assert said, page
    if chunk_rows == 2:  # stopped in a late chunk: the rows read before row 7
        assert 0 < int(said.group(2)) < 7
    assert "to create" not in page  # no total of a file that was not read
    listing = client.get(reverse("exchange:index")).content.decode()
    assert "<td>—</td>" in listing
    assert Response.objects.count() == 0


def test_the_pages_say_where_the_assessor_is_and_what_to_choose(
    client, in_english, survey, points
):
    index = client.get(reverse("exchange:index")).content.decode()
    header = index[index.index("<header") : index.index("</header>")]
    assert "Imports and exports" in header  # not just "Home"
    assert '<option value="" selected>Choose the survey</option>' in index
    response = upload(client, survey, csv_bytes(GOOD_ROWS), name="phone.csv")
    job = client.get(response["Location"]).content.decode()
    header = job[job.index("<header") : job.index("</header>")]
    assert f'href="{reverse("exchange:index")}"' in header
    assert "Import: phone.csv" in header
    export = client.get(reverse("exchange:export")).content.decode()
    for prompt in ("All surveys", "All waves", "All sectors", "All service points"):
        assert f'<option value="" selected>{prompt}</option>' in export


def test_garbage_uploads_never_give_a_server_error(client, assessor, survey):
    for content, name in [
        (b"PK\x03\x04garbage", "x.xlsx"),
        (bytes(range(256)) * 10, "x.csv"),
        (b"\xff\xfe" + "a,b\n".encode("utf-16-le"), "x.csv"),
    ]:
        response = upload(client, survey, content, name)
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert client.get(response["Location"]).status_code == 200
    assert Response.objects.count() == 0


def test_the_template_has_the_header_and_drop_down_lists(client, assessor, survey):
    response = client.get(reverse("exchange:template", args=[survey.pk]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook["responses"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == [
        "service_point",
        "channel",
        "interview_date",
        "interviewer_id",
    ]
    assert "q_channels.other" in header and "d_gender" in header
    ranges = {
        str(v.sqref).split(":")[0]: v.formula1
        for v in sheet.data_validations.dataValidation
    }
    letter = sheet.cell(row=1, column=header.index("q_visited") + 1).column_letter
    assert ranges[f"{letter}2"].startswith("=_lists!")
    assert workbook["_meta"]["B1"].value == survey.pk


def test_an_export_download_records_rows_and_checksum(client, assessor, survey, points):
    upload(client, survey, csv_bytes(GOOD_ROWS))
    client.post(reverse("exchange:job", args=[ImportJob.objects.get().pk]))
    response = client.post(
        reverse("exchange:export"), {"survey": survey.pk, "file_format": "csv"}
    )
    content = b"".join(response.streaming_content)
    export = Export.objects.get()
    assert export.row_count == 3 == Response.objects.count()
    import hashlib

    assert export.checksum == hashlib.sha256(content).hexdigest()
    for file_format in ("xlsx", "sav", "dta"):
        response = client.post(
            reverse("exchange:export"),
            {"survey": survey.pk, "file_format": file_format},
        )
        assert response.status_code == 200
        assert b"".join(response.streaming_content)
    assert list(Export.objects.values_list("row_count", flat=True)) == [3, 3, 3, 3]


def test_officials_cannot_reach_imports_or_exports(client, survey):
    login_verified(client, member_of(OFFICIALS))
    # Wagtail turns a refusal into a redirect to the dashboard with a message.
    for url in (
        reverse("exchange:index"),
        reverse("exchange:export"),
        reverse("exchange:template", args=[survey.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/admin/"
    menu = client.get("/admin/").content.decode()
    assert reverse("exchange:index") not in menu


def test_an_assessor_cannot_see_another_users_job(client, assessor, survey, points):
    from exchange.services import import_create

    other = member_of(ASSESSORS, "other-assessor")
    job = import_create(
        kind="responses",
        upload=_file(csv_bytes(GOOD_ROWS), "a.csv"),
        user=other,
        survey=survey,
    )
    assert client.get(reverse("exchange:job", args=[job.pk])).status_code == 404
