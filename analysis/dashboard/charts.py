"""Server-rendered SVG charts: bars with CI whiskers and a target line, trends.

No JavaScript, no external resources, no ``style`` attributes (CSP-friendly):
presentation attributes only. Every chart carries ``<title>`` and ``<desc>``,
states its unit, and is shown beside a data table (the templates' job). The
PDF draws the same specs with reportlab (analysis.reports.pdf_charts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR = "#2e6b9e"
WHISKER = "#1b1b1b"
TARGET = "#b3261e"
GRID = "#d0d0d0"
TEXT = "#1b1b1b"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class ChartSpec:
    """What a chart shows, independent of how it is drawn."""

    title: str
    unit: str
    bars: list[Bar] = field(default_factory=list)
    target: float | None = None
    target_label: str = ""
    lower: float = 0.0
    upper: float = 100.0
    description: str = ""


def _scale(spec: ChartSpec, left: float, width: float):
    span = spec.upper - spec.lower or 1.0

    def x(value: float) -> float:
        clipped = min(max(value, spec.lower), spec.upper)
        return left + (clipped - spec.lower) / span * width

    return x


def _ticks(spec: ChartSpec, count: int = 5) -> list[float]:
    step = (spec.upper - spec.lower) / count
    return [spec.lower + k * step for k in range(count + 1)]


def _fmt(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.1f}"


def _head(chart_id: str, spec: ChartSpec, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}" '
        f'viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(spec.title)} ({escape(spec.unit)})'
        "</title>",
        f'<desc id="{chart_id}-desc">{escape(spec.description)}</desc>',
    ]


def bar_chart(chart_id: str, spec: ChartSpec) -> SafeString:
    """Horizontal bars with confidence-interval whiskers and a dashed target."""
    label_width, plot_width, row = 190, 380, 26
    width = label_width + plot_width + 60
    height = 40 + row * max(len(spec.bars), 1) + 30
    x = _scale(spec, label_width, plot_width)
    out = _head(chart_id, spec, width, height)
    bottom = 30 + row * len(spec.bars)
    for tick in _ticks(spec):
        out.append(
            f'<line x1="{x(tick):.1f}" y1="30" x2="{x(tick):.1f}" y2="{bottom}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{x(tick):.1f}" y="{bottom + 16}" font-size="11" '
            f'text-anchor="middle" fill="{TEXT}">{_fmt(tick)}</text>'
        )
    out.append(
        f'<text x="{label_width + plot_width / 2:.0f}" y="{height - 2}" '
        f'font-size="11" text-anchor="middle" fill="{TEXT}">'
        f"{escape(spec.unit)}</text>"
    )
    for k, bar in enumerate(spec.bars):
        top = 30 + k * row
        out.append(
            f'<text x="{label_width - 6}" y="{top + 17}" font-size="12" '
            f'text-anchor="end" fill="{TEXT}">{escape(bar.label)}</text>'
        )
        if bar.value is None:
            continue
        out.append(
            f'<rect x="{x(spec.lower):.1f}" y="{top + 5}" '
            f'width="{x(bar.value) - x(spec.lower):.1f}" height="{row - 10}" '
            f'fill="{BAR}"/>'
        )
        if bar.low is not None and bar.high is not None:
            mid = top + row / 2
            out.append(
                f'<path d="M{x(bar.low):.1f} {mid}H{x(bar.high):.1f}'
                f"M{x(bar.low):.1f} {mid - 6}V{mid + 6}"
                f'M{x(bar.high):.1f} {mid - 6}V{mid + 6}" stroke="{WHISKER}" '
                'stroke-width="1.5" fill="none"/>'
            )
        out.append(
            f'<text x="{x(spec.upper) + 6:.1f}" y="{top + 17}" font-size="12" '
            f'fill="{TEXT}">{_fmt(bar.value)}</text>'
        )
    out.extend(
        _target_line(spec, x(spec.target) if spec.target is not None else 0, bottom)
    )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text node is escaped


def _target_line(spec: ChartSpec, position: float, bottom: float) -> list[str]:
    if spec.target is None:
        return []
    return [
        f'<line x1="{position:.1f}" y1="22" x2="{position:.1f}" y2="{bottom}" '
        f'stroke="{TARGET}" stroke-width="2" stroke-dasharray="6 4"/>',
        f'<text x="{position:.1f}" y="16" font-size="11" text-anchor="middle" '
        f'fill="{TARGET}">{escape(spec.target_label)}</text>',
    ]


def line_chart(chart_id: str, spec: ChartSpec) -> SafeString:
    """Estimates over waves (``bars`` in time order) with CI band and target."""
    left, plot_width, plot_height = 50, 520, 180
    width, height = left + plot_width + 30, plot_height + 80
    count = max(len(spec.bars), 1)
    step = plot_width / max(count - 1, 1)
    span = spec.upper - spec.lower or 1.0

    def y(value: float) -> float:
        clipped = min(max(value, spec.lower), spec.upper)
        return 30 + plot_height - (clipped - spec.lower) / span * plot_height

    def x(k: int) -> float:
        return left + (k * step if count > 1 else plot_width / 2)

    out = _head(chart_id, spec, width, height)
    for tick in _ticks(spec):
        out.append(
            f'<line x1="{left}" y1="{y(tick):.1f}" x2="{left + plot_width}" '
            f'y2="{y(tick):.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" font-size="11" '
            f'text-anchor="end" fill="{TEXT}">{_fmt(tick)}</text>'
        )
    out.append(
        f'<text x="12" y="{30 + plot_height / 2:.0f}" font-size="11" fill="{TEXT}" '
        f'transform="rotate(-90 12 {30 + plot_height / 2:.0f})" '
        f'text-anchor="middle">{escape(spec.unit)}</text>'
    )
    points = [(k, b) for k, b in enumerate(spec.bars) if b.value is not None]
    for k, bar in points:
        if bar.low is not None and bar.high is not None:
            out.append(
                f'<line x1="{x(k):.1f}" y1="{y(bar.low):.1f}" x2="{x(k):.1f}" '
                f'y2="{y(bar.high):.1f}" stroke="{WHISKER}" stroke-width="1.5"/>'
            )
    if points:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{x(k):.1f} {y(b.value):.1f}"
            for i, (k, b) in enumerate(points)
        )
        out.append(f'<path d="{path}" stroke="{BAR}" stroke-width="2" fill="none"/>')
    for k, bar in points:
        out.append(
            f'<circle cx="{x(k):.1f}" cy="{y(bar.value):.1f}" r="4" fill="{BAR}"/>'
        )
    for k, bar in enumerate(spec.bars):
        out.append(
            f'<text x="{x(k):.1f}" y="{30 + plot_height + 18}" font-size="11" '
            f'text-anchor="middle" fill="{TEXT}">{escape(bar.label)}</text>'
        )
    if spec.target is not None:
        ty = y(spec.target)
        out.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{left + plot_width}" y2="{ty:.1f}" '
            f'stroke="{TARGET}" stroke-width="2" stroke-dasharray="6 4"/>'
            f'<text x="{left + plot_width}" y="{ty - 5:.1f}" font-size="11" '
            f'text-anchor="end" fill="{TARGET}">{escape(spec.target_label)}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text node is escaped


@dataclass(frozen=True)
class QuadrantPoint:
    label: str
    importance: float  # x, in the spec's x unit
    performance: float  # y, 0-100


@dataclass(frozen=True)
class QuadrantSpec:
    """The importance-performance matrix: points and the axes' crossing."""

    title: str
    x_unit: str
    y_unit: str
    points: list[QuadrantPoint]
    x_cut: float
    y_cut: float
    quadrant_labels: tuple[str, str, str, str]  # improve, strength, maintain, opp.
    description: str = ""
    x_upper: float = 100.0
    y_lower: float = 0.0
    y_upper: float = 100.0


