"""Reads for the officials' dashboard and the reports: one wave's stored results.

Everything here reads :class:`~analysis.models.IndexResult` rows written by the
index pipeline and arranges them for display; the dashboard page, the Excel
workbook, the PDF and the CSV all render the same :class:`WaveOverview`, so
their numbers are the same. Two things are derived rather than stored:
the change since the previous wave (:func:`analysis.stats.wave_change` on the
two waves' stored estimates and SEs, here) and the tourist-complaint
settlement rate of the wave's period (:mod:`analysis.dashboard.quality`).
The shapes of an overview live in :mod:`analysis.dashboard.overview`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import pandas as pd

from analysis import selectors
from analysis.dashboard.overview import (
    QUADRANT_WORDS,
    RESULT_FIELDS,
    Change,
    Driver,
    Estimate,
    Grid,
    GridRow,
    SectorPanel,
    ServicePointRow,
    TrendPoint,
    WaveOverview,
    dimension_label,
    language_key,
    verdict_words,
)
from analysis.dashboard.quality import wave_data_quality, wave_settlement
from analysis.models import IndexResult, IndexRun, RunStatus, Wave
from analysis.stats import wave_change
from core.i18n import localized_value
from surveys.models import Region, Sector, ServicePoint

ROLLUP_ORDER = ("service_sector", "consumer_services", "producer_services")
__all__ = [
    "Estimate",
    "WaveOverview",
    "dashboard_run",
    "narrowed",
    "run_estimates",
    "wave_data_quality",
    "wave_overview",
    "wave_settlement",
    "waves_with_results",
]


# ------------------------------------------------------------------ loading
def _estimate(row: dict, language: str) -> Estimate:
    name = localized_value(row, "domain_name", language) or row["domain"]
    return Estimate(
        kind=row["kind"],
        domain_type=row["domain_type"],
        domain=row["domain"],
        name=name,
        estimate=row["estimate"],
        se=row["se"],
        ci_low=row["ci_low"],
        ci_high=row["ci_high"],
        n=row["n"],
        deff=row["deff"],
        df=row["df"],
        target=row["target"],
        verdict=row["verdict"],
        verdict_label=verdict_words(row["verdict"], language)
        if row["target"] is not None
        else "",
        p_value=row["p_value"],
        dimension=row["dimension"],
        details=row.get("details") or {},
        dimension_label=dimension_label(row["dimension"], language)
        if row["dimension"]
        else "",
    )


def run_estimates(run: IndexRun, language: str) -> list[Estimate]:
    """All stored estimates of ``run`` (one query)."""
    rows = IndexResult.objects.filter(run=run).values(*RESULT_FIELDS)
    return [_estimate(row, language) for row in rows]


def _keyed(estimates: Iterable[Estimate]) -> dict[tuple, Estimate]:
    return {(e.kind, e.dimension, e.domain_type, e.domain): e for e in estimates}


def waves_with_results() -> list[Wave]:
    """Waves that have at least one successful run, oldest first."""
    ids = IndexRun.objects.filter(status=RunStatus.SUCCEEDED).values("wave_id")
    return list(Wave.objects.filter(pk__in=ids).order_by("period_start", "slug"))


def dashboard_run(wave: Wave, *, unpublished: bool) -> IndexRun | None:
    """The run to show: the current one for officials, else the published one."""
    if unpublished:
        return selectors.wave_current_run(wave)
    return wave.published_run


def _previous_waves(wave: Wave) -> list[Wave]:
    return [w for w in waves_with_results() if w.period_start < wave.period_start]


def _trend_runs(wave: Wave, unpublished: bool) -> list[tuple[Wave, IndexRun]]:
    runs = []
    for earlier in _previous_waves(wave):
        run = dashboard_run(earlier, unpublished=unpublished)
        if run is not None:
            runs.append((earlier, run))
    return runs


def _trend_table(
    runs: list[tuple[Wave, IndexRun]], language: str
) -> dict[tuple[str, str], list[TrendPoint]]:
    """Index per (domain type, domain) over waves: one query for all runs."""
    labels = {run.pk: str(localized_value(w, "name", language)) for w, run in runs}
    rows = (
        IndexResult.objects.filter(
            run__in=[run for _, run in runs],
            kind="index",
            domain_type__in=["rollup", "sector"],
        )
        .order_by("wave__period_start")
        .values("run_id", "domain_type", "domain", "estimate", "ci_low", "ci_high")
    )
    trend: dict[tuple[str, str], list[TrendPoint]] = {}
    for row in rows:
        trend.setdefault((row["domain_type"], row["domain"]), []).append(
            TrendPoint(
                labels[row["run_id"]], row["estimate"], row["ci_low"], row["ci_high"]
            )
        )
    return trend


def _changes(
    current: list[Estimate], previous: list[Estimate], confidence: float
) -> dict[tuple[str, str], Change]:
    """Wave-on-wave change of the roll-up and sector indexes (independent samples)."""

    def frame(estimates: list[Estimate]) -> pd.DataFrame:
        rows = [
            {
                "domain_type": e.domain_type,
                "domain": e.domain,
                "estimate": e.estimate,
                "se": e.se,
                "df": e.df,
            }
            for e in estimates
            if e.kind == "index"
            and e.domain_type in ("rollup", "sector")
            and e.estimate is not None
            and e.se
        ]
        return pd.DataFrame(
            rows, columns=["domain_type", "domain", "estimate", "se", "df"]
        )

    now, before = frame(current), frame(previous)
    if now.empty or before.empty:
        return {}
    table = wave_change(now, before, on=["domain_type", "domain"], level=confidence)
    return {
        (row.domain_type, row.domain): Change(
            previous=float(row.previous),
            change=float(row.change),
            ci_low=float(row.ci_low),
            ci_high=float(row.ci_high),
            p_value=float(row.p_value),
        )
        for row in table.itertuples(index=False)
    }


# ------------------------------------------------------------------ overview
def _pairs(
    keyed: dict[tuple, Estimate],
    domain_type: str,
    order: Sequence[str] | None = None,
) -> list[tuple[Estimate, Estimate | None]]:
    """Each domain's index and satisfied rate, in ``order`` (domains it does
    not name last), else by domain code."""
    indexes = [
        e
        for (kind, _d, dtype, _dom), e in keyed.items()
        if kind == "index" and dtype == domain_type
    ]
    place = _place_in(order or [])
    indexes.sort(key=lambda e: (place(e.domain), e.domain))
    return [
        (e, keyed.get(("satisfied_rate", "", domain_type, e.domain))) for e in indexes
    ]


def _place_in(order: Sequence[str]) -> Callable[[str], int]:
    """A code's place in ``order``; codes it does not name come after."""
    places = {code: n for n, code in enumerate(order)}
    return lambda code: places.get(code, len(places))


