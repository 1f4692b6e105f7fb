"""An official, in a real Chromium, signs in with a password and an
authenticator code, reads the wave's headline verdicts, filters to one
district, opens a sector and downloads the Excel and PDF reports. The numbers
of the page, the workbook and the PDF are the same, and equal what the
statistical core computes from the same responses."""

from __future__ import annotations

import re
import subprocess
from urllib.parse import urlsplit

import numpy as np
import pytest
from openpyxl import load_workbook

from analysis import selectors
from analysis.compute import WaveSpec, merge_statistics, wave_results
from analysis.frames import microdata_statistics, responses_microdata
from analysis.models import IndexResult
from surveys.models import Sector
from tests.accounts.helpers import current_code, enrolled_device, member_of
from tests.analysis.conftest import AGE, GENDER
from tests.factories.analysis import add_margin, simulated_wave

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

VERDICT_WORDS = {
    "met": ("Target met", "达到目标"),
    "not_met": ("Target not met", "未达到目标"),
    "not_distinguishable": ("Not distinguishable from the target", "与目标无显著差异"),
}


@pytest.fixture
def demo_wave(home_page, settings, tmp_path):
    """A wave of simulated responses in two sectors, computed by the pipeline."""
    from analysis import services

    settings.REPORT_FILES_ROOT = tmp_path / "reports"
    simulated = simulated_wave(responses_per_survey=80)
    add_margin(simulated.wave, "gender", GENDER)
    add_margin(simulated.wave, "age_band", AGE)
    run = services.index_run_request(wave=simulated.wave)  # runs on commit (eager)
    run.refresh_from_db()
    assert run.status == "succeeded", run.message
    return simulated.wave


def core_results(wave):
    """The statistical core on the same responses, by the microdata path."""
    variables = ["age_band", "gender"]
    parts = []
    for survey in selectors.wave_surveys(wave):
        scoring = selectors.survey_scoring(survey)
        responses = selectors.wave_responses(wave).filter(survey=survey)
        parts.append(
            microdata_statistics(
                responses_microdata(responses, scoring), scoring, variables
            )
        )
    spec = WaveSpec(
        sector_classes=dict(Sector.objects.values_list("code", "service_class")),
        margins=selectors.wave_margins(wave),
        rollup_weights=selectors.wave_rollup_weights(wave),
        confidence=wave.confidence,
    )
    frame, _ = wave_results(merge_statistics(parts), spec)
    return frame.set_index(["kind", "dimension", "domain_type", "domain"])


def at(path: str):
    """A URL predicate on the path only (a ``next=`` parameter never matches)."""
    return lambda url: urlsplit(url).path == path


def submit(page) -> None:
    # .last: the page's own form. The admin's icon loader fetches the sprite
    # through the two-factor redirect and puts a copy of the verify page (its
    # form's next= being the sprite) into the sprite container, before it;
    # reported to accounts/ (the middleware should let the sprite through).
    page.locator("form button[type=submit]").last.click()


