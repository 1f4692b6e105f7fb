"""The officials' dashboard and the report screens in the Wagtail admin.

Entry points only: they check permissions, validate filters and call the
selectors (reads) or the report services (writes). Unpublished results are
for holders of ``analysis.publish_results`` (officials); reports can be
downloaded with ``analysis.download_report`` (officials and assessors), and a
report of an unpublished run only by officials.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from analysis.dashboard import selectors
from analysis.dashboard.charts import bar_chart, line_chart, quadrant_chart
from analysis.dashboard.figures import (
    SECTOR_CLASS_TARGETS,
    driver_chart,
    index_chart,
    overview_charts,
    quadrant_spec,
    rate_chart,
    shrunk_points_chart,
    trend_chart,
)
from analysis.dashboard.forms import DashboardFilterForm
from analysis.dashboard.labels import words
from analysis.dashboard.overview import grid_legend
from analysis.models import Wave
from analysis.reports import services as reports
from analysis.reports.models import (
    CONTENT_TYPES,
    Report,
    ReportKind,
    ReportLanguage,
    ReportStatus,
)

VIEW_UNPUBLISHED = "analysis.publish_results"
DOWNLOAD = "analysis.download_report"


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _figure(chart_id: str, spec, kind: str = "bar") -> dict:
    draw = line_chart if kind == "line" else bar_chart
    return {"id": chart_id, "svg": draw(chart_id, spec), "spec": spec}


def _figures(overview) -> dict[str, list[dict]]:
    charts = overview_charts(overview)
    return {
        section: [
            _figure(f"{section}-{k}", spec, "line" if section == "trends" else "bar")
            for k, spec in enumerate(specs)
        ]
        for section, specs in charts.items()
    }


def _sector_detail(overview, sector_code: str) -> dict | None:
    panel = next((s for s in overview.sectors if s.index.domain == sector_code), None)
    if panel is None:
        return None
    language = overview.language
    w = words(language)
    points = [p for p in overview.service_points if p.sector == sector_code]
    figures = [_figure("sector-trend", trend_chart(panel, language), "line")]
    if panel.dimensions:
        figures.append(
            _figure(
                "sector-dimensions",
                index_chart(
                    f"{panel.index.name}: {w['dimensions']}", panel.dimensions, language
                ),
            )
        )
    if any(p.shrunk is not None for p in points):
        figures.append(
            _figure("sector-points", shrunk_points_chart(panel, points, language))
        )
    if panel.drivers:
        figures.append(_figure("sector-drivers", driver_chart(panel, language)))
    if panel.rate is not None:
        figures.append(
            _figure("sector-rate", rate_chart(w["rate"], [panel.rate], language))
        )
    quadrants = quadrant_spec(panel, language) if panel.drivers else None
    return {
        "panel": panel,
        "points": points,
        "figures": figures,
        "quadrants": quadrants,
        "quadrant_svg": quadrant_chart("sector-quadrants", quadrants)
        if quadrants
        else "",
        "quality": overview.quality.get("sectors", {}).get(sector_code, {}),
    }


def _language(request: HttpRequest) -> str:
    return "en" if (get_language() or "").startswith("en") else "zh-hans"


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Headline verdicts, sectors, districts, channels and data quality."""
    _require(request, VIEW_UNPUBLISHED)
    language = _language(request)
    w = words(language)
    waves = selectors.waves_with_results()
    form = DashboardFilterForm(request.GET or None, waves=waves, language=language)
    context = {"w": w, "form": form, "waves": waves, "overview": None}
    if request.GET and not form.is_valid():
        return render(request, "analysis/dashboard/dashboard.html", context, status=400)
    filters = form.cleaned_data if form.is_bound else {}
    if not waves:
        return render(request, "analysis/dashboard/dashboard.html", context)
    slug = filters.get("wave") or waves[-1].slug
    wave = next(w_ for w_ in waves if w_.slug == slug)
    full = selectors.wave_overview(wave, language=language, unpublished=True)
    overview = selectors.narrowed(
        full,
        sector=filters.get("sector", ""),
        region=filters.get("district", ""),
        channel=filters.get("channel", ""),
    )
    context.update(
        overview=overview,
        wave=wave,
        figures=_figures(overview),
        detail=_sector_detail(overview, filters.get("sector", "")),
        grid_legend=grid_legend(language),
        filters=filters,
        can_download=request.user.has_perm(DOWNLOAD),
        kinds=ReportKind.choices,
        languages=ReportLanguage.choices,
        class_targets=SECTOR_CLASS_TARGETS,
    )
    return render(request, "analysis/dashboard/dashboard.html", context)


def _visible_reports(request: HttpRequest):
    queryset = Report.objects.select_related("wave", "run", "requested_by")
    if not request.user.has_perm(VIEW_UNPUBLISHED):
        queryset = [r for r in queryset[:200] if r.wave.published_run_id == r.run_id]
    return queryset[:50]


@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest) -> HttpResponse:
    """Reports kept with who asked and when; POST asks for a new one."""
    _require(request, DOWNLOAD)
    language = _language(request)
    w = words(language)
    error = ""
    if request.method == "POST":
        wave = Wave.objects.filter(slug=request.POST.get("wave", "")).first()
        kind = request.POST.get("kind", "")
        report_language = request.POST.get("language", "")
        if wave is None or report_language not in ReportLanguage.values:
            error = _("Choose a wave and a language.")
        else:
            try:
                report = reports.report_request(
                    wave=wave,
                    kind=kind,
                    language=report_language,
                    requested_by=request.user,
                    unpublished=request.user.has_perm(VIEW_UNPUBLISHED),
                )
            except reports.ReportError as exc:
                error = str(exc.message)  # in the request's language
            else:
                return redirect("analysis_report", report_id=report.pk)
    waves = selectors.waves_with_results()
    if not request.user.has_perm(VIEW_UNPUBLISHED):
        waves = [wave for wave in waves if wave.published_run_id]
    return render(
        request,
        "analysis/reports/report_list.html",
        {
            "w": w,
            "reports": _visible_reports(request),
            "waves": waves,
            "kinds": ReportKind.choices,
            "languages": ReportLanguage.choices,
            "error": error,
        },
        status=400 if error else 200,
    )


def _report_for(request: HttpRequest, report_id: int) -> Report:
    _require(request, DOWNLOAD)
    report = get_object_or_404(
        Report.objects.select_related("wave", "run", "requested_by"), pk=report_id
    )
    published = report.wave.published_run_id == report.run_id
    if not published and not request.user.has_perm(VIEW_UNPUBLISHED):
        raise PermissionDenied
    return report


@require_GET
def report_progress(request: HttpRequest, report_id: int) -> HttpResponse:
    """Progress bar; the page refreshes itself (meta refresh) until done."""
    report = _report_for(request, report_id)
    return render(
        request,
        "analysis/reports/report_progress.html",
        {"w": words(_language(request)), "report": report},
    )


@require_GET
def report_download(request: HttpRequest, report_id: int) -> HttpResponse:
    """The file, through this view only (never a public media URL)."""
    report = _report_for(request, report_id)
    if report.status != ReportStatus.SUCCEEDED or not report.file:
        return redirect("analysis_report", report_id=report.pk)
    response = FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=report.filename,
        content_type=CONTENT_TYPES[report.kind],
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
