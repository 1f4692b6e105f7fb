"""Service points, the question bank and population margins through
django-import-export: dry run first, then every row or none."""

import json

import pytest
from django.utils import translation

from analysis.models import PopulationMargin, PopulationMarginCell, Wave
from exchange.models import ImportStatus
from exchange.services import import_confirm, import_run
from surveys.models import QuestionSet, ServicePoint
from tests.factories.surveys import RegionFactory, SectorFactory, likert
from tests.imports.helpers import check, csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference(db):
    SectorFactory(code="tourism", name="旅游", name_en="Tourism")
    RegionFactory(code="tongxiang", name="桐乡市", name_en="Tongxiang")


def test_service_points_with_chinese_headers_are_previewed_then_imported(
    reference, admin_user
):
    content = csv_bytes(
        [
            ["wuzhen", "乌镇景区", "Wuzhen", "旅游", "桐乡市", "是"],
            ["hospital-1", "桐乡第一人民医院", "", "tourism", "Tongxiang", "否"],
        ],
        ["编码", "名称", "英文名称", "行业", "地区", "启用"],
    )
    job = check(None, content, admin_user, kind="service_points")
    assert job.status == ImportStatus.READY, job.message
    assert [o["action"] for o in job.preview] == ["create", "create"]
    assert ServicePoint.objects.count() == 0
    job = import_confirm(job_id=job.pk, user=admin_user)
    assert job.status == ImportStatus.DONE
    point = ServicePoint.objects.get(code="hospital-1")
    assert (point.sector.code, point.region.code, point.active) == (
        "tourism",
        "tongxiang",
        False,
    )


def test_one_bad_service_point_row_rejects_the_file(reference, admin_user):
    content = csv_bytes(
        [
            ["wuzhen", "乌镇景区", "tourism", "tongxiang"],
            ["xitang", "西塘景区", "transport", "tongxiang"],
        ],
        ["code", "name", "sector", "region"],
    )
    with translation.override("en"):  # the message is checked in English
        job = check(None, content, admin_user, kind="service_points")
    assert job.status == ImportStatus.REJECTED
    assert "row 3" in job.message and "transport" in job.message
    assert ServicePoint.objects.count() == 0


def test_a_question_set_is_checked_by_the_editors_own_blocks(reference, admin_user):
    good = [likert("q_staff", "服务态度")]
    bad = [likert("Bad Code", "坏")]
    content = csv_bytes(
        [
            ["tourism", "景区标准题", json.dumps(good, ensure_ascii=False)],
            ["tourism", "坏题", json.dumps(bad, ensure_ascii=False)],
        ],
        ["sector", "name", "questions"],
    )
    with translation.override("en"):  # the message is checked in English
        job = check(None, content, admin_user, kind="question_bank")
    assert job.status == ImportStatus.REJECTED
    assert "row 3" in job.message
    content = csv_bytes(
        [["tourism", "景区标准题", json.dumps(good, ensure_ascii=False)]],
        ["行业", "名称", "题目"],
    )
    job = check(None, content, admin_user, kind="question_bank")
    assert job.status == ImportStatus.READY, job.message
    import_confirm(job_id=job.pk, user=admin_user)
    question_set = QuestionSet.objects.get()
    assert question_set.body[0].value["code"] == "q_staff"


def test_population_margins_create_their_margin_and_cells(admin_user):
    wave = Wave.objects.create(
        slug="2026-q4",
        name="2026年第四季度",
        period_start="2026-10-01",
        period_end="2026-12-31",
    )
    content = csv_bytes(
        [
            ["2026-q4", "region,gender", "nanhu, female", "250000", "2020 census"],
            ["2026-q4", "region,gender", "nanhu,male", "260000", "2020 census"],
        ],
        ["wave", "variables", "category", "population", "source"],
    )
    job = check(None, content, admin_user, kind="margins")
    assert job.status == ImportStatus.READY, job.message
    assert PopulationMargin.objects.count() == 0  # the dry run rolled back
    job = import_confirm(job_id=job.pk, user=admin_user)
    assert job.status == ImportStatus.DONE, job.message
    margin = PopulationMargin.objects.get(wave=wave)
    assert margin.variables == "region,gender"
    assert sorted(
        PopulationMarginCell.objects.values_list("category", "population")
    ) == [
        ("nanhu,female", 250000.0),
        ("nanhu,male", 260000.0),
    ]
    bad = csv_bytes(
        [["2026-q4", "region,shoe_size", "nanhu,42", "5"]],
        ["wave", "variables", "category", "population"],
    )
    job = check(None, bad, admin_user, kind="margins")
    assert job.status == ImportStatus.REJECTED and "shoe_size" in job.message