@dataclass(frozen=True)
class PlacedPoint:
    """A matrix point as fractions of the plot's width and height, measured
    from its bottom-left corner."""

    label: str
    x: float
    y: float
    # Lines the label is moved up (negative: down) so it overlaps no other.
    label_shift: int = 0


@dataclass(frozen=True)
class QuadrantLayout:
    """Where the cut lines and the points of a matrix sit in its plot."""

    cut_x: float
    cut_y: float
    points: list[PlacedPoint]


def _fraction(value: float, lower: float, upper: float) -> float:
    clipped = min(max(value, lower), upper)
    return (clipped - lower) / (upper - lower or 1.0)


def _ems(text: str) -> float:
    """A label's width in ems: a Chinese character is one, Latin about half."""
    return sum(1.0 if ord(ch) >= 0x2E80 else 0.55 for ch in text)


SHIFTS = (0, 1, -1, 2, -2, 3, -3)


def label_shifts(
    points: Sequence[PlacedPoint], *, em: tuple[float, float], line: float
) -> list[int]:
    """For each point, the lines its label moves (up positive) so that no
    two labels overlap: placed greedily from the top of the plot down, each
    takes the nearest free line beside its point (or stays put when none is
    free). ``em`` is a font size as fractions of the plot's (width, height),
    ``line`` a line's height as a fraction of the plot's height."""
    placed: list[tuple[float, float, float]] = []  # left, right, centre y
    shifts = [0] * len(points)
    for i in sorted(range(len(points)), key=lambda i: -points[i].y):
        point = points[i]
        left = point.x + em[0] * 0.6
        right = left + _ems(point.label) * em[0]
        for shift in SHIFTS:
            centre = point.y + em[1] * 0.6 + shift * line
            clear = all(
                right <= a or left >= b or abs(centre - c) >= line for a, b, c in placed
            )
            if clear:
                shifts[i] = shift
                placed.append((left, right, centre))
                break
    return shifts


