"""Excel, PDF and CSV reports: stored numbers, formats, readable pages, safety."""

import csv
import io
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from analysis.dashboard.charts import quadrant_layout
from analysis.dashboard.figures import quadrant_specs
from analysis.dashboard.overview import dimension_label
from analysis.dashboard.selectors import wave_overview
from analysis.models import IndexResult
from analysis.reports import services
from analysis.reports.csv import neutralized
from analysis.reports.models import Report, ReportStatus
from analysis.reports.tasks import generate_report
from tests.analysis.conftest import role_user
from tests.analysis.reports.conftest import generated_report, rendered_pages

pytestmark = pytest.mark.django_db


def _stored(wave, **lookup) -> IndexResult:
    return IndexResult.objects.get(wave=wave, **lookup)


def test_workbook_has_a_sheet_per_topic_numbers_as_numbers_and_frozen_headers(
    computed_wave, django_capture_on_commit_callbacks
):
    report = generated_report(
        computed_wave, "xlsx", "en", django_capture_on_commit_callbacks
    )
    workbook = load_workbook(report.file.path)
    assert workbook.sheetnames == [
        "Headline verdicts",
        "Sectors",
        "Trend over waves",
        "Districts",
        "Channels",
        "District × sector index",
        "Service-point ranking",
        "Dimension scores",
        "Key drivers",
        "Reliability (Cronbach's alpha)",
        "Reliability and data quality",
        "Methodology",
    ]
    drivers = workbook["Key drivers"]
    header = [c.value for c in drivers[1]]
    first = next(drivers.iter_rows(min_row=2))
    importance = first[header.index("Importance (variance explained)")]
    assert importance.number_format == "0.0%" and 0 <= importance.value <= 1
    sectors = workbook["Sectors"]
    assert sectors.freeze_panes == "B2"
    header = [c.value for c in sectors[1]]
    rows = {row[0].value: row for row in sectors.iter_rows(min_row=2)}
    medical = _stored(
        computed_wave, kind="index", domain_type="sector", domain="medical"
    )
    row = rows[medical.domain_name_en or medical.domain_name]
    index = row[header.index("Satisfaction index")]
    assert index.value == medical.estimate and index.number_format == "0.0"
    assert row[header.index("CI lower")].value == medical.ci_low
    rate = _stored(
        computed_wave, kind="satisfied_rate", domain_type="sector", domain="medical"
    )
    rate_cell = row[header.index("Satisfied rate")]
    assert rate_cell.value == rate.estimate and rate_cell.number_format == "0.0%"
    assert row[header.index("Responses")].value == medical.n
    headlines = workbook["Headline verdicts"]
    names = [r[0].value for r in headlines.iter_rows(min_row=2)]
    assert names[:3] == ["Service sector", "Consumer services", "Producer services"]


def _pdf_text(path: str) -> str:
    return subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", path, "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_pdf_pages_render_with_numbers_targets_verdicts_and_methodology(
    computed_wave, django_capture_on_commit_callbacks, tmp_path
):
    report = generated_report(
        computed_wave, "pdf", "en", django_capture_on_commit_callbacks
    )
    text = _pdf_text(report.file.path)
    sector = _stored(
        computed_wave, kind="index", domain_type="rollup", domain="service_sector"
    )
    assert "Service sector" in text
    assert f"{sector.estimate:.1f} ({sector.ci_low:.1f}–{sector.ci_high:.1f})" in text
    assert "Target 80" in text and "Target 85" in text  # chart target lines
    assert "index points (0–100)" in text  # chart units
    assert "Trend over waves" in text and "Methodology" in text
    assert "Importance–performance matrix" in text  # drawn only as the chart
    assert "Verdict rules" in text and "Weighting" in text
    pages = rendered_pages(report.file.path, tmp_path)
    assert len(pages) >= 3
    first = Image.open(pages[0]).convert("RGB")
    colours = {colour for _count, colour in first.getcolors(1_000_000)}
    assert (46, 107, 158) in colours  # bars
    assert any(r > 150 and g < 80 and b < 80 for r, g, b in colours)  # target line


def test_chinese_pdf_embeds_a_font_that_shows_the_chinese_text(
    computed_wave, django_capture_on_commit_callbacks
):
    report = generated_report(
        computed_wave, "pdf", "zh-hans", django_capture_on_commit_callbacks
    )
    text = _pdf_text(report.file.path)
    assert "公共服务满意度测评报告" in text
    assert "服务业" in text and "方法说明" in text and "目标判定" in text
    assert "重要性—表现矩阵" in text  # the matrix's title, in the chart only
    fonts = subprocess.run(  # noqa: S603
        ["pdffonts", report.file.path],
        capture_output=True,
        text=True,  # noqa: S607
        check=True,
    ).stdout
    assert "ReportCJK" in fonts and " yes " in fonts  # embedded


