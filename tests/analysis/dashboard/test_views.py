"""The officials' dashboard and the report screens: permissions per URL, filters,
what the page shows."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from wagtail.users.models import UserProfile

from accounts.roles import ASSESSORS, COMPLAINT_HANDLERS, OFFICIALS
from analysis.dashboard.labels import words
from analysis.dashboard.overview import VERDICT_SHADES, VERDICT_SYMBOLS, verdict_words
from analysis.models import IndexResult
from analysis.reports import services as reports
from analysis.reports.models import Report, ReportStatus
from surveys.models import Region, Sector
from tests.analysis.conftest import login_admin, role_user
from tests.analysis.contrast import contrast_ratio

pytestmark = pytest.mark.django_db


@pytest.fixture
def official():
    return role_user(OFFICIALS, "official")


@pytest.fixture
def report(computed_wave, official, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        made = reports.report_request(
            wave=computed_wave,
            kind="csv",
            language="en",
            requested_by=official,
            unpublished=True,
        )
    made.refresh_from_db()
    assert made.status == ReportStatus.SUCCEEDED, made.message
    return made


def assert_refused(response, name=""):
    """A 403, or Wagtail's redirect to the login or the admin home."""
    assert response.status_code in (302, 403), name
    if response.status_code == 302:
        location = response["Location"]
        assert location == "/admin/" or location.startswith("/admin/login/"), name
    assert b"Satisfaction" not in response.content, name


def _urls(report):
    return {
        "dashboard": reverse("analysis_dashboard"),
        "reports": reverse("analysis_reports"),
        "progress": reverse("analysis_report", args=[report.pk]),
        "download": reverse("analysis_report_download", args=[report.pk]),
    }


def test_anonymous_users_are_sent_to_the_login_page_from_every_url(client, report):
    for name, url in _urls(report).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert "/login/" in response["Location"], name
    response = client.post(_urls(report)["reports"], {"wave": report.wave.slug})
    assert response.status_code == 302 and Report.objects.count() == 1


@pytest.mark.parametrize("role", [COMPLAINT_HANDLERS, None])
def test_users_who_are_neither_officials_nor_assessors_get_nothing(
    client, report, role
):
    if role is None:
        from django.contrib.auth.models import User

        user = User.objects.create_user("plain", password="pw")  # noqa: S106
    else:
        user = role_user(role, "handler")
    login_admin(client, user)
    for name, url in _urls(report).items():
        assert_refused(client.get(url), name)


def test_assessors_get_no_dashboard_and_no_report_of_an_unpublished_run(client, report):
    login_admin(client, role_user(ASSESSORS, "assessor"))
    urls = _urls(report)
    for name in ("dashboard", "progress", "download"):
        assert_refused(client.get(urls[name]), name)
    listing = client.get(urls["reports"])
    assert listing.status_code == 200
    assert f'href="{urls["download"]}"' not in listing.content.decode()
    refused = client.post(
        urls["reports"], {"wave": report.wave.slug, "kind": "pdf", "language": "en"}
    )
    assert refused.status_code == 400
    assert Report.objects.count() == 1


def test_assessors_download_reports_of_the_published_run(client, report, official):
    wave = report.wave
    wave.published_run = report.run
    wave.save(update_fields=["published_run"])
    login_admin(client, role_user(ASSESSORS, "assessor"))
    response = client.get(_urls(report)["download"])
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.startswith("table,")


def test_report_files_have_no_public_url(report):
    with pytest.raises(ValueError, match="no public URL"):
        report.file.url  # noqa: B018
    assert "media" not in report.file.path.split("/var/")[0][-6:]


