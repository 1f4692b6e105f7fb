"""Export a survey's responses, import them into a copy of the survey, and
get the same answers back; the SPSS and Stata files carry the labels."""

import hashlib
import io

import pandas as pd
import pyreadstat
import pytest
from openpyxl import load_workbook

from exchange.exports import ExportFilters, export_begin, stream_csv
from exchange.formats import export_to_file
from exchange.models import Export, ImportStatus
from exchange.services import import_confirm
from surveys.models import Response, ServicePoint
from surveys.services import CompleteSubmission, response_submit_complete
from tests.imports.helpers import check

pytestmark = pytest.mark.django_db

WEB_ANSWERS = [
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
    {"q_visited": "no", "q_wait": 0, "q_overall": None, "q_nps": 0},
    {
        "q_visited": "yes",
        "q_wait": 120,
        "q_staff": None,
        "q_overall": 0,
        "q_nps": 5,
        "q_comment": "'=already quoted",
        "d_gender": "male",
    },
]


@pytest.fixture
def answered(survey, points):
    for number, answers in enumerate(WEB_ANSWERS):
        response_submit_complete(
            survey=survey,
            submission=CompleteSubmission(
                answers=answers,
                idempotency_key=f"web-{number}",
                channel="web",
                language="zh-hans",
                duration_seconds=300,
                service_point=points[number % 2],
            ),
        )
    return survey


def survey_copy(survey):
    copy = survey.copy(
        update_attrs={"slug": survey.slug + "-copy", "title": survey.title + " copy"}
    )
    copy.save_revision().publish()
    copy.refresh_from_db()
    return copy


def export_csv(survey) -> tuple[bytes, Export]:
    export, rows, header = export_begin(
        filters=ExportFilters(survey_ids=(survey.pk,)), file_format="csv", user=None
    )
    content = b"".join(stream_csv(export, rows, header))
    export.refresh_from_db()
    return content, export


def answers_of(survey):
    return [r.answers for r in Response.objects.filter(survey=survey).order_by("pk")]


def test_csv_round_trip_gives_identical_answers(answered, admin_user):
    content, export = export_csv(answered)
    copy = survey_copy(answered)
    job = check(copy, content, admin_user)
    assert job.status == ImportStatus.READY, job.message
    job = import_confirm(job_id=job.pk, user=admin_user)
    assert job.status == ImportStatus.DONE, job.message
    assert answers_of(copy) == answers_of(answered)
    imported = Response.objects.filter(survey=copy).order_by("pk")
    assert [r.service_point_id for r in imported] == [
        r.service_point_id for r in Response.objects.filter(survey=answered)
    ]


def test_the_export_records_the_row_count_and_the_checksum_of_the_bytes(answered):
    content, export = export_csv(answered)
    assert export.row_count == export.expected_rows == 3
    assert export.row_count == Response.objects.filter(survey=answered).count()
    assert export.checksum == hashlib.sha256(content).hexdigest()


def test_formula_like_text_is_neutralized_in_csv_and_comes_back_intact(
    answered, admin_user
):
    content, _export = export_csv(answered)
    frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    assert frame["q_name"].iloc[0] == "'=cmd|' /C calc'!A0"
    assert frame["q_comment"].iloc[0] == "'-很好- @everyone"
    assert frame["q_comment"].iloc[2] == "''=already quoted"
    assert frame["q_wait"].tolist() == ["15", "0", "120"]  # numbers untouched


def test_xlsx_round_trip_and_neutralized_cells(answered, admin_user, tmp_path):
    export, rows, header = export_begin(
        filters=ExportFilters(survey_ids=(answered.pk,)), file_format="xlsx", user=None
    )
    path = tmp_path / "responses.xlsx"
    export_to_file(export=export, rows=rows, header=header, path=path)
    export.refresh_from_db()
    assert export.row_count == 3
    sheet = load_workbook(path, read_only=True).active
    cells = list(sheet.iter_rows(values_only=True))
    name_column = cells[0].index("q_name")
    assert cells[1][name_column] == "'=cmd|' /C calc'!A0"
    assert cells[1][cells[0].index("q_wait")] == 15
    copy = survey_copy(answered)
    job = check(copy, path.read_bytes(), admin_user, name="responses.xlsx")
    assert job.status == ImportStatus.READY, job.message
    import_confirm(job_id=job.pk, user=admin_user)
    assert answers_of(copy) == answers_of(answered)


def test_spss_file_opens_with_pyreadstat_and_carries_labels(answered, tmp_path):
    export, rows, header = export_begin(
        filters=ExportFilters(survey_ids=(answered.pk,)), file_format="sav", user=None
    )
    path = tmp_path / "responses.sav"
    export_to_file(export=export, rows=rows, header=header, path=path)
    frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    assert len(frame) == 3 == Export.objects.get(pk=export.pk).row_count
    assert meta.column_names_to_labels["q_staff"] == "工作人员"
    assert meta.variable_value_labels["q_visited"] == {
        1.0: "yes 选项yes",
        2.0: "no 选项no",
    }
    assert meta.variable_value_labels["q_staff"][99.0] == "不适用"
    assert meta.missing_ranges["q_overall"] == [{"lo": 99.0, "hi": 99.0}]
    assert frame["q_overall"].tolist() == [9.0, 99.0, 0.0]
    assert frame["q_channels__web"].tolist()[0] == 1.0
    assert frame["design_weight"].tolist() == [1.0, 1.0, 1.0]
    assert "q_channels_other" in frame.columns


def test_stata_file_opens_with_labels_and_na_as_extended_missing(answered, tmp_path):
    export, rows, header = export_begin(
        filters=ExportFilters(survey_ids=(answered.pk,)), file_format="dta", user=None
    )
    path = tmp_path / "responses.dta"
    export_to_file(export=export, rows=rows, header=header, path=path)
    frame, meta = pyreadstat.read_dta(str(path), user_missing=True)
    assert len(frame) == 3
    assert meta.column_names_to_labels["q_nps"] == "推荐"
    assert frame["q_overall"].tolist()[1] == "a"  # Stata's .a: not applicable


def test_filters_by_service_point_and_flags_match_the_database(answered):
    point = ServicePoint.objects.get(code="wuzhen")
    export, rows, header = export_begin(
        filters=ExportFilters(service_point_id=point.pk), file_format="csv", user=None
    )
    content = b"".join(stream_csv(export, rows, header))
    export.refresh_from_db()
    assert export.row_count == Response.objects.filter(service_point=point).count() == 2
    assert content.decode("utf-8-sig").count("\r\n") == 3
    export, rows, header = export_begin(
        filters=ExportFilters(flags=("straight_liner",)), file_format="csv", user=None
    )
    b"".join(stream_csv(export, rows, header))
    export.refresh_from_db()
    assert export.row_count == 0