def test_csv_has_every_table_and_neutralizes_formula_like_cells(
    computed_wave, django_capture_on_commit_callbacks
):
    from surveys.models import Sector

    Sector.objects.filter(code="medical").update(name='=HYPERLINK("x")')
    IndexResult.objects.filter(domain="medical").update(
        domain_name='=HYPERLINK("x")', domain_name_en='=HYPERLINK("x")'
    )
    report = generated_report(
        computed_wave, "csv", "en", django_capture_on_commit_callbacks
    )
    text = Path(report.file.path).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert {r[0] for r in rows if r} >= {
        "headlines",
        "sectors",
        "districts",
        "service_points",
        "quality",
    }
    names = [r[1] for r in rows if r and r[0] == "sectors"]
    assert '\'=HYPERLINK("x")' in names
    assert not any(cell.startswith("=") for row in rows for cell in row)
    finance = _stored(
        computed_wave, kind="index", domain_type="sector", domain="finance"
    )
    finance_row = next(
        r for r in rows if r[:1] == ["sectors"] and "HYPERLINK" not in r[1]
    )
    assert float(finance_row[2]) == pytest.approx(finance.estimate, rel=1e-12)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        (-2.5, -2.5),
        (None, ""),
    ],
)
def test_neutralized_cells(value, expected):
    assert neutralized(value) == expected


def test_running_the_report_task_twice_leaves_one_file_and_the_same_state(
    computed_wave, django_capture_on_commit_callbacks
):
    report = generated_report(
        computed_wave, "xlsx", "zh-hans", django_capture_on_commit_callbacks
    )
    before = (report.file.name, report.size, report.finished_at)
    assert generate_report.apply(args=[report.pk]).get() == ReportStatus.SUCCEEDED
    report.refresh_from_db()
    assert (report.file.name, report.size, report.finished_at) == before
    files = list(Path(report.file.path).parent.iterdir())
    assert len(files) == 1
    assert Report.objects.count() == 1


def test_asking_twice_while_queued_gives_the_samegenerated_report(computed_wave):
    user = role_user("Officials", "impatient")
    first = services.report_request(
        wave=computed_wave,
        kind="pdf",
        language="en",
        requested_by=user,
        unpublished=True,
    )
    second = services.report_request(
        wave=computed_wave,
        kind="pdf",
        language="en",
        requested_by=user,
        unpublished=True,
    )
    assert first.pk == second.pk


def test_no_report_of_an_unpublished_wave_for_those_who_may_not_see_it(
    computed_wave,
):
    with pytest.raises(services.ReportError):
        services.report_request(
            wave=computed_wave,
            kind="pdf",
            language="en",
            requested_by=None,
            unpublished=False,
        )
    with pytest.raises(services.ReportError):
        services.report_request(
            wave=computed_wave,
            kind="docx",
            language="en",
            requested_by=None,
            unpublished=True,
        )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_matrix_places_each_stored_driver_on_its_stored_quadrants_side(
    computed_wave, language
):
    overview = wave_overview(computed_wave, language=language, unpublished=True)
    matrices = quadrant_specs(overview)
    sectors = [p.index for p in overview.sectors if p.drivers]
    assert len(matrices) == len(sectors) >= 2
    for sector, spec in zip(sectors, matrices, strict=True):
        assert spec.title.startswith(sector.name)
        stored = IndexResult.objects.filter(
            wave=computed_wave,
            kind="driver",
            domain_type="sector",
            domain=sector.domain,
        )
        layout = quadrant_layout(spec)
        points = {p.label: p for p in spec.points}
        placed = {p.label: p for p in layout.points}
        assert len(points) == len(placed) == stored.count() >= 2
        for result in stored:
            label = dimension_label(result.dimension, language)
            share, score = result.details["share"], result.details["performance"]
            assert points[label].importance == 100 * share  # per cent of R²
            assert points[label].performance == score
            point = placed[label]
            assert point.x * spec.x_upper == pytest.approx(100 * share, rel=1e-12)
            assert spec.y_lower + point.y * (
                spec.y_upper - spec.y_lower
            ) == pytest.approx(score, rel=1e-12)
            quadrant = result.details["quadrant"]
            important = quadrant in ("improve", "strength")
            above = quadrant in ("strength", "maintain")
            assert (point.x >= layout.cut_x) == important, label
            assert (point.y >= layout.cut_y) == above, label
