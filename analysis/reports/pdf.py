"""The PDF report: headline verdicts, charts with target lines, tables and a
methodology appendix. Renders the overview's tables and chart specs; computes
nothing. Charts are reportlab Drawings of the same :class:`ChartSpec` the
dashboard draws as SVG, so they carry the same titles, units and targets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import BinaryIO

from django.utils import timezone
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    LongTable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)

from analysis.dashboard.charts import ChartSpec
from analysis.dashboard.figures import overview_charts
from analysis.dashboard.labels import words
from analysis.dashboard.overview import WaveOverview
from analysis.reports import tables as t
from analysis.reports.fonts import report_font
from analysis.reports.provenance import provenance_rows

PAGE = landscape(A4)
BAR = colors.HexColor("#2e6b9e")
TARGET = colors.HexColor("#b3261e")
GRID = colors.HexColor("#d0d0d0")
HEADER = colors.HexColor("#dde7f0")


# ------------------------------------------------------------------ charts
def _ticks(spec: ChartSpec) -> list[float]:
    step = (spec.upper - spec.lower) / 5
    return [spec.lower + k * step for k in range(6)]


def _clip(spec: ChartSpec, value: float) -> float:
    return min(max(value, spec.lower), spec.upper)


#: Bars that fit one landscape A4 frame (16 pt a row under a 44 pt header).
BARS_PER_DRAWING = 26


def bar_drawings(spec: ChartSpec, font: str) -> list[KeepTogether]:
    """The chart as drawings that each fit a page: a sector's 70 service
    points would otherwise make one drawing taller than the page, which
    reportlab refuses. Each part keeps the title (numbered), unit and target."""
    size = BARS_PER_DRAWING
    chunks = [spec.bars[k : k + size] for k in range(0, len(spec.bars), size)]
    if len(chunks) <= 1:
        return [KeepTogether([bar_drawing(spec, font)])]
    titles = [f"{spec.title} {k}/{len(chunks)}" for k in range(1, len(chunks) + 1)]
    return [
        KeepTogether([bar_drawing(replace(spec, title=title, bars=bars), font)])
        for title, bars in zip(titles, chunks, strict=True)
    ]


def bar_drawing(spec: ChartSpec, font: str) -> Drawing:
    """Horizontal bars with CI whiskers and a dashed target line."""
    label_w, plot_w, row = 170, 420, 16
    height = 44 + row * max(len(spec.bars), 1)
    drawing = Drawing(label_w + plot_w + 60, height)
    top = height - 26

    def x(value: float) -> float:
        return (
            label_w
            + (_clip(spec, value) - spec.lower) / (spec.upper - spec.lower) * plot_w
        )

    drawing.add(
        String(0, height - 10, f"{spec.title} ({spec.unit})", fontName=font, fontSize=9)
    )
    bottom = top - row * len(spec.bars)
    for tick in _ticks(spec):
        drawing.add(Line(x(tick), bottom, x(tick), top, strokeColor=GRID))
        drawing.add(
            String(
                x(tick),
                bottom - 10,
                f"{tick:g}",
                fontName=font,
                fontSize=7,
                textAnchor="middle",
            )
        )
    for k, bar in enumerate(spec.bars):
        y = top - (k + 1) * row
        drawing.add(
            String(
                label_w - 4,
                y + 4,
                bar.label[:28],
                fontName=font,
                fontSize=7,
                textAnchor="end",
            )
        )
        if bar.value is None:
            continue
        drawing.add(
            Rect(
                x(spec.lower),
                y + 3,
                x(bar.value) - x(spec.lower),
                row - 6,
                fillColor=BAR,
                strokeColor=None,
            )
        )
        if bar.low is not None and bar.high is not None:
            mid = y + row / 2
            drawing.add(Line(x(bar.low), mid, x(bar.high), mid, strokeWidth=1))
            drawing.add(Line(x(bar.low), mid - 3, x(bar.low), mid + 3))
            drawing.add(Line(x(bar.high), mid - 3, x(bar.high), mid + 3))
        drawing.add(
            String(
                x(spec.upper) + 4, y + 4, f"{bar.value:.1f}", fontName=font, fontSize=7
            )
        )
    if spec.target is not None:
        tx = x(spec.target)
        drawing.add(
            Line(
                tx,
                bottom,
                tx,
                top + 4,
                strokeColor=TARGET,
                strokeWidth=1.5,
                strokeDashArray=[4, 3],
            )
        )
        drawing.add(
            String(
                tx,
                top + 6,
                spec.target_label,
                fontName=font,
                fontSize=7,
                fillColor=TARGET,
                textAnchor="middle",
            )
        )
    return drawing


def line_drawing(spec: ChartSpec, font: str) -> Drawing:
    """Estimates over waves with CI bars and a dashed target line."""
    left, plot_w, plot_h = 40, 420, 110
    drawing = Drawing(left + plot_w + 40, plot_h + 50)
    base = 22
    count = max(len(spec.bars), 1)
    step = plot_w / max(count - 1, 1)

    def y(value: float) -> float:
        return (
            base
            + (_clip(spec, value) - spec.lower) / (spec.upper - spec.lower) * plot_h
        )

    def x(k: int) -> float:
        return left + (k * step if count > 1 else plot_w / 2)

    drawing.add(
        String(0, plot_h + 40, f"{spec.title} ({spec.unit})", fontName=font, fontSize=9)
    )
    for tick in _ticks(spec):
        drawing.add(Line(left, y(tick), left + plot_w, y(tick), strokeColor=GRID))
        drawing.add(
            String(
                left - 4,
                y(tick) - 3,
                f"{tick:g}",
                fontName=font,
                fontSize=7,
                textAnchor="end",
            )
        )
    points = [(k, b) for k, b in enumerate(spec.bars) if b.value is not None]
    for k, bar in points:
        if bar.low is not None and bar.high is not None:
            drawing.add(Line(x(k), y(bar.low), x(k), y(bar.high)))
        drawing.add(Circle(x(k), y(bar.value), 2.5, fillColor=BAR, strokeColor=BAR))
    if len(points) > 1:
        coords = [c for k, b in points for c in (x(k), y(b.value))]
        drawing.add(PolyLine(coords, strokeColor=BAR, strokeWidth=1.5))
    for k, bar in enumerate(spec.bars):
        drawing.add(
            String(
                x(k),
                base - 12,
                bar.label[:16],
                fontName=font,
                fontSize=7,
                textAnchor="middle",
            )
        )
    if spec.target is not None:
        ty = y(spec.target)
        drawing.add(
            Line(
                left,
                ty,
                left + plot_w,
                ty,
                strokeColor=TARGET,
                strokeWidth=1.5,
                strokeDashArray=[4, 3],
            )
        )
        drawing.add(
            String(
                left + plot_w,
                ty + 3,
                spec.target_label,
                fontName=font,
                fontSize=7,
                fillColor=TARGET,
                textAnchor="end",
            )
        )
    return drawing


# ------------------------------------------------------------------ tables
def condensed(table: t.Table) -> tuple[list[str], list[list[str]]]:
    """Header and cell texts, each CI bound folded into its estimate's cell."""
    keep = [k for k, c in enumerate(table.columns) if not c.bound]
    header = [table.columns[k].title for k in keep]
    rows = []
    for values in table.rows:
        cells = []
        for k in keep:
            column = table.columns[k]
            text = t.display(values[k], column.fmt)
            bounds = [
                j
                for j in range(k + 1, min(k + 3, len(table.columns)))
                if table.columns[j].bound
            ]
            if (
                len(bounds) == 2
                and values[k] is not None
                and values[bounds[0]] is not None
            ):
                low = t.display(values[bounds[0]], column.fmt)
                high = t.display(values[bounds[1]], column.fmt)
                text = f"{text} ({low}–{high})"
            cells.append(text)
        rows.append(cells)
    return header, rows