def _reference_order() -> dict[str, list[str]]:
    """Sectors and regions as the reference data orders them (the plan's
    sector order, the administrative order of districts)."""
    return {
        "sector": list(Sector.objects.values_list("code", flat=True)),
        "region": list(Region.objects.values_list("code", flat=True)),
    }


def _panel(keyed, estimate, rate, changes, trend, language) -> SectorPanel:
    dimensions = sorted(
        (
            e
            for (kind, _d, dtype, dom), e in keyed.items()
            if kind == "dimension"
            and dtype == estimate.domain_type
            and dom == estimate.domain
        ),
        key=lambda e: e.dimension,
    )
    key = (estimate.domain_type, estimate.domain)
    return SectorPanel(
        index=estimate,
        rate=rate,
        change=changes.get(key),
        dimensions=dimensions,
        trend=trend.get(key, []),
        drivers=_drivers(keyed, estimate, language),
        alphas=_of_kind(keyed, "alpha", estimate),
    )


def _of_kind(keyed: dict[tuple, Estimate], kind: str, domain: Estimate) -> list:
    """The domain's estimates of one per-dimension kind, by dimension."""
    return sorted(
        (
            e
            for (k, _d, dtype, dom), e in keyed.items()
            if k == kind and dtype == domain.domain_type and dom == domain.domain
        ),
        key=lambda e: e.dimension,
    )


def _drivers(
    keyed: dict[tuple, Estimate], sector: Estimate, language: str
) -> list[Driver]:
    """Key drivers of the sector, most important first."""
    words = QUADRANT_WORDS[language_key(language)]
    drivers = []
    for e in _of_kind(keyed, "driver", sector):
        quadrant = str(e.details.get("quadrant", ""))
        drivers.append(
            Driver(
                importance=e,
                share=float(e.details.get("share", 0.0)),
                r2=float(e.details.get("r2", 0.0)),
                performance=e.details.get("performance"),
                quadrant=quadrant,
                quadrant_label=words.get(quadrant, quadrant),
            )
        )
    return sorted(drivers, key=lambda d: -d.share)


def _service_points(
    keyed: dict[tuple, Estimate], sector_order: Sequence[str]
) -> list[ServicePointRow]:
    """Points by sector (in ``sector_order``), best shrinkage estimate first;
    ranks and rank intervals are the pipeline's (Fay-Herriot, within the
    sector). Points with too few responses (or without a stored shrinkage
    estimate) are listed after the ranked ones, unranked."""
    places = {
        code: (sector, region)
        for code, sector, region in ServicePoint.objects.values_list(
            "code", "sector__code", "region__code"
        )
    }
    rows = []
    for index, rate in _pairs(keyed, "service_point"):
        sector, region = places.get(index.domain, ("", ""))
        shrunk = keyed.get(("shrunk_index", "", "service_point", index.domain))
        details = shrunk.details if shrunk is not None else {}
        rank = details.get("rank")
        rows.append(
            ServicePointRow(
                index,
                rate,
                sector,
                region,
                int(rank) if rank is not None else None,
                shrunk,
                details.get("rank_low"),
                details.get("rank_high"),
            )
        )

    sector_place = _place_in(sector_order)

    def order(row: ServicePointRow):
        shown = row.shrunk if row.shrunk is not None else row.index
        return (
            sector_place(row.sector),
            row.sector,
            row.rank is None,
            -(shown.estimate or -1),
            row.index.domain,
        )

    return sorted(rows, key=order)