def test_the_official_sees_headline_verdicts_with_intervals_and_targets(
    client, computed_wave, official
):
    login_admin(client, official)
    response = client.get(reverse("analysis_dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    stored = IndexResult.objects.get(
        wave=computed_wave, kind="index", domain_type="rollup", domain="service_sector"
    )
    card = re.search(r'data-rollup="service_sector".*?</article>', page, re.S).group(0)
    assert f"{stored.estimate:.1f}" in card
    assert f"{stored.ci_low:.1f}–{stored.ci_high:.1f}" in card
    assert "80.0" in card
    words = {
        "met": ("Target met", "达到目标"),
        "not_met": ("Target not met", "未达到目标"),
        "not_distinguishable": (
            "Not distinguishable from the target",
            "与目标无显著差异",
        ),
    }
    assert any(word in card for word in words[stored.verdict])
    # every chart is an SVG with a title and a data table beside it
    charts = page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"')
    assert charts == page.count('<table class="listing" data-chart=')
    assert charts >= 5 and page.count("<title id=") >= charts
    assert "<script" not in page.split('class="nice-padding dashboard"')[1]
    assert "stroke-dasharray" in page  # the target line


def test_filtering_to_a_district_narrows_districts_and_service_points(
    client, computed_wave, official
):
    login_admin(client, official)
    url = reverse("analysis_dashboard")
    response = client.get(
        url, {"wave": computed_wave.slug, "district": "r1", "sector": "medical"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    districts = re.search(r'id="district-table".*?</table>', page, re.S).group(0)
    assert 'data-domain="r1"' in districts and 'data-domain="r0"' not in districts
    points = re.search(r'id="service-point-table".*?</table>', page, re.S).group(0)
    assert 'data-domain="medical-1"' in points
    assert 'data-domain="medical-0"' not in points  # medical-0 is in r0
    assert 'data-domain="finance-1"' not in points


@pytest.mark.parametrize(
    "query",
    [
        {"wave": "no-such-wave"},
        {"sector": "nope"},
        {"district": "<script>"},
        {"channel": "telepathy"},
    ],
)
def test_bad_filters_are_a_400_with_the_form_error_not_a_500(
    client, computed_wave, official, query
):
    login_admin(client, official)
    response = client.get(reverse("analysis_dashboard"), query)
    assert response.status_code == 400
    assert b"error-message" in response.content
    assert b"<script>" not in response.content


def test_a_dashboard_without_results_says_so(client, official, db):
    login_admin(client, official)
    response = client.get(reverse("analysis_dashboard"))
    assert response.status_code == 200
    assert "no-such" not in response.content.decode()


def test_the_progress_page_refreshes_itself_without_javascript_while_active(
    client, computed_wave, official
):
    from django.utils import timezone

    pending = Report.objects.create(
        wave=computed_wave,
        run=computed_wave.runs.get(),
        kind="pdf",
        language="en",
        requested_by=official,
        requested_at=timezone.now(),
    )
    login_admin(client, official)
    page = client.get(reverse("analysis_report", args=[pending.pk])).content.decode()
    assert '<meta http-equiv="refresh"' in page
    assert '<progress id="report-progress" max="100" value="0"' in page
    download = client.get(reverse("analysis_report_download", args=[pending.pk]))
    assert download.status_code == 302


def test_a_sector_shows_shrinkage_ranking_drivers_matrix_alphas_and_quality(
    client, computed_wave, official
):
    login_admin(client, official)
    response = client.get(
        reverse("analysis_dashboard"), {"wave": computed_wave.slug, "sector": "finance"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    stored = IndexResult.objects.filter(wave=computed_wave)
    points = re.search(r'id="service-point-table".*?</table>', page, re.S).group(0)
    shrunk = sorted(
        stored.filter(kind="shrunk_index", domain__startswith="finance-"),
        key=lambda r: r.details["rank"],
    )
    assert len(shrunk) == 3
    rows = re.findall(r'<tr data-domain="([\w-]+)">(.*?)</tr>', points, re.S)
    assert [code for code, _ in rows] == [r.domain for r in shrunk]  # by rank
    for (_code, row), result in zip(rows, shrunk, strict=True):
        assert f"{result.estimate:.1f}" in row
        assert f"{result.ci_low:.1f}–{result.ci_high:.1f}" in row
        low, high = result.details["rank_low"], result.details["rank_high"]
        assert f"{int(low)}–{int(high)}" in row
    drivers = re.search(r'id="driver-table".*?</table>', page, re.S).group(0)
    for driver in stored.filter(kind="driver", domain="finance"):
        row = re.search(
            rf'data-dimension="{driver.dimension}" data-quadrant="(\w+)">(.*?)</tr>',
            drivers,
            re.S,
        )
        assert row.group(1) == driver.details["quadrant"]
        assert f"{driver.estimate * 100:.1f}%" in row.group(2)
        assert f"{driver.details['share'] * 100:.1f}%" in row.group(2)
    assert 'id="sector-quadrants"' in page  # the matrix, beside its data table
    alphas = re.search(r'id="alpha-table".*?</table>', page, re.S).group(0)
    for alpha in stored.filter(kind="alpha", domain="finance"):
        assert f"{alpha.estimate:.2f}" in alphas
    sector = stored.get(kind="index", domain_type="sector", domain="finance")
    quality = re.search(r'class="sector-detail".*?</dl>', page, re.S).group(0)
    assert f"{sector.deff:.2f}" in quality
    assert f"{sector.n / sector.deff:.2f}" in quality
    charts = page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"')
    assert charts == page.count('class="listing" data-chart=')


def test_the_district_by_sector_grid_shows_every_cell_and_follows_the_filters(
    client, computed_wave, official
):
    login_admin(client, official)
    url = reverse("analysis_dashboard")
    page = client.get(url, {"wave": computed_wave.slug}).content.decode()
    grid = re.search(r'id="grid-table".*?</table>', page, re.S).group(0)
    cells = IndexResult.objects.filter(wave=computed_wave, domain_type="sector_region")
    assert cells.count() == 4
    for cell in cells:
        shown = re.search(rf'data-domain="{cell.domain}">(.*?)</td>', grid, re.S)
        assert shown.group(1).startswith(f"{cell.estimate:.1f}")
    page = client.get(
        url, {"wave": computed_wave.slug, "district": "r0", "sector": "medical"}
    ).content.decode()
    grid = re.search(r'id="grid-table".*?</table>', page, re.S).group(0)
    assert re.findall(r'data-domain="([\w/-]+)"', grid) == ["r0", "medical/r0"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_grid_cells_are_shaded_by_verdict_with_a_symbol_words_and_a_key(
    client, computed_wave, official, language
):
    profile = UserProfile.get_for_user(official)  # the admin's language
    profile.preferred_language = language
    profile.save()
    login_admin(client, official)
    page = client.get(
        reverse("analysis_dashboard"), {"wave": computed_wave.slug}
    ).content.decode()
    assert 'href="/static/css/dashboard.css"' in page
    grid = re.search(r'<section aria-labelledby="grid">.*?</section>', page, re.S)
    grid = grid.group(0)
    assert "style=" not in grid  # the CSP: shading by class only
    w = words(language)
    cells = IndexResult.objects.filter(wave=computed_wave, domain_type="sector_region")
    shades = set()
    for cell in cells:
        shade = cell.verdict or "none"
        shown = re.search(
            rf'<td class="heat heat-{shade}" data-verdict="{cell.verdict}" '
            rf'data-domain="{cell.domain}">(.*?)</td>',
            grid,
            re.S,
        )
        assert shown, cell.domain
        said = (
            verdict_words(cell.verdict, language) if cell.verdict else w["no_verdict"]
        )
        symbol = VERDICT_SYMBOLS[cell.verdict]
        assert f'aria-hidden="true">{symbol}</span> {said}</small>' in shown.group(1)
        shades.add(shade)
    assert len(shades) >= 2  # the fixture's cells differ, so the test can
    key = re.findall(
        r'<li data-shade="(\w+)"><span class="heat heat-swatch heat-\1"', grid
    )
    assert key == ["met", "not_met", "not_distinguishable", "none"]
    assert w["legend_not_distinguishable"] in grid


def test_the_stylesheet_shades_the_grid_with_the_one_palette_at_9_to_1_contrast():
    # VERDICT_SHADES is the palette the PDF draws: the stylesheet must say it too
    css = (settings.BASE_DIR / "static" / "css" / "dashboard.css").read_text()
    for shade, colours in VERDICT_SHADES.items():
        rule = re.search(rf"\.heat\.heat-{shade} \{{(.*?)\}}", css, re.S).group(1)
        background = re.search(r"background-color: (#[0-9a-f]{6})", rule).group(1)
        text = re.search(r"(?<!-)color: (#[0-9a-f]{6})", rule).group(1)
        assert (background, text) == (colours.background, colours.text), shade
        assert contrast_ratio(background, text) >= 9, shade  # docs/officials.md


def test_the_settlement_card_shows_the_cores_rate_of_the_waves_complaints(
    client, computed_wave, official
):
    import pandas as pd

    from analysis.stats.settlement import settlement_rates_by
    from complaints.models import Complaint
    from complaints.selectors import complaints_frame
    from tests.factories.complaints import ComplaintFactory, days_ago

    received = [ComplaintFactory(received_at=days_ago(20)) for _ in range(4)]
    Complaint.objects.filter(pk__in=[c.pk for c in received[:3]]).update(
        status="settled", settled_at=days_ago(15), closed_at=days_ago(15)
    )
    Complaint.objects.filter(pk=received[3].pk).update(
        status="closed_unsettled", closed_at=days_ago(10)
    )
    ComplaintFactory(received_at=days_ago(400))  # before the wave: not counted
    login_admin(client, official)
    # the admin speaks the user's language: the checks below hold in both
    response = client.get(reverse("analysis_dashboard"))
    card = re.search(
        r'data-rollup="settlement".*?</article>', response.content.decode(), re.S
    ).group(0)
    frame = complaints_frame(received_from=days_ago(60))
    core = settlement_rates_by(frame, as_of=pd.Timestamp.now(tz="UTC"), dimensions=())
    row = core["overall"].iloc[0]
    assert (int(row["counted"]), int(row["settled"])) == (4, 3)
    assert f"{row['settlement_rate'] * 100:.1f}%" in card
    assert f"{row['lower'] * 100:.1f}%–{row['upper'] * 100:.1f}%" in card
    assert re.search(r"\b3 / \S+ 4</p>", card)  # settled / counted
    assert "100.0%" in card  # the plan's target
    assert f'data-verdict="{row["verdict"]}"' in card


def test_headlines_are_shaded_cards_and_charts_are_titled_with_folded_tables(
    client, computed_wave, official
):
    login_admin(client, official)
    page = client.get(
        reverse("analysis_dashboard"), {"wave": computed_wave.slug}
    ).content.decode()
    cards = re.findall(r'<article class="headline-card heat heat-(\w+)"', page)
    assert cards and set(cards) <= set(VERDICT_SHADES)
    figures = re.findall(r'<figure class="dashboard-figure".*?</figure>', page, re.S)
    assert figures
    for figure in figures:
        # the title comes before the chart, the data table after it, folded
        assert figure.index("<figcaption") < figure.index("<svg")
        assert figure.index("<svg") < figure.index("<details") < figure.index("<table")
    assert "—–—" not in page  # a missing interval is one dash, not one per end


def test_an_interval_reads_low_to_high_or_a_single_dash_when_missing():
    from analysis.templatetags.dashboard_tags import percent_range, points_range

    assert points_range(70.04, 80.0) == "70.0–80.0"
    assert points_range(None, None) == "—"
    assert percent_range(0.9, None) == "—"


def test_the_reports_page_says_generate_and_download_in_words(client, report, official):
    profile = UserProfile.get_for_user(official)
    profile.preferred_language = "en"
    profile.save()
    login_admin(client, official)
    page = client.get(reverse("analysis_reports")).content.decode()
    assert "Generate the report</button>" in page
    assert re.search(r">Download<span class=\"w-sr-only\"> #\d+</span></a>", page)
    assert ">↓<" not in page
    assert "Report downloads" in page  # apart from Wagtail's own "Reports" menu


def test_sectors_and_districts_follow_the_reference_order_not_the_alphabet(
    client, computed_wave, official
):
    """Officials read sectors in the plan's order and districts in the
    administrative order, both kept as the reference data's sort order."""
    for model in (Sector, Region):
        for place, row in enumerate(model.objects.order_by("-code")):
            row.sort_order = place
            row.save(update_fields=["sort_order"])
    sectors = list(Sector.objects.values_list("code", flat=True))
    regions = list(Region.objects.values_list("code", flat=True))
    assert sectors == sorted(sectors, reverse=True) and len(regions) == 2
    login_admin(client, official)
    page = client.get(
        reverse("analysis_dashboard"), {"wave": computed_wave.slug}
    ).content.decode()
    grid = re.search(r'id="grid-table".*?</table>', page, re.S).group(0)
    assert re.findall(r'<tr data-domain="([\w-]+)">', grid) == regions
    columns = [d.split("/")[0] for d in re.findall(r'data-domain="([\w-]+)/r1"', grid)]
    assert columns == [code for code in sectors if code in columns]
    assert len(columns) >= 2
    table = re.search(r'id="sector-table".*?</table>', page, re.S).group(0)
    listed = re.findall(r'<tr data-domain="([\w-]+)">', table)
    assert listed == [code for code in sectors if code in listed]
    assert len(listed) >= 2
