"""The PDF report's charts: reportlab Drawings of the same specs the dashboard
draws as SVG (:mod:`analysis.dashboard.charts`), so both carry the same
titles, units, target lines and, for the importance-performance matrix, the
same point and cut-line placement (:func:`quadrant_layout`).
"""

from __future__ import annotations

from dataclasses import replace

from reportlab.graphics.shapes import (
    Circle,
    Drawing,
    Group,
    Line,
    PolyLine,
    Rect,
    String,
)
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether

from analysis.dashboard import charts
from analysis.dashboard.charts import ChartSpec, QuadrantSpec, quadrant_layout

BAR = colors.HexColor(charts.BAR)
TARGET = colors.HexColor(charts.TARGET)
GRID = colors.HexColor(charts.GRID)
#: Quadrant names: quieter than the data, still 7:1 on white.
MUTED = colors.HexColor("#4a4a4a")


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


def quadrant_drawing(spec: QuadrantSpec, font: str) -> Drawing:
    """The importance-performance matrix: each dimension placed by its share
    of R² (across) and its score (up), dashed lines where the stored
    quadrants were cut, the four quadrants named in their corners."""
    left, base, plot_w, plot_h = 50, 34, 460, 240
    drawing = Drawing(left + plot_w + 90, base + plot_h + 30)
    top, right = base + plot_h, left + plot_w
    size, line = 7, 9
    em = (size / plot_w, size / plot_h)
    layout = quadrant_layout(spec, em=em, line=line / plot_h)
    drawing.add(
        String(
            0,
            top + 18,
            f"{spec.title} ({spec.x_unit}; {spec.y_unit})",
            fontName=font,
            fontSize=9,
        )
    )
    drawing.add(Rect(left, base, plot_w, plot_h, fillColor=None, strokeColor=GRID))
    cx, cy = left + layout.cut_x * plot_w, base + layout.cut_y * plot_h
    for x1, y1, x2, y2 in ((cx, base, cx, top), (left, cy, right, cy)):
        drawing.add(
            Line(
                x1,
                y1,
                x2,
                y2,
                strokeColor=TARGET,
                strokeWidth=1.2,
                strokeDashArray=[4, 3],
            )
        )
    improve, strength, maintain, opportunity = spec.quadrant_labels
    for x, y, anchor, text in (
        (right - 4, base + 5, "end", improve),
        (right - 4, top - 11, "end", strength),
        (left + 4, top - 11, "start", maintain),
        (left + 4, base + 5, "start", opportunity),
    ):
        drawing.add(
            String(
                x,
                y,
                text,
                fontName=font,
                fontSize=8,
                fillColor=MUTED,
                textAnchor=anchor,
            )
        )
    for point in layout.points:
        px, py = left + point.x * plot_w, base + point.y * plot_h
        drawing.add(Circle(px, py, 3, fillColor=BAR, strokeColor=BAR))
        # a white ground keeps a label legible where it crosses a cut line
        width = stringWidth(point.label, font, size)
        ly = py + point.label_shift * line
        drawing.add(
            Rect(px + 4, ly + 2, width + 2, 9, fillColor=colors.white, strokeColor=None)
        )
        drawing.add(String(px + 5, ly + 4, point.label, fontName=font, fontSize=size))
    for value, y in ((spec.y_lower, base), (spec.y_upper, top)):
        drawing.add(
            String(
                left - 4,
                y - 3,
                f"{value:g}",
                fontName=font,
                fontSize=7,
                textAnchor="end",
            )
        )
    for value, x in ((0.0, left), (spec.x_upper, right)):
        drawing.add(
            String(
                x,
                base - 10,
                f"{value:g}",
                fontName=font,
                fontSize=7,
                textAnchor="middle",
            )
        )
    drawing.add(
        String(
            left + plot_w / 2,
            base - 24,
            spec.x_unit,
            fontName=font,
            fontSize=7,
            textAnchor="middle",
        )
    )
    y_unit = Group(
        String(0, 0, spec.y_unit, fontName=font, fontSize=7, textAnchor="middle")
    )
    y_unit.translate(left - 30, base + plot_h / 2)
    y_unit.rotate(90)
    drawing.add(y_unit)
    return drawing
