"""What a run's worker wrote and what a report request is refused for read in
the reader's language: the weighting method and notes on the dashboard, the
run's page and in reports; the reasons a report cannot be made.

Workers run in the default language (zh-hans): ``translation.override`` around
the run stands for the worker. The admin follows the user's preferred language.
"""

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from wagtail.users.models import UserProfile

from accounts.roles import OFFICIALS
from analysis.dashboard.labels import words
from analysis.models import IndexRun, PopulationMarginCell
from analysis.reports import services as reports
from analysis.reports.models import Report, ReportStatus
from analysis.reports.xlsx import sheet_name
from surveys.models import Sector
from tests.analysis.conftest import login_admin, role_user
from tests.factories.analysis import WaveFactory

pytestmark = pytest.mark.django_db

EMPTY_CATEGORY = "Sector “{sector}”: no respondents in 80+ of margin “age_band”"
EMPTY_CATEGORY_ZH = "行业“{sector}”：边际分布“age_band”中类别 80+ 没有受访者"


@pytest.fixture
def noted_run(wave, run_wave) -> IndexRun:
    """A run whose margins have a category no respondent gave: every sector's
    population of it is spread over the others, with a note."""
    age = wave.margins.get(variables="age_band")
    age.cells.filter(category="60+").update(population=200_000)
    PopulationMarginCell.objects.create(margin=age, category="80+", population=50_000)
    with translation.override("zh-hans"):
        run = run_wave(wave)
    assert run.status == "succeeded", run.message
    return run


def _reader(client, language: str, username: str = "official"):
    official = role_user(OFFICIALS, username)
    profile = UserProfile.get_for_user(official)
    profile.preferred_language = language
    profile.save()
    login_admin(client, official)
    return official


def _dashboard(client, wave) -> str:
    response = client.get(reverse("analysis_dashboard"), {"wave": wave.slug})
    assert response.status_code == 200
    return response.content.decode()


def _run_page(client, run) -> str:
    response = client.get(reverse("analysis_admin_run", args=[run.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_notes_are_stored_as_messages_naming_the_sector_by_its_code(noted_run):
    notes = noted_run.diagnostics["notes"]
    assert {note["params"]["sector"] for note in notes} == {"medical", "finance"}
    assert {note["params"]["categories"] for note in notes} == {"80+"}
    assert notes[0]["msgid"].startswith("Sector “%(sector)s”: no respondents")
    assert noted_run.diagnostics["method"] == "raking within sectors"


@pytest.mark.parametrize(
    "language, note, method",
    [
        ("en", EMPTY_CATEGORY, "raking within sectors"),
        ("zh-hans", EMPTY_CATEGORY_ZH, "各行业内 raking 校准"),
    ],
)
def test_the_dashboard_and_the_runs_page_word_the_notes_in_the_readers_language(
    client, noted_run, language, note, method
):
    _reader(client, language)
    medical = Sector.objects.get(code="medical")
    name = medical.name_en if language == "en" else medical.name
    said = note.format(sector=name)
    for page in (_dashboard(client, noted_run.wave), _run_page(client, noted_run)):
        assert said in page
        assert method in page
        assert "%(sector)s" not in page and "“medical”" not in page


@pytest.mark.parametrize(
    "language, note", [("en", EMPTY_CATEGORY), ("zh-hans", EMPTY_CATEGORY_ZH)]
)
def test_a_report_words_the_notes_in_its_own_language(
    noted_run, django_capture_on_commit_callbacks, language, note
):
    official = role_user(OFFICIALS, f"official-{language}")
    # asked for from a request in the other language: the report's counts
    with (
        translation.override("zh-hans" if language == "en" else "en"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        report = reports.report_request(
            wave=noted_run.wave,
            kind="xlsx",
            language=language,
            requested_by=official,
            unpublished=True,
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.SUCCEEDED, report.error
    w = words(language)
    sheet = load_workbook(report.file.path)[sheet_name(w["methodology"])]
    rows = [(label, text) for label, text in sheet.iter_rows(values_only=True)]
    finance = Sector.objects.get(code="finance")
    name = finance.name_en if language == "en" else finance.name
    assert (w["quality"], _full(note.format(sector=name), language)) in rows


def _full(note: str, language: str) -> str:
    if language == "en":
        return note + "; their population was spread over the other categories."
    return note + "；其人口数已分摊到其他类别。"


def test_notes_an_older_run_stored_as_words_still_show_as_they_are(client, noted_run):
    old = (
        "Sector medical: no respondents in 80+ of margin “age_band”; their "
        "population was spread over the other categories."
    )
    IndexRun.objects.filter(pk=noted_run.pk).update(
        diagnostics={**noted_run.diagnostics, "notes": [old, {"odd": 1}, 7]}
    )
    _reader(client, "zh-hans")
    for page in (_dashboard(client, noted_run.wave), _run_page(client, noted_run)):
        assert old in page
        assert "各行业内 raking 校准" in page  # the method is still a msgid


@pytest.mark.parametrize(
    "language, said",
    [
        ("en", "Unknown report format “docx”: choose Excel, PDF or CSV."),
        ("zh-hans", "未知的报告格式“docx”：请选择 Excel、PDF 或 CSV。"),
    ],
)
def test_an_unknown_report_format_is_refused_in_the_readers_language(
    client, noted_run, language, said
):
    _reader(client, language)
    response = client.post(
        reverse("analysis_reports"),
        {"wave": noted_run.wave.slug, "kind": "docx", "language": "en"},
    )
    assert response.status_code == 400
    assert said in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    "language, said",
    [
        ("en", "This wave has no results to report yet."),
        ("zh-hans", "该调查轮次尚无可生成报告的结果。"),
    ],
)
def test_a_report_of_a_wave_without_results_is_refused_in_the_readers_language(
    client, language, said
):
    _reader(client, language)
    response = client.post(
        reverse("analysis_reports"),
        {"wave": WaveFactory().slug, "kind": "pdf", "language": "zh-hans"},
    )
    assert response.status_code == 400
    assert said in response.content.decode()


def test_a_report_request_without_a_language_is_refused_in_chinese(client):
    _reader(client, "zh-hans")
    response = client.post(
        reverse("analysis_reports"), {"wave": "", "kind": "pdf", "language": "fr"}
    )
    assert response.status_code == 400
    assert "请选择调查轮次和报告语言。" in response.content.decode()


def test_the_report_error_keeps_its_source_text_for_engineers():
    with translation.override("zh-hans"), pytest.raises(reports.ReportError) as caught:
        reports.report_request(
            wave=WaveFactory(),
            kind="pdf",
            language="en",
            requested_by=None,
            unpublished=True,
        )
    assert str(caught.value) == "This wave has no results to report yet."
    with translation.override("zh-hans"):
        assert str(caught.value.message) == "该调查轮次尚无可生成报告的结果。"
