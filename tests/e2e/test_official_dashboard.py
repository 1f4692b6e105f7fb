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
from analysis.dashboard.overview import dimension_label
from analysis.frames import (
    microdata_moments,
    microdata_statistics,
    responses_microdata,
)
from analysis.models import IndexResult
from surveys.models import Sector
from tests.accounts.helpers import enrolled_device, member_of
from tests.e2e.admin_session import sign_in
from tests.e2e.axe import serious_violations
from tests.e2e.waves import computed_wave

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
    settings.REPORT_FILES_ROOT = tmp_path / "reports"
    return computed_wave(responses_per_survey=80)


def core_results(wave):
    """The statistical core on the same responses, by the microdata path
    (respondents scored in pandas, their cross-products summed by numpy)."""
    variables = ["age_band", "gender"]
    parts, moments = [], []
    for survey in selectors.wave_surveys(wave):
        scoring = selectors.survey_scoring(survey)
        responses = selectors.wave_responses(wave).filter(survey=survey)
        frame = responses_microdata(responses, scoring)
        parts.append(microdata_statistics(frame, scoring, variables))
        moments.append(microdata_moments(frame, scoring, variables))
    spec = WaveSpec(
        sector_classes=dict(Sector.objects.values_list("code", "service_class")),
        margins=selectors.wave_margins(wave),
        rollup_weights=selectors.wave_rollup_weights(wave),
        confidence=wave.confidence,
    )
    frame, _ = wave_results(merge_statistics(parts), spec, moments)
    return frame.set_index(["kind", "dimension", "domain_type", "domain"])


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

    # the district x sector grid: each verdict its own shade (the stylesheet
    # loaded under the CSP), a symbol and words in the cell, a key, and axe
    shades = {}
    for cell in desktop.locator("#grid-table td.heat").all():
        stored_cell = stored[
            ("index", "sector_region", cell.get_attribute("data-domain"))
        ]
        assert cell.get_attribute("data-verdict") == stored_cell.verdict
        shades.setdefault(stored_cell.verdict, set()).add(
            cell.evaluate("td => getComputedStyle(td).backgroundColor")
        )
        assert cell.locator(".verdict-symbol").inner_text().strip()
    assert len(shades) >= 2 and all(len(s) == 1 for s in shades.values())
    colours = [next(iter(s)) for s in shades.values()]
    assert len(set(colours)) == len(colours) and "rgba(0, 0, 0, 0)" not in colours
    assert desktop.locator("#grid-legend li").count() == 4
    assert serious_violations(desktop, "section[aria-labelledby=grid]") == []

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
    point = stored[("shrunk_index", "service_point", f"{code}-1")]
    assert point.estimate == pytest.approx(
        core.loc[("shrunk_index", "", "service_point", f"{code}-1"), "estimate"],
        rel=1e-9,
    )
    row = points.first
    assert row.locator(".shrunk").inner_text() == f"{point.estimate:.1f}"
    assert row.locator(".shrunk-ci").inner_text() == (
        f"{point.ci_low:.1f}–{point.ci_high:.1f}"
    )
    rank_low, rank_high = point.details["rank_low"], point.details["rank_high"]
    assert row.locator(".rank-interval").inner_text() == (
        f"{int(rank_low)}–{int(rank_high)}"
    )

    # 3b. key drivers, the importance-performance matrix and the alphas
    drivers = results_of(demo_wave, "driver", code)
    assert drivers and desktop.locator("svg#sector-quadrants title").count() == 1
    for dimension, driver in drivers.items():
        assert driver.estimate == pytest.approx(
            core.loc[("driver", dimension, "sector", code), "estimate"], rel=1e-9
        )
        shown = desktop.locator(f"#driver-table tr[data-dimension={dimension}]")
        assert shown.get_attribute("data-quadrant") == driver.details["quadrant"]
        assert shown.locator(".importance").inner_text() == (
            f"{driver.estimate * 100:.1f}%"
        )
    alphas = results_of(demo_wave, "alpha", code)
    for dimension, alpha in alphas.items():
        assert alpha.estimate == pytest.approx(
            core.loc[("alpha", dimension, "sector", code), "estimate"], rel=1e-9
        )
        shown = desktop.locator(f"#alpha-table tr[data-dimension={dimension}] .alpha")
        assert shown.inner_text() == f"{alpha.estimate:.2f}"

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
    sheet = workbook["Key drivers"]
    header = [c.value for c in sheet[1]]
    in_sheet = {
        r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == row[0]
    }
    # openpyxl writes floats with 16 significant digits: equal to 1e-15
    for dimension, driver in drivers.items():
        label = dimension_label(dimension, "en")  # sheets name the dimensions
        cell = in_sheet[label][header.index("Importance (variance explained)")]
        assert cell == pytest.approx(driver.estimate, rel=1e-14)
    sheet = workbook["Reliability (Cronbach's alpha)"]
    in_sheet = {
        r[1]: r[2]
        for r in sheet.iter_rows(min_row=2, values_only=True)
        if r[0] == row[0]
    }
    assert in_sheet == pytest.approx(
        {dimension_label(d, "en"): a.estimate for d, a in alphas.items()}
    )
    sheet = workbook["Service-point ranking"]
    header = [c.value for c in sheet[1]]
    ranked = {r[2]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    name = point.domain_name_en or point.domain_name
    assert ranked[name][header.index("Shrinkage estimate")] == pytest.approx(
        point.estimate, rel=1e-14
    )

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
    flat = " ".join(text.split())  # tables wrap long cells over lines
    assert f"{point.estimate:.1f} ({point.ci_low:.1f}–{point.ci_high:.1f})" in flat
    for driver in drivers.values():
        assert f"{driver.estimate * 100:.1f}%" in flat
    for alpha in alphas.values():
        assert f"{alpha.estimate:.2f}" in flat
    # the new charts carry their titles and units; the ranking its target line
    assert "Key drivers" in flat and "per cent of overall-rating variance" in flat
    assert "Service-point ranking (shrinkage estimates)" in flat


def results_of(wave, kind: str, sector: str) -> dict:
    return {
        r.dimension: r
        for r in IndexResult.objects.filter(
            wave=wave, kind=kind, domain_type="sector", domain=sector
        )
    }