def _grid(
    keyed: dict[tuple, Estimate],
    sectors: list[SectorPanel],
    regions: list[tuple[Estimate, Estimate | None]],
) -> Grid | None:
    """District x sector indexes as rows of districts and columns of sectors,
    in the order of ``regions`` and ``sectors``."""
    cells = {
        tuple(e.domain.split("/", 1)): e
        for (kind, _d, dtype, _dom), e in keyed.items()
        if kind == "index" and dtype == "sector_region" and "/" in e.domain
    }
    if not cells:
        return None
    columns = [(p.index.domain, p.index.name) for p in sectors]
    rows = [
        GridRow(r.domain, r.name, [cells.get((code, r.domain)) for code, _ in columns])
        for r, _rate in regions
    ]
    return Grid(columns, rows)


def wave_overview(
    wave: Wave, *, language: str, unpublished: bool, run: IndexRun | None = None
) -> WaveOverview | None:
    """The wave's results for display; None when it has no results to show.

    ``unpublished`` (officials) shows the latest successful run; otherwise only
    the published run is used, for this wave and for the trend. ``run`` pins
    the wave's run (a report shows the run it was asked for).
    """
    run = run or dashboard_run(wave, unpublished=unpublished)
    if run is None:
        return None
    estimates = run_estimates(run, language)
    keyed = _keyed(estimates)
    trend_runs = [*_trend_runs(wave, unpublished), (wave, run)]
    previous = trend_runs[-2] if len(trend_runs) > 1 else None
    changes = (
        _changes(estimates, run_estimates(previous[1], language), wave.confidence)
        if previous
        else {}
    )
    trend = _trend_table(trend_runs, language)

    reference = _reference_order()

    def panels(domain_type: str, order: Sequence[str]) -> list[SectorPanel]:
        pairs = _pairs(keyed, domain_type, order)
        return [_panel(keyed, i, r, changes, trend, language) for i, r in pairs]

    sectors = panels("sector", reference["sector"])
    regions = _pairs(keyed, "region", reference["region"])
    return WaveOverview(
        wave=wave,
        run=run,
        language=language,
        published=wave.published_run_id == run.pk,
        headlines=panels("rollup", ROLLUP_ORDER),
        sectors=sectors,
        regions=regions,
        channels=_pairs(keyed, "channel"),
        service_points=_service_points(keyed, reference["sector"]),
        grid=_grid(keyed, sectors, regions),
        settlement=wave_settlement(wave, language),
        quality=wave_data_quality(wave, run, language),
        previous_wave=previous[0] if previous else None,
    )


def narrowed(
    overview: WaveOverview,
    *,
    sector: str = "",
    region: str = "",
    channel: str = "",
) -> WaveOverview:
    """The overview restricted to one sector, district and/or channel.

    Results are stored per sector, per district and per channel separately
    (not crossed), so a filter narrows the lists it applies to; service points
    are narrowed by both their sector and their district. The district x
    sector grid keeps the chosen district's row and sector's column.
    """

    def keep(pairs, code):
        return [p for p in pairs if not code or p[0].domain == code]

    points = [
        p
        for p in overview.service_points
        if (not sector or p.sector == sector) and (not region or p.region == region)
    ]
    return WaveOverview(
        wave=overview.wave,
        run=overview.run,
        language=overview.language,
        published=overview.published,
        headlines=overview.headlines,
        sectors=[s for s in overview.sectors if not sector or s.index.domain == sector],
        regions=keep(overview.regions, region),
        channels=keep(overview.channels, channel),
        service_points=points,
        settlement=overview.settlement,
        quality=overview.quality,
        previous_wave=overview.previous_wave,
        grid=_narrowed_grid(overview.grid, sector, region),
    )


def _narrowed_grid(grid: Grid | None, sector: str, region: str) -> Grid | None:
    if grid is None:
        return None
    keep = [
        k for k, (code, _) in enumerate(grid.sectors) if not sector or code == sector
    ]
    return Grid(
        [grid.sectors[k] for k in keep],
        [
            GridRow(row.region, row.name, [row.cells[k] for k in keep])
            for row in grid.rows
            if not region or row.region == region
        ],
    )
