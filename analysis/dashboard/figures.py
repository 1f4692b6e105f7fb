"""Chart specifications of a wave overview, shared by the page and the PDF."""

from __future__ import annotations

from analysis.dashboard.charts import Bar, ChartSpec
from analysis.dashboard.labels import words
from analysis.dashboard.selectors import Estimate, SectorPanel, WaveOverview

SECTOR_CLASS_TARGETS = {"consumer": 80.0, "producer": 85.0}


def _bar(estimate: Estimate, percent: bool = False) -> Bar:
    factor = 100.0 if percent else 1.0

    def scaled(value):
        return None if value is None else value * factor

    return Bar(
        estimate.name,
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
    }
