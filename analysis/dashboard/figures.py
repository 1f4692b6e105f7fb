"""Chart specifications of a wave overview, shared by the page and the PDF."""

from __future__ import annotations

import math

import pandas as pd

from analysis.dashboard.charts import Bar, ChartSpec, QuadrantPoint, QuadrantSpec
from analysis.dashboard.labels import words
from analysis.dashboard.overview import (
    Estimate,
    SectorPanel,
    ServicePointRow,
    WaveOverview,
)
from analysis.stats.quadrants import quadrant_cuts

SECTOR_CLASS_TARGETS = {"consumer": 80.0, "producer": 85.0}


def _bar(estimate: Estimate, percent: bool = False) -> Bar:
    factor = 100.0 if percent else 1.0

    def scaled(value):
        return None if value is None else value * factor

    return Bar(
        estimate.dimension_label or estimate.name,  # a dimension's bar: its name
        scaled(estimate.estimate),
        scaled(estimate.ci_low),
        scaled(estimate.ci_high),
    )


def _target_label(w: dict, target: float | None) -> str:
    return "" if target is None else f"{w['target']} {target:g}"


def index_chart(
    title: str, estimates: list[Estimate], language: str, target: float | None = None
) -> ChartSpec:
    w = words(language)
    return ChartSpec(
        title=title,
        unit=w["points_unit"],
        bars=[_bar(e) for e in estimates],
        target=target,
        target_label=_target_label(w, target),
        description=f"{title}: {w['index']}, {w['ci']}"
        + (f", {_target_label(w, target)}" if target is not None else ""),
    )


def rate_chart(title: str, rates: list[Estimate], language: str) -> ChartSpec:
    w = words(language)
    return ChartSpec(
        title=title,
        unit=w["percent_unit"],
        bars=[_bar(r, percent=True) for r in rates],
        description=f"{title}: {w['rate']}, {w['ci']}",
    )


def trend_chart(panel: SectorPanel, language: str) -> ChartSpec:
    w = words(language)
    title = f"{panel.index.name}: {w['trend']}"
    return ChartSpec(
        title=title,
        unit=w["points_unit"],
        bars=[Bar(p.wave, p.estimate, p.ci_low, p.ci_high) for p in panel.trend],
        target=panel.index.target,
        target_label=_target_label(w, panel.index.target),
        description=f"{title}, {w['ci']}",
    )


def sector_charts(overview: WaveOverview) -> list[ChartSpec]:
    """Sector indexes against their class's target: one chart per class."""
    w = words(overview.language)
    charts = []
    for target, title in ((80.0, w["consumer_sectors"]), (85.0, w["producer_sectors"])):
        group = [s.index for s in overview.sectors if s.index.target == target]
        if group:
            charts.append(index_chart(title, group, overview.language, target))
    others = [s.index for s in overview.sectors if s.index.target not in (80.0, 85.0)]
    if others:
        charts.append(index_chart(w["sectors"], others, overview.language))
    return charts


def overview_charts(overview: WaveOverview) -> dict[str, list[ChartSpec]]:
    """Every chart of the overview, by section."""
    w = words(overview.language)
    language = overview.language
    headline = [
        index_chart(p.index.name, [p.index], language, p.index.target)
        for p in overview.headlines
    ]
    return {
        "headlines": headline,
        "sectors": sector_charts(overview),
        "trends": [trend_chart(p, language) for p in overview.headlines]
        + [trend_chart(p, language) for p in overview.sectors],
        "districts": [
            index_chart(w["districts"], [i for i, _ in overview.regions], language)
        ]
        if overview.regions
        else [],
        "channels": [
            index_chart(w["channels"], [i for i, _ in overview.channels], language)
        ]
        if overview.channels
        else [],
        "dimensions": [
            index_chart(f"{p.index.name}: {w['dimensions']}", p.dimensions, language)
            for p in overview.sectors
            if p.dimensions
        ],
        "drivers": [driver_chart(p, language) for p in overview.sectors if p.drivers],
        "points": [
            shrunk_points_chart(p, points, language)
            for p in overview.sectors
            if (
                points := [
                    r
                    for r in overview.service_points
                    if r.sector == p.index.domain and r.shrunk is not None
                ]
            )
        ],
    }


def shrunk_points_chart(
    panel: SectorPanel, points: list[ServicePointRow], language: str
) -> ChartSpec:
    """The sector's service points by shrinkage estimate, with the target."""
    w = words(language)
    shown = [p.shrunk for p in points if p.shrunk is not None]
    return index_chart(
        f"{panel.index.name}: {w['shrunk_ranking']}",
        shown,
        language,
        panel.index.target,
    )


def driver_chart(panel: SectorPanel, language: str) -> ChartSpec:
    """Each dimension's importance (per cent of the overall rating's variance)."""
    w = words(language)
    title = f"{panel.index.name}: {w['drivers']}"
    bars = [
        _bar(
            Estimate(
                kind="driver",
                domain_type="sector",
                domain=d.importance.domain,
                name=d.importance.dimension_label,
                estimate=d.importance.estimate,
                se=d.importance.se,
                ci_low=d.importance.ci_low,
                ci_high=d.importance.ci_high,
                n=d.importance.n,
            ),
            percent=True,
        )
        for d in panel.drivers
    ]
    highest = max((b.high or b.value or 0.0 for b in bars), default=0.0)
    return ChartSpec(
        title=title,
        unit=w["variance_unit"],
        bars=bars,
        lower=0.0,
        upper=max(10.0, 10.0 * math.ceil(highest / 10.0)),
        description=f"{title}: {w['importance']}, {w['ci']}",
    )


def _or(value: float, default: float) -> float:
    """``value``, or ``default`` where it is NaN (an axis without values)."""
    return value if math.isfinite(value) else default


def quadrant_spec(panel: SectorPanel, language: str) -> QuadrantSpec:
    """The importance-performance matrix of the sector's dimensions, from the
    stored shares and scores, its lines where the stored quadrants were cut."""
    w = words(language)
    title = f"{panel.index.name}: {w['ip_matrix']}"
    shares = pd.Series([d.share for d in panel.drivers], dtype=float)
    scores = pd.Series([d.performance for d in panel.drivers], dtype=float)
    share_cut, score_cut = quadrant_cuts(shares, scores)
    y_lower = max(0.0, 10.0 * math.floor(_or(scores.min(), 0.0) / 10.0) - 10.0)
    widest = 100.0 * _or(shares.max(), 0.0)
    return QuadrantSpec(
        title=title,
        x_unit=w["share_unit"],
        y_unit=w["points_unit"],
        points=[
            QuadrantPoint(d.importance.dimension_label, 100.0 * d.share, d.performance)
            for d in panel.drivers
            if d.performance is not None
        ],
        x_cut=100.0 * _or(share_cut, 0.0),
        y_cut=_or(score_cut, y_lower),
        quadrant_labels=(
            w["quadrant_improve"],
            w["quadrant_strength"],
            w["quadrant_maintain"],
            w["quadrant_opportunity"],
        ),
        description=f"{title}: {w['share']} × {w['performance']}",
        x_upper=max(10.0, 10.0 * math.ceil(widest / 10.0)),
        y_lower=y_lower,
        y_upper=100.0,
    )


def quadrant_specs(overview: WaveOverview) -> list[QuadrantSpec]:
    """The matrix of every sector with key drivers, in the sectors' order."""
    return [quadrant_spec(p, overview.language) for p in overview.sectors if p.drivers]
