"""Files as people really send them import to the same answers."""

import codecs
import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from exchange.models import ImportStatus
from exchange.services import import_confirm
from surveys.models import Response
from tests.imports.helpers import GOOD_ROWS, HEADER, check, csv_bytes

pytestmark = pytest.mark.django_db

CHINESE_HEADER = ["服务点", "调查方式", "访问日期", "访问员", "您来过吗？",
                  "渠道", "q_channels.other", "等候分钟", "工作人员", "总体",
                  "推荐", "工号", "建议", "性别"]  # fmt: skip
CHINESE_ROWS = [
    ["乌镇景区", "电话", "2026年11月3日", "A01", "选项yes", "选项web；其他", "海报",
     "15", "4", "9", "10", "A-17", "很好", "选项female"],
    ["Xitang", "Paper", "2026/11/4", "A02", "Option no", "", "", "3", "", "不适用",
     "0", "", "", "Option male"],
    ["wuzhen", "phone", "2026-11-04", "A01", "yes", "phone", "", "0", "5", "10", "9",
     "", "", ""],
]  # fmt: skip


def imported(survey, content, user, name="r.csv"):
    job = check(survey, content, user, name=name)
    assert job.status == ImportStatus.READY, job.message
    assert import_confirm(job_id=job.pk, user=user).status == ImportStatus.DONE
    return [r.answers for r in Response.objects.order_by("pk")]


@pytest.fixture
def expected(survey, points, admin_user):
    answers = imported(survey, csv_bytes(GOOD_ROWS), admin_user)
    Response.objects.all().delete()
    return answers


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8"),
        lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
        lambda text: text.encode("gb18030"),
        lambda text: text.encode("gbk"),
        lambda text: text.encode("utf-16"),
    ],
    ids=["utf-8", "utf-8 with BOM", "gb18030", "gbk", "utf-16"],
)
def test_every_common_encoding_gives_the_same_answers(
    encode, expected, survey, admin_user
):
    text = csv_bytes(GOOD_ROWS).decode("utf-8")
    assert imported(survey, encode(text), admin_user) == expected


def test_chinese_headers_labels_and_dates_give_the_same_answers(
    expected, survey, admin_user
):
    content = csv_bytes(CHINESE_ROWS, CHINESE_HEADER, encoding="gb18030")
    assert imported(survey, content, admin_user) == expected


def test_semicolon_separated_csv_from_a_european_excel(expected, survey, admin_user):
    rows = [[c.replace(";", "|") for c in row] for row in GOOD_ROWS]
    content = csv_bytes(rows, delimiter=";")
    assert imported(survey, content, admin_user) == expected


def test_xlsx_with_excel_typed_numbers_and_dates(expected, survey, admin_user):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in GOOD_ROWS:
        typed = list(row)
        typed[2] = datetime.fromisoformat(row[2])  # a date cell
        for column in ("q_wait", "q_staff", "q_overall", "q_nps"):
            index = HEADER.index(column)
            if row[index].isdigit():
                typed[index] = float(row[index])  # Excel stores numbers as floats
        sheet.append(typed)
    buffer = io.BytesIO()
    workbook.save(buffer)
    answers = imported(survey, buffer.getvalue(), admin_user, name="r.xlsx")
    assert answers == expected


def test_hidden_answers_are_dropped_as_on_the_web_and_said_so(
    survey, points, admin_user
):
    rows = [list(GOOD_ROWS[1])]
    rows[0][HEADER.index("q_staff")] = "5"  # asked only when q_visited is yes
    job = check(survey, csv_bytes(rows), admin_user)
    assert job.status == ImportStatus.READY
    assert "q_staff" in job.message
    import_confirm(job_id=job.pk, user=admin_user)
    assert "q_staff" not in Response.objects.get().answers


def test_identical_rows_are_flagged_as_duplicates_and_excluded(
    survey, points, admin_user
):
    job = check(survey, csv_bytes([GOOD_ROWS[0], GOOD_ROWS[0]]), admin_user)
    import_confirm(job_id=job.pk, user=admin_user)
    first, second = Response.objects.order_by("pk")
    assert (first.flags, first.excluded) == ([], False)
    assert (second.flags, second.excluded) == (["duplicate"], True)
