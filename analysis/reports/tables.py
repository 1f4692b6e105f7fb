"""A wave overview as topic tables: one per sheet of the workbook, per PDF
section and per block of the CSV. Values are the stored numbers, unrounded;
each column says how to show them (``fmt``)."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.dashboard.labels import words
from analysis.dashboard.overview import Estimate, WaveOverview

TEXT, POINTS, PERCENT, INTEGER, DECIMAL, PROBABILITY = (
    "text",
    "points",
    "percent",
    "integer",
    "decimal",
    "probability",
)


@dataclass(frozen=True)
class Column:
    """A column's title and format; ``bound`` marks a CI bound of the column
    before it (the PDF shows the three as "81.2 (79.8–82.6)")."""

    title: str
    fmt: str = TEXT
    bound: bool = False


def display(value, fmt: str) -> str:
    """``value`` as the dashboard and the PDF show it (the workbook keeps the
    number and applies the same format)."""
    if value is None:
        return "—"
    if isinstance(value, str) or fmt == TEXT:
        return str(value)
    if fmt == PERCENT:
        return f"{value * 100:.1f}%"
    if fmt == POINTS:
        return f"{value:.1f}"
    if fmt == INTEGER:
        return f"{int(value):d}"
    if fmt == PROBABILITY:
        return f"{value:.3f}"
    return f"{value:.2f}"


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list]


def _interval(e: Estimate | None) -> list:
    if e is None:
        return [None, None, None]
    return [e.estimate, e.ci_low, e.ci_high]


def _index_columns(w: dict) -> list[Column]:
    return [
        Column(w["index"], POINTS),
        Column(w["ci_low"], POINTS, bound=True),
        Column(w["ci_high"], POINTS, bound=True),
    ]


def _rate_columns(w: dict) -> list[Column]:
    return [
        Column(w["rate"], PERCENT),
        Column(f"{w['rate']} {w['ci_low']}", PERCENT, bound=True),
        Column(f"{w['rate']} {w['ci_high']}", PERCENT, bound=True),
    ]


def headline_table(o: WaveOverview, w: dict) -> Table:
    columns = [
        Column(w["name"]),
        *_index_columns(w),
        Column(w["se"], DECIMAL),
        Column(w["target"], POINTS),
        Column(w["verdict"]),
        Column(w["p_value"], PROBABILITY),
        Column(w["responses"], INTEGER),
        *_rate_columns(w),
    ]
    rows = [
        [
            p.index.name,
            *_interval(p.index),
            p.index.se,
            p.index.target,
            p.index.verdict_label,
            p.index.p_value,
            p.index.n,
            *_interval(p.rate),
        ]
        for p in o.headlines
    ]
    if o.settlement is not None:
        s = o.settlement
        rows.append(
            [
                w["settlement"],
                None,
                None,
                None,
                None,
                None,
                s.verdict_label,
                None,
                s.counted,
                s.rate,
                s.ci_low,
                s.ci_high,
            ]
        )
    return Table("headlines", w["headlines"], columns, rows)


def sector_table(o: WaveOverview, w: dict) -> Table:
    columns = [
        Column(w["sector"]),
        *_index_columns(w),
        Column(w["se"], DECIMAL),
        Column(w["target"], POINTS),
        Column(w["verdict"]),
        Column(w["p_value"], PROBABILITY),
        *_rate_columns(w),
        Column(w["responses"], INTEGER),
        Column(w["deff"], DECIMAL),
        Column(w["effective_n"], DECIMAL),
        Column(w["change"], POINTS),
        Column(f"{w['change']} {w['ci_low']}", POINTS, bound=True),
        Column(f"{w['change']} {w['ci_high']}", POINTS, bound=True),
    ]
    rows = []
    for p in o.sectors:
        c = p.change
        rows.append(
            [
                p.index.name,
                *_interval(p.index),
                p.index.se,
                p.index.target,
                p.index.verdict_label,
                p.index.p_value,
                *_interval(p.rate),
                p.index.n,
                p.index.deff,
                p.index.effective_n,
                c.change if c else None,
                c.ci_low if c else None,
                c.ci_high if c else None,
            ]
        )
    return Table("sectors", w["sectors"], columns, rows)


def trend_table(o: WaveOverview, w: dict) -> Table:
    columns = [Column(w["name"]), Column(w["wave"]), *_index_columns(w)]
    rows = [
        [p.index.name, t.wave, t.estimate, t.ci_low, t.ci_high]
        for p in [*o.headlines, *o.sectors]
        for t in p.trend
    ]
    return Table("trend", w["trend"], columns, rows)


def domain_table(key: str, title: str, pairs, w: dict) -> Table:
    columns = [
        Column(w["name"]),
        *_index_columns(w),
        *_rate_columns(w),
        Column(w["responses"], INTEGER),
        Column(w["deff"], DECIMAL),
    ]
    rows = [[i.name, *_interval(i), *_interval(r), i.n, i.deff] for i, r in pairs]
    return Table(key, title, columns, rows)


def service_point_table(o: WaveOverview, w: dict) -> Table:
    """Ranked by shrinkage (Fay-Herriot) estimate within the sector, with the
    rank interval, beside the direct estimate."""
    columns = [
        Column(w["sector"]),
        Column(w["district"]),
        Column(w["name"]),
        Column(w["rank"], INTEGER),
        Column(f"{w['rank_interval']} {w['ci_low']}", INTEGER),
        Column(f"{w['rank_interval']} {w['ci_high']}", INTEGER),
        Column(w["shrunk"], POINTS),
        Column(f"{w['shrunk']} {w['ci_low']}", POINTS, bound=True),
        Column(f"{w['shrunk']} {w['ci_high']}", POINTS, bound=True),
        Column(w["direct"], POINTS),
        Column(f"{w['direct']} {w['ci_low']}", POINTS, bound=True),
        Column(f"{w['direct']} {w['ci_high']}", POINTS, bound=True),
        *_rate_columns(w),
        Column(w["responses"], INTEGER),
    ]
    rows = [
        [
            p.sector,
            p.region,
            p.index.name,
            p.rank if p.ranked else w["too_few"],
            p.rank_low if p.ranked else None,
            p.rank_high if p.ranked else None,
            *_interval(p.shrunk),
            *_interval(p.index),
            *_interval(p.rate),
            p.index.n,
        ]
        for p in o.service_points
    ]
    return Table("service_points", w["service_points"], columns, rows)


def driver_table(o: WaveOverview, w: dict) -> Table:
    """Key drivers and the importance-performance quadrants, per sector."""
    columns = [
        Column(w["sector"]),
        Column(w["dimension"]),
        Column(w["importance"], PERCENT),
        Column(f"{w['importance']} {w['ci_low']}", PERCENT, bound=True),
        Column(f"{w['importance']} {w['ci_high']}", PERCENT, bound=True),
        Column(w["share"], PERCENT),
        Column(w["r2"], DECIMAL),
        Column(w["performance"], POINTS),
        Column(w["quadrant"]),
        Column(w["responses"], INTEGER),
    ]
    rows = [
        [
            p.index.name,
            d.importance.dimension_label,
            *_interval(d.importance),
            d.share,
            d.r2,
            d.performance,
            d.quadrant_label,
            d.importance.n,
        ]
        for p in o.sectors
        for d in p.drivers
    ]
    return Table("drivers", w["drivers"], columns, rows)


def reliability_table(o: WaveOverview, w: dict) -> Table:
    columns = [
        Column(w["sector"]),
        Column(w["dimension"]),
        Column(w["alpha"], DECIMAL),
        Column(w["alpha_std"], DECIMAL),
        Column(w["alpha_unweighted"], DECIMAL),
        Column(w["items"], INTEGER),
        Column(w["responses"], INTEGER),
    ]
    rows = [
        [
            p.index.name,
            a.dimension_label,
            a.estimate,
            a.details.get("standardized"),
            a.details.get("unweighted"),
            a.details.get("n_items"),
            a.n,
        ]
        for p in o.sectors
        for a in p.alphas
    ]
    return Table("reliability", w["reliability"], columns, rows)


def grid_table(o: WaveOverview, w: dict) -> Table:
    """District x sector indexes, one row per cell (long form for sheets)."""
    columns = [
        Column(w["district"]),
        Column(w["sector"]),
        *_index_columns(w),
        Column(w["target"], POINTS),
        Column(w["verdict"]),
        Column(w["responses"], INTEGER),
    ]
    rows = []
    if o.grid is not None:
        for row in o.grid.rows:
            for (_code, sector), cell in zip(o.grid.sectors, row.cells, strict=True):
                if cell is not None:
                    rows.append(
                        [
                            row.name,
                            sector,
                            *_interval(cell),
                            cell.target,
                            cell.verdict_label,
                            cell.n,
                        ]
                    )
    return Table("grid", w["grid"], columns, rows)


def dimension_table(o: WaveOverview, w: dict) -> Table:
    columns = [
        Column(w["sector"]),
        Column(w["dimension"]),
        Column(w["score"], POINTS),
        Column(w["ci_low"], POINTS, bound=True),
        Column(w["ci_high"], POINTS, bound=True),
        Column(w["responses"], INTEGER),
    ]
    rows = [
        [p.index.name, d.dimension_label, d.estimate, d.ci_low, d.ci_high, d.n]
        for p in o.sectors
        for d in p.dimensions
    ]
    return Table("dimensions", w["dimensions"], columns, rows)


def quality_table(o: WaveOverview, w: dict) -> Table:
    columns = [
        Column(w["sector"]),
        Column(w["submitted"], INTEGER),
        Column(w["excluded"], INTEGER),
        Column(w["flagged"], INTEGER),
        Column(w["invitations"], INTEGER),
        Column(w["response_rate"], PERCENT),
        Column(w["responses"], INTEGER),
        Column(w["deff"], DECIMAL),
        Column(w["effective_n"], DECIMAL),
    ]
    per_sector = o.quality.get("sectors", {})
    rows = []
    for p in o.sectors:
        q = per_sector.get(p.index.domain, {})
        rows.append(
            [
                p.index.name,
                q.get("submitted"),
                q.get("excluded"),
                q.get("flagged"),
                q.get("invitations"),
                q.get("response_rate"),
                p.index.n,
                p.index.deff,
                p.index.effective_n,
            ]
        )
    return Table("quality", w["quality"], columns, rows)


def overview_tables(o: WaveOverview) -> list[Table]:
    """Every topic table of the overview, in report order."""
    w = words(o.language)
    return [
        headline_table(o, w),
        sector_table(o, w),
        trend_table(o, w),
        domain_table("districts", w["districts"], o.regions, w),
        domain_table("channels", w["channels"], o.channels, w),
        grid_table(o, w),
        service_point_table(o, w),
        dimension_table(o, w),
        driver_table(o, w),
        reliability_table(o, w),
        quality_table(o, w),
    ]