def test_running_an_import_task_twice_leaves_the_same_state(survey, points, admin_user):
    from exchange.tasks import check_import, run_import
    from surveys.models import Response
    from tests.imports.helpers import GOOD_ROWS

    job = check(survey, csv_bytes(GOOD_ROWS), admin_user)
    assert check_import(job.pk) == check_import(job.pk) == ImportStatus.READY
    job = import_confirm(job_id=job.pk, user=admin_user)
    assert run_import(job.pk) == run_import(job.pk) == ImportStatus.DONE
    assert import_run(job_id=job.pk).status == ImportStatus.DONE
    assert Response.objects.count() == 3
    again = check(survey, csv_bytes(GOOD_ROWS), admin_user)
    assert [o["action"] for o in again.preview] == ["skip"] * 3
    assert import_confirm(job_id=again.pk, user=admin_user).created_count == 0
    assert Response.objects.count() == 3


def test_each_imported_response_records_its_job_row_and_interviewer(
    survey, points, admin_user
):
    from surveys.models import Response
    from tests.imports.helpers import GOOD_ROWS, HEADER

    job = check(survey, csv_bytes(GOOD_ROWS), admin_user)
    job = import_confirm(job_id=job.pk, user=admin_user)
    assert job.status == ImportStatus.DONE, job.message
    stored = list(
        Response.objects.order_by("pk").values_list(
            "import_job", "import_row", "interviewer", "resume_digest"
        )
    )
    interviewers = [row[HEADER.index("interviewer_id")] for row in GOOD_ROWS]
    # rows numbered as a spreadsheet shows them: the header is row 1
    assert stored == [
        (job.pk, number, interviewer, None)
        for number, interviewer in enumerate(interviewers, start=2)
    ]


def test_rows_imported_between_a_dry_run_and_its_confirmation_are_skipped(
    survey, points, admin_user
):
    from surveys.models import Response
    from tests.imports.helpers import GOOD_ROWS

    first = check(survey, csv_bytes(GOOD_ROWS), admin_user)
    second = check(survey, csv_bytes(GOOD_ROWS + GOOD_ROWS[:1]), admin_user)
    assert first.created_count == 3 and second.created_count == 4
    assert import_confirm(job_id=first.pk, user=admin_user).created_count == 3
    second = import_confirm(job_id=second.pk, user=admin_user)
    assert second.status == ImportStatus.DONE, second.message
    # only the repeated row, a second occurrence, is new
    assert Response.objects.count() == 4
    assert Response.objects.filter(import_job=second.pk).count() == 1


def test_a_job_whose_prepared_rows_are_gone_is_checked_again(
    survey, points, admin_user
):
    """As a job checked by an earlier release (which prepared a file in
    another layout, and no stage table) is."""
    from exchange.loaders import prepared_discard
    from surveys.models import Response
    from tests.imports.helpers import GOOD_ROWS

    job = check(survey, csv_bytes(GOOD_ROWS), admin_user)
    prepared_discard(job)
    job.save()
    with translation.override("en"):
        job = import_confirm(job_id=job.pk, user=admin_user)
    assert job.status == ImportStatus.FAILED
    assert "Check the file again" in job.message
    assert Response.objects.count() == 0


def test_a_large_file_is_checked_and_imported_by_the_background_task(
    survey, points, admin_user, settings, django_capture_on_commit_callbacks
):
    from surveys.models import Response
    from tests.imports.helpers import GOOD_ROWS

    settings.EXCHANGE_BACKGROUND_BYTES = 10  # every file is "large" here
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = check(survey, csv_bytes(GOOD_ROWS), admin_user)
    assert job.status == ImportStatus.CHECKING and len(callbacks) == 1
    callbacks[0]()  # the worker picks the task up once the job is committed
    job.refresh_from_db()
    assert job.status == ImportStatus.READY and job.total_rows == 3
    job = import_confirm(job_id=job.pk, user=admin_user)  # eager task in tests
    assert job.status == ImportStatus.DONE and job.progress_percent == 100
    assert Response.objects.count() == 3