def quadrant_layout(
    spec: QuadrantSpec, *, em: tuple[float, float] = (0.0, 0.0), line: float = 0.0
) -> QuadrantLayout:
    """The matrix in plot fractions (values outside the axes sit on the edge),
    with the labels moved apart where they would overlap (``em`` and
    ``line`` as :func:`label_shifts` takes them, for the renderer's font;
    without them, only the places of points and lines).

    The dashboard's SVG and the PDF both draw from this, so the two place
    every point and line alike; each only scales it to its own page.
    """

    def across(value: float) -> float:
        return _fraction(value, 0.0, spec.x_upper)

    def up(value: float) -> float:
        return _fraction(value, spec.y_lower, spec.y_upper)

    points = [
        PlacedPoint(p.label, across(p.importance), up(p.performance))
        for p in spec.points
    ]
    shifts = label_shifts(points, em=em, line=line)
    return QuadrantLayout(
        cut_x=across(spec.x_cut),
        cut_y=up(spec.y_cut),
        points=[
            PlacedPoint(p.label, p.x, p.y, shift)
            for p, shift in zip(points, shifts, strict=True)
        ],
    )


def quadrant_chart(chart_id: str, spec: QuadrantSpec) -> SafeString:
    """Dimensions placed by importance (x) and score (y), dashed cut lines."""
    left, top, plot_w, plot_h = 60, 30, 460, 260
    width, height = left + plot_w + 30, top + plot_h + 50
    bottom = top + plot_h
    font, line = 11, 13
    layout = quadrant_layout(
        spec, em=(font / plot_w, font / plot_h), line=line / plot_h
    )
    head = ChartSpec(
        spec.title, f"{spec.x_unit}; {spec.y_unit}", description=spec.description
    )
    out = _head(chart_id, head, width, height)
    out.append(
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" '
        f'fill="none" stroke="{GRID}"/>'
    )
    cx, cy = left + layout.cut_x * plot_w, bottom - layout.cut_y * plot_h
    out.append(
        f'<path d="M{cx:.1f} {top}V{bottom}M{left} {cy:.1f}H{left + plot_w}" '
        f'stroke="{TARGET}" stroke-width="1.5" stroke-dasharray="6 4" fill="none"/>'
    )
    improve, strength, maintain, opportunity = spec.quadrant_labels
    corners = (
        (left + plot_w - 4, bottom - 6, "end", improve),
        (left + plot_w - 4, top + 14, "end", strength),
        (left + 4, top + 14, "start", maintain),
        (left + 4, bottom - 6, "start", opportunity),
    )
    for tx, ty, anchor, text in corners:
        out.append(
            f'<text x="{tx}" y="{ty}" font-size="11" text-anchor="{anchor}" '
            f'fill="{TEXT}" opacity="0.7">{escape(text)}</text>'
        )
    for point in layout.points:
        px, py = left + point.x * plot_w, bottom - point.y * plot_h
        out.append(
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="5" fill="{BAR}"/>'
            f'<text x="{px + 7:.1f}" y="{py - 6 - point.label_shift * line:.1f}" '
            f'font-size="{font}" '
            f'fill="{TEXT}">{escape(point.label)}</text>'
        )
    out.append(
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 8}" font-size="11" '
        f'text-anchor="middle" fill="{TEXT}">{escape(spec.x_unit)}</text>'
        f'<text x="14" y="{top + plot_h / 2:.0f}" font-size="11" fill="{TEXT}" '
        f'transform="rotate(-90 14 {top + plot_h / 2:.0f})" '
        f'text-anchor="middle">{escape(spec.y_unit)}</text>'
    )
    for value, ty in ((spec.y_lower, bottom), (spec.y_upper, top)):
        out.append(
            f'<text x="{left - 6}" y="{ty + 4:.1f}" font-size="11" '
            f'text-anchor="end" fill="{TEXT}">{_fmt(value)}</text>'
        )
    for value, tx in ((0.0, left), (spec.x_upper, left + plot_w)):
        out.append(
            f'<text x="{tx:.1f}" y="{bottom + 16}" font-size="11" '
            f'text-anchor="middle" fill="{TEXT}">{_fmt(value)}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text node is escaped
