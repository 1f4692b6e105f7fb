"""Public results page and the read-only JSON API of published results.

Only a wave's approved run (``Wave.published_run``) is ever shown here; an
unpublished wave is a 404 for everyone, signed in or not.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from analysis import selectors
from analysis.api_schema import openapi_document
from analysis.compute import RESULT_COLUMNS
from analysis.models import DomainType, IndexResult, ResultKind, Wave

PUBLIC_DOMAIN_TYPES = (DomainType.ROLLUP, DomainType.SECTOR, DomainType.ALL)
RESULT_FIELDS = (
    *RESULT_COLUMNS[:4],
    "domain_name",
    "domain_name_en",
    *RESULT_COLUMNS[4:],
)


def _published_wave(slug: str | None) -> Wave:
    if slug is None:
        wave = selectors.latest_published_wave()
        if wave is None:
            raise Http404("No results have been published yet.")
        return wave
    return get_object_or_404(selectors.published_waves(), slug=slug)


@require_GET
def results_page(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """The latest (or a given) published wave: roll-ups and sectors vs targets."""
    waves = list(selectors.published_waves())
    if slug is None and not waves:
        return render(request, "analysis/results_page.html", {"waves": []})
    wave = _published_wave(slug)
    results = list(
        selectors.published_results(wave).filter(
            kind__in=[ResultKind.INDEX, ResultKind.SATISFIED_RATE],
            domain_type__in=PUBLIC_DOMAIN_TYPES,
        )
    )
    rates = {
        (r.domain_type, r.domain): r
        for r in results
        if r.kind == ResultKind.SATISFIED_RATE
    }
    indexes = [r for r in results if r.kind == ResultKind.INDEX]
    rows = [
        {"index": r, "rate": rates.get((r.domain_type, r.domain))}
        for r in indexes
        if r.domain_type != DomainType.ALL
    ]
    return render(
        request,
        "analysis/results_page.html",
        {
            "wave": wave,
            "waves": waves,
            "rollups": [row for row in rows if row["index"].domain_type == "rollup"],
            "sectors": [row for row in rows if row["index"].domain_type == "sector"],
            "confidence_percent": round(wave.confidence * 100),
        },
    )


def _wave_json(request: HttpRequest, wave: Wave) -> dict:
    return {
        "slug": wave.slug,
        "name": wave.name,
        "name_en": wave.name_en,
        "period_start": wave.period_start.isoformat(),
        "period_end": wave.period_end.isoformat(),
        "confidence": wave.confidence,
        "published_at": wave.published_at.isoformat() if wave.published_at else None,
        "url": request.build_absolute_uri(
            reverse("analysis_api:wave_results", args=[wave.slug])
        ),
    }


def _result_json(result: IndexResult) -> dict:
    return {field: getattr(result, field) for field in RESULT_FIELDS}


def _json(payload: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(
        payload, status=status, json_dumps_params={"ensure_ascii": False}
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def api_waves(request: HttpRequest) -> JsonResponse:
    """Published waves, newest first."""
    return _json(
        {"waves": [_wave_json(request, w) for w in selectors.published_waves()]}
    )


@require_GET
def api_wave_results(request: HttpRequest, slug: str) -> JsonResponse:
    """A published wave's results, optionally filtered by kind and domain type."""
    wave = selectors.published_waves().filter(slug=slug).first()
    if wave is None:
        return _json(
            {"error": "not_found", "detail": "No published wave with this code."}, 404
        )
    results = selectors.published_results(wave)
    filters = {"kind": ResultKind.values, "domain_type": DomainType.values}
    for name, allowed in filters.items():
        value = request.GET.get(name)
        if value is None:
            continue
        if value not in allowed:
            return _json(
                {
                    "error": "bad_request",
                    "detail": f"{name} must be one of {', '.join(allowed)}",
                },
                400,
            )
        results = results.filter(**{name: value})
    return _json(
        {
            "wave": _wave_json(request, wave),
            "results": [_result_json(r) for r in results],
        }
    )


@require_GET
def api_openapi(request: HttpRequest) -> JsonResponse:
    """The OpenAPI 3 description of this API."""
    server = request.build_absolute_uri(reverse("analysis_api:waves")).rsplit(
        "/results/", 1
    )[0]
    return _json(openapi_document(server))
