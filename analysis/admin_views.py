"""Admin screens of the pipeline: a wave's runs, "Run now", progress, publish.

Assessors start runs and follow them; only holders of
``analysis.publish_results`` (officials) see unpublished estimates and
approve a run for publication.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from analysis import selectors, services
from analysis.dashboard.quality import run_notes, run_sector_names, weighting_method
from analysis.models import DomainType, IndexRun, ResultKind, RunStatus, Wave
from analysis.status_messages import from_json

RUN = "analysis.run_index_pipeline"
PUBLISH = "analysis.publish_results"
VIEW_RUNS = "analysis.view_indexrun"


def _require_any(request: HttpRequest, *permissions: str) -> None:
    if not any(request.user.has_perm(p) for p in permissions):
        raise PermissionDenied


def _summary(run: IndexRun | None):
    """Roll-up and sector indexes of a run, for the official's check."""
    return selectors.run_results(run).filter(
        kind=ResultKind.INDEX,
        domain_type__in=[DomainType.ROLLUP, DomainType.SECTOR, DomainType.ALL],
    )


@require_GET
def wave_runs(request: HttpRequest, wave_id: int) -> HttpResponse:
    _require_any(request, RUN, PUBLISH, VIEW_RUNS)
    wave = get_object_or_404(Wave, pk=wave_id)
    current = selectors.wave_current_run(wave)
    can_publish = request.user.has_perm(PUBLISH)
    return render(
        request,
        "analysis/admin/wave_runs.html",
        {
            "wave": wave,
            "runs": IndexRun.objects.filter(wave=wave).select_related("requested_by")[
                :20
            ],
            "current": current,
            "latest": selectors.wave_latest_run(wave),
            "can_run": request.user.has_perm(RUN),
            "can_publish": can_publish,
            "summary": _summary(current) if can_publish else None,
        },
    )


@require_POST
def run_request(request: HttpRequest, wave_id: int) -> HttpResponse:
    _require_any(request, RUN)
    wave = get_object_or_404(Wave, pk=wave_id)
    run = services.index_run_request(wave=wave, requested_by=request.user)
    return redirect("analysis_admin_run", run_id=run.pk)


def _status(run: IndexRun) -> dict:
    return {
        "id": run.pk,
        "wave": run.wave.slug,
        "status": run.status,
        "status_label": run.get_status_display(),
        "progress": run.progress,
        "message": str(run.status_message),
        "active": run.is_active,
        "requested_at": run.requested_at.isoformat(),
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }


@require_GET
def run_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    _require_any(request, RUN, PUBLISH, VIEW_RUNS)
    run = get_object_or_404(IndexRun.objects.select_related("wave"), pk=run_id)
    can_publish = request.user.has_perm(PUBLISH)
    diagnostics = run.diagnostics or {}
    language = get_language() or "zh-hans"
    return render(
        request,
        "analysis/admin/run_progress.html",
        {
            "run": run,
            "wave": run.wave,
            "problems": [from_json(p) for p in diagnostics.get("problems", [])],
            "weighting": weighting_method(diagnostics.get("method"), language=language),
            "notes": run_notes(
                diagnostics.get("notes") or [],
                language=language,
                sector_names=run_sector_names(run, language),
            ),
            "can_publish": can_publish and run.status == RunStatus.SUCCEEDED,
            "summary": _summary(run) if can_publish else None,
        },
    )


@require_GET
def run_status(request: HttpRequest, run_id: int) -> JsonResponse:
    _require_any(request, RUN, PUBLISH, VIEW_RUNS)
    run = get_object_or_404(IndexRun.objects.select_related("wave"), pk=run_id)
    return JsonResponse(_status(run))


@require_POST
def wave_publish(request: HttpRequest, wave_id: int) -> HttpResponse:
    _require_any(request, PUBLISH)
    wave = get_object_or_404(Wave, pk=wave_id)
    if request.POST.get("action") == "withdraw":
        services.wave_results_withdraw(wave=wave)
        messages.success(request, _("The wave's results are no longer public."))
        return redirect("analysis_admin_wave_runs", wave_id=wave.pk)
    run_id = request.POST.get("run", "")
    run = (
        IndexRun.objects.filter(pk=run_id, wave=wave).first()
        if run_id.isdigit()
        else None
    )
    if run is None:
        messages.error(request, _("Choose a run of this wave to publish."))
        return redirect("analysis_admin_wave_runs", wave_id=wave.pk)
    try:
        services.wave_results_publish(wave=wave, run=run, user=request.user)
    except services.PublishError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Published: the results are now public."))
    return redirect("analysis_admin_wave_runs", wave_id=wave.pk)
