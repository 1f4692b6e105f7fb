"""The XSS corpus where officials and handlers read what others wrote: the
dashboard, the Excel/CSV/PDF reports, import previews and error reports, and
the complaint handler's admin views."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from analysis.reports import services as reports
from analysis.reports.models import ReportStatus
from exchange.models import ImportJob
from surveys.models import Region, Sector, ServicePoint
from tests.accounts.helpers import login_verified
from tests.analysis.conftest import AGE, GENDER, role_user
from tests.factories.analysis import add_margin, simulated_wave
from tests.imports.helpers import GOOD_ROWS, HEADER, csv_bytes
from tests.services import require
from tests.xss.corpus import PAYLOADS, live_payloads
from tests.xss.test_escaping import FORMULA_TRIGGERS, assert_escaped

pytestmark = pytest.mark.django_db

# Short payloads for names (a PDF table cell wraps long ones mid-word).
SHORT = sorted(PAYLOADS, key=len)


def _rename_with_payloads(model, field_length: int, start: int) -> list[str]:
    """Give every row of ``model`` hostile Chinese and English names."""
    written = []
    for n, row in enumerate(model.objects.order_by("pk")):
        row.name = SHORT[(start + 2 * n) % len(SHORT)][:field_length]
        row.name_en = SHORT[(start + 2 * n + 1) % len(SHORT)][:field_length]
        row.save(update_fields=["name", "name_en"])
        written += [row.name, row.name_en]
    return written


@pytest.fixture
def hostile_wave(db, run_wave, settings, tmp_path):
    """A computed wave whose wave, sector, district and service-point names an
    assessor filled with payloads (results store the names at run time)."""
    settings.REPORT_FILES_ROOT = tmp_path / "reports"
    simulated = simulated_wave(responses_per_survey=40)
    wave = simulated.wave
    add_margin(wave, "gender", GENDER)
    add_margin(wave, "age_band", AGE)
    names = _rename_with_payloads(Sector, 80, 0)
    names += _rename_with_payloads(Region, 80, 10)
    names += _rename_with_payloads(ServicePoint, 120, 20)
    wave.name, wave.name_en = PAYLOADS[0], PAYLOADS[1]
    wave.save(update_fields=["name", "name_en"])
    run = run_wave(wave)
    assert run.status == "succeeded", run.message
    wave.refresh_from_db()
    return wave, names


@pytest.fixture
def official(db):
    return role_user("Officials", "official-xss")


def test_payloads_in_names_are_escaped_on_the_officials_dashboard(
    client, hostile_wave, official
):
    wave, names = hostile_wave
    login_verified(client, official)
    for language in ("en", "zh-hans"):
        page = client.get(
            reverse("analysis_dashboard"),
            {"wave": wave.slug},
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert page.status_code == 200
        html = page.content.decode()
        assert_escaped(html, f"dashboard {language}")
        # The names are there, as text: the check above is not vacuous.
        assert "&lt;" in html and "xss()" in html


def _report(wave, kind: str, language: str, capture):
    user = role_user("Officials", f"xss-{kind}-{language}")
    with capture(execute=True):
        report = reports.report_request(
            wave=wave, kind=kind, language=language, requested_by=user, unpublished=True
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.SUCCEEDED, report.error
    return report


def test_payloads_in_the_excel_report_are_text_cells_never_formulas(
    hostile_wave, django_capture_on_commit_callbacks
):
    wave, names = hostile_wave
    for language in ("en", "zh-hans"):
        report = _report(wave, "xlsx", language, django_capture_on_commit_callbacks)
        workbook = load_workbook(report.file.path)
        cells = [
            cell for sheet in workbook for row in sheet.iter_rows() for cell in row
        ]
        assert not [c.value for c in cells if c.data_type == "f"]
        hostile = [c for c in cells if "xss" in str(c.value or "")]
        assert len(hostile) >= 5, language
        # Stored as strings: Excel shows "=..." or "+..." as typed, never runs it.
        assert {c.data_type for c in hostile} == {"s"}


def test_payloads_in_the_csv_report_cannot_start_a_formula(
    hostile_wave, django_capture_on_commit_callbacks
):
    wave, names = hostile_wave
    report = _report(wave, "csv", "en", django_capture_on_commit_callbacks)
    with open(report.file.path, encoding="utf-8-sig", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    hostile = [cell for cell in cells if "xss" in cell]
    assert len(hostile) >= 5
    assert not [cell for cell in hostile if cell.startswith(FORMULA_TRIGGERS)]


def test_payloads_in_the_pdf_report_are_printed_as_text(
    hostile_wave, django_capture_on_commit_callbacks
):
    require(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    wave, names = hostile_wave
    report = _report(wave, "pdf", "en", django_capture_on_commit_callbacks)
    text = subprocess.run(
        ["pdftotext", "-layout", report.file.path, "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = re.sub(r"\s+", "", text)
    # The sector names head the report's tables: each reads as typed, markup
    # characters and all (ReportLab would have eaten or choked on tags).
    sector_names = [n for s in Sector.objects.all() for n in (s.name_en,) if "<" in n]
    assert sector_names
    for name in sector_names:
        assert re.sub(r"\s+", "", name) in flat, name


# -- imports -------------------------------------------------------------------


@pytest.fixture
def assessor_client(client, settings, tmp_path):
    from accounts.roles import ASSESSORS
    from surveys.selectors import revision_questionnaire
    from tests.accounts.helpers import member_of

    # Revision ids are reused after a rollback; uploads go to a throwaway folder.
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    revision_questionnaire.cache_clear()
    login_verified(client, member_of(ASSESSORS))
    yield client
    revision_questionnaire.cache_clear()


@pytest.fixture
def import_points(db):
    from tests.factories.surveys import ServicePointFactory

    return [
        ServicePointFactory(code="wuzhen", name="乌镇景区", name_en="Wuzhen"),
        ServicePointFactory(code="xitang", name="西塘景区", name_en="Xitang"),
    ]


def hostile_rows() -> list[list[str]]:
    """One accepted row per payload (in free-text answers) and one rejected
    row per payload (as a service point and a rating, echoed in the errors)."""
    rows = []
    for n, payload in enumerate(PAYLOADS):
        good = list(GOOD_ROWS[0])
        good[HEADER.index("interview_date")] = f"2026-11-{1 + n % 28:02d}"
        good[HEADER.index("q_name")] = payload[:60]
        good[HEADER.index("q_comment")] = payload
        good[HEADER.index("interviewer_id")] = payload[:30]
        bad = list(GOOD_ROWS[1])
        bad[HEADER.index("service_point")] = payload
        bad[HEADER.index("q_overall")] = payload
        rows += [good, bad]
    return rows


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        # Control characters cannot be typed into a cell (Excel refuses them).
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) for value in row])
    # Formula-looking payloads must arrive as the text a person typed.
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_payloads_in_an_imported_file_are_escaped_in_the_preview_and_report(
    assessor_client, survey, import_points, file_format
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = hostile_rows()
    content = csv_bytes(rows) if file_format == "csv" else xlsx_bytes(rows)
    response = assessor_client.post(
        reverse("exchange:index"),
        {
            "kind": "responses",
            "survey": survey.pk,
            "upload": SimpleUploadedFile(f"interviews.{file_format}", content),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    preview = assessor_client.get(response["Location"])
    assert preview.status_code == 200
    html = preview.content.decode()
    assert_escaped(html, f"{file_format} import preview")
    # The preview names rows and columns (formula-like cells are refused as
    # formulas); the values themselves go to the report, checked below.
    job = ImportJob.objects.get()
    report = assessor_client.get(reverse("exchange:report", args=[job.pk]))
    assert report.status_code == 200
    body = b"".join(report.streaming_content).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    hostile = [cell for cell in cells if "xss" in cell]
    # The formula-like cells are refused (so the file is) and echoed here.
    assert len(hostile) >= 10
    assert not [cell for cell in hostile if cell.startswith(FORMULA_TRIGGERS)]


# -- complaints in the handler's admin -----------------------------------------


def test_complaint_payloads_are_escaped_in_every_handler_view(
    client, hostile_complaints
):
    complaints = hostile_complaints
    login_verified(client, User.objects.create_superuser("handler", password="pw"))
    pages = [
        reverse("wagtailadmin_complaints:index"),
        reverse("wagtailadmin_complaints:index_results"),
        reverse("wagtailadmin_complaints:overdue"),
        reverse("wagtailadmin_complaints:report"),
        reverse("wagtailadmin_complaints:index") + "?q=xss",
    ]
    for complaint in complaints[::6]:
        pages += [
            reverse("wagtailadmin_complaints:edit", args=[complaint.pk]),
            reverse("wagtailadmin_complaints:history", args=[complaint.pk]),
        ]
    for url in pages:
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200, (url, page.status_code)
        assert_escaped(page.content.decode(), url)
    assert live_payloads(PAYLOADS[2])  # the checker would have seen one