#: Cells longer than this wrap (a Paragraph); shorter ones are plain strings,
#: which reportlab lays out many times faster.
WRAP_ABOVE = 16


def _cell(text: str, style: ParagraphStyle):
    return Paragraph(_escape(text), style) if len(text) > WRAP_ABOVE else text


def _table(table: t.Table, font: str, styles: dict) -> list:
    header, rows = condensed(table)
    if not rows:
        return []
    cell = styles["cell"]
    data = [[Paragraph(_escape(h), styles["head"]) for h in header]]
    data += [[_cell(c, cell) for c in row] for row in rows]
    width = (PAGE[0] - 30 * mm) / len(header)
    flowable = LongTable(data, repeatRows=1, colWidths=[width] * len(header))
    flowable.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 7),
                ("LEADING", (0, 0), (-1, -1), 9),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER),
                ("GRID", (0, 0), (-1, -1), 0.25, GRID),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return [Paragraph(_escape(table.title), styles["h2"]), flowable, Spacer(1, 4 * mm)]


# ------------------------------------------------------------------ document
def _styles(font: str) -> dict:
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=18, leading=24),
        "h2": ParagraphStyle(
            "h2", fontName=font, fontSize=12, leading=16, spaceBefore=6, spaceAfter=4
        ),
        "body": ParagraphStyle("body", fontName=font, fontSize=9, leading=13),
        "head": ParagraphStyle("head", fontName=font, fontSize=7, leading=9),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=7, leading=9),
    }