def sign_in(page, base_url: str, user, device) -> None:
    """The real sign-in: password form, then the authenticator's code."""
    page.goto(f"{base_url}/admin/login/?next=/admin/dashboard/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "pw")
    submit(page)
    page.wait_for_url(at("/admin/two-factor/verify/"))
    page.locator("input[name=otp_token]").last.fill(current_code(device))
    submit(page)
    page.wait_for_url(at("/admin/dashboard/"))


def download(page, kind: str, tmp_path):
    page.select_option("#report-kind", kind)
    page.select_option("#report-language", "en")
    page.locator("section[aria-labelledby=download] button").click()
    page.wait_for_selector("#report-download", timeout=60_000)
    with page.expect_download() as info:
        page.click("#report-download")
    target = tmp_path / f"report.{kind}"
    info.value.save_as(target)
    return target


def test_official_reads_verdicts_filters_opens_a_sector_and_downloads_reports(
    desktop, live_server, demo_wave, tmp_path
):
    desktop.set_default_timeout(60_000)  # a loaded machine; real waits are short
    official = member_of("Officials", "official")
    device = enrolled_device(official)
    sign_in(desktop, live_server.url, official, device)
    stored = {
        (r.kind, r.domain_type, r.domain): r
        for r in IndexResult.objects.filter(wave=demo_wave)
    }
    core = core_results(demo_wave)

    # 1. headline verdicts, equal to the stored results and to the core's
    for rollup in ("service_sector", "consumer_services", "producer_services"):
        result = stored[("index", "rollup", rollup)]
        assert result.estimate == pytest.approx(
            core.loc[("index", "", "rollup", rollup), "estimate"], rel=1e-9
        )
        card = desktop.locator(f"article[data-rollup={rollup}]")
        text = card.inner_text()
        assert f"{result.estimate:.1f}" in text
        assert f"{result.ci_low:.1f}–{result.ci_high:.1f}" in text
        assert f"{result.target:.1f}" in text
        assert card.get_attribute("data-verdict") == result.verdict
        assert any(word in text for word in VERDICT_WORDS[result.verdict])
    assert desktop.locator("svg.chart title").count() >= 5

    # 2. one district
    desktop.select_option("#id_district", "r1")
    desktop.locator(".dashboard-filters button[type=submit]").click()
    desktop.wait_for_url(lambda url: "district=r1" in urlsplit(url).query)
    districts = desktop.locator("#district-table tbody tr")
    assert districts.count() == 1
    assert districts.first.get_attribute("data-domain") == "r1"
    r1 = stored[("index", "region", "r1")]
    assert f"{r1.estimate:.1f}" in districts.first.inner_text()

    # 3. a sector, opened from the sectors table
    desktop.click("#sector-table a >> nth=0")
    desktop.wait_for_selector("#sector-detail-section")
    code = re.search(r"sector=([\w-]+)", desktop.url).group(1)
    sector = stored[("index", "sector", code)]
    rate = stored[("satisfied_rate", "sector", code)]
    assert sector.estimate == pytest.approx(
        core.loc[("index", "", "sector", code), "estimate"], rel=1e-9
    )
    assert rate.estimate == pytest.approx(
        core.loc[("satisfied_rate", "", "sector", code), "estimate"], rel=1e-9
    )
    detail = desktop.locator("#detail-index").inner_text()
    assert detail == (
        f"{sector.estimate:.1f} ({sector.ci_low:.1f}–{sector.ci_high:.1f})"
    )
    assert f"{rate.estimate * 100:.1f}%" in desktop.locator("#detail-rate").inner_text()
    points = desktop.locator("#service-point-table tbody tr")
    assert points.count() == 1
    for row in points.all():  # the sector's points in district r1 only
        assert row.get_attribute("data-domain") == f"{code}-1"

    # 4. the Excel workbook holds the same numbers
    workbook = load_workbook(download(desktop, "xlsx", tmp_path))
    sheet = workbook["Sectors"]
    header = [c.value for c in sheet[1]]
    row = next(
        r
        for r in sheet.iter_rows(min_row=2, values_only=True)
        if r[0] == (sector.domain_name_en or sector.domain_name)
    )
    assert row[header.index("Satisfaction index")] == sector.estimate
    assert row[header.index("Satisfied rate")] == rate.estimate
    headlines = {
        r[0]: r for r in workbook["Headline verdicts"].iter_rows(values_only=True)
    }
    service = stored[("index", "rollup", "service_sector")]
    assert headlines["Service sector"][1] == service.estimate

    # 5. so does the PDF
    desktop.goto(f"{live_server.url}/admin/dashboard/")
    pdf = download(desktop, "pdf", tmp_path)
    text = subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", str(pdf), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert (
        f"{service.estimate:.1f} ({service.ci_low:.1f}–{service.ci_high:.1f})" in text
    )
    assert f"{sector.estimate:.1f} ({sector.ci_low:.1f}–{sector.ci_high:.1f})" in text
    assert f"{rate.estimate * 100:.1f}%" in text
    assert np.isfinite(service.se)
