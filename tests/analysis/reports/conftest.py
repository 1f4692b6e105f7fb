import subprocess
from pathlib import Path

import pytest

from tests.analysis.conftest import AGE, GENDER, role_user
from tests.factories.analysis import add_margin, simulated_wave


@pytest.fixture(autouse=True)
def report_files(settings, tmp_path):
    settings.REPORT_FILES_ROOT = tmp_path / "reports"
    return settings.REPORT_FILES_ROOT


@pytest.fixture
def computed_wave(db, run_wave):
    """A simulated wave with margins and one successful index run."""
    simulated = simulated_wave(responses_per_survey=80)
    add_margin(simulated.wave, "gender", GENDER)
    add_margin(simulated.wave, "age_band", AGE)
    run = run_wave(simulated.wave)
    assert run.status == "succeeded", run.message
    simulated.wave.refresh_from_db()
    return simulated.wave


def generated_report(wave, kind, language, django_capture_on_commit_callbacks):
    """An official's report of ``wave``, generated in-process and checked done."""
    from analysis.reports import services
    from analysis.reports.models import ReportStatus

    user = role_user("Officials", f"official-{kind}-{language}")
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(
            wave=wave,
            kind=kind,
            language=language,
            requested_by=user,
            unpublished=True,
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.SUCCEEDED, report.error
    assert report.progress == 100 and report.finished_at and report.requested_by
    return report


def rendered_pages(path: str, out: Path) -> list[Path]:
    """The PDF's pages as PNG images at 40 dpi (poppler's pdftoppm)."""
    subprocess.run(  # noqa: S603
        ["pdftoppm", "-r", "40", "-png", path, str(out / "page")],  # noqa: S607
        check=True,
        capture_output=True,
    )
    return sorted(out.glob("page-*.png"))