def _all_text(overview, tables, charts, provenance, extra: Iterable[str]) -> str:
    parts = list(words(overview.language).values()) + list(extra)
    for table in tables:
        parts.append(table.title)
        parts.extend(c.title for c in table.columns)
        parts.extend(str(v) for row in table.rows for v in row if isinstance(v, str))
    for spec in (s for group in charts.values() for s in group):
        parts.extend([spec.title, spec.unit, spec.target_label])
        parts.extend(b.label for b in spec.bars)
    parts.extend(f"{k} {v}" for k, v in provenance)
    return "".join(parts)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_pdf(
    overview: WaveOverview,
    out: BinaryIO,
    progress: Callable[[int], None] = lambda _p: None,
    requested_by: str = "",
) -> None:
    """Write the PDF report of ``overview`` to ``out``."""
    w = words(overview.language)
    tables = t.overview_tables(overview)
    charts = overview_charts(overview)
    provenance = provenance_rows(overview)
    generated = f"{w['generated']}: {timezone.now():%Y-%m-%d %H:%M} UTC"
    byline = f"{w['requested_by']}: {requested_by}" if requested_by else ""
    title = f"{w['report_title']} · {overview.wave_name}"
    font = report_font(
        _all_text(overview, tables, charts, provenance, [title, generated, byline])
    )
    progress(20)
    styles = _styles(font)
    status = w["published"] if overview.published else w["unpublished"]
    story: list = [
        Paragraph(_escape(title), styles["title"]),
        Paragraph(_escape(f"{generated} · {byline} · {status}"), styles["body"]),
        Paragraph(_escape(w["unit_note"]), styles["body"]),
        Spacer(1, 4 * mm),
    ]
    by_key = {table.key: table for table in tables}
    story += _table(by_key["headlines"], font, styles)
    story += [d for s in charts["headlines"] for d in bar_drawings(s, font)]
    story += _table(by_key["sectors"], font, styles)
    story += [d for s in charts["sectors"] for d in bar_drawings(s, font)]
    progress(40)
    story.append(Paragraph(_escape(w["trend"]), styles["h2"]))
    story += [KeepTogether([line_drawing(s, font)]) for s in charts["trends"]]
    for key, chart_key in (("districts", "districts"), ("channels", "channels")):
        story += _table(by_key[key], font, styles)
        story += [d for s in charts[chart_key] for d in bar_drawings(s, font)]
    story += _table(by_key["grid"], font, styles)
    story += _table(by_key["dimensions"], font, styles)
    story += [d for s in charts["dimensions"] for d in bar_drawings(s, font)]
    story += _table(by_key["service_points"], font, styles)
    story += [d for s in charts["points"] for d in bar_drawings(s, font)]
    story += _table(by_key["drivers"], font, styles)
    story += [d for s in charts["drivers"] for d in bar_drawings(s, font)]
    story += _table(by_key["reliability"], font, styles)
    story += _table(by_key["quality"], font, styles)
    progress(60)
    story += [PageBreak(), Paragraph(_escape(w["methodology"]), styles["h2"])]
    for label, text in provenance:
        story.append(Paragraph(f"{_escape(label)}: {_escape(text)}", styles["body"]))
    document = SimpleDocTemplate(
        out,
        pagesize=PAGE,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
        author="Jiaxing public-service satisfaction platform",
    )
    document.build(story)
    progress(95)
