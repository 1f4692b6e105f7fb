"""The PDF report: headline verdicts, charts with target lines, tables and a
methodology appendix. Renders the overview's tables and chart specs; computes
nothing. Charts are reportlab Drawings (:mod:`analysis.reports.pdf_charts`) of
the same specs the dashboard draws as SVG, so they carry the same titles,
units, targets and quadrant lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import BinaryIO

from django.utils import timezone
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
    Table,
    TableStyle,
)

from analysis.dashboard.figures import overview_charts, quadrant_specs
from analysis.dashboard.labels import words
from analysis.dashboard.overview import (
    VERDICT_SHADES,
    VERDICT_SYMBOLS,
    Estimate,
    WaveOverview,
    grid_legend,
    shade_name,
)
from analysis.reports import tables as t
from analysis.reports.fonts import report_font
from analysis.reports.pdf_charts import (
    GRID,
    bar_drawings,
    line_drawing,
    quadrant_drawing,
)
from analysis.reports.provenance import provenance_rows

PAGE = landscape(A4)
HEADER = colors.HexColor("#dde7f0")


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


def _table_style(font: str) -> list[tuple]:
    """Every table's look: small type, a shaded header row, hairline rules."""
    return [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 7),
        ("LEADING", (0, 0), (-1, -1), 9),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER),
        ("GRID", (0, 0), (-1, -1), 0.25, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]


def _table(table: t.Table, font: str, styles: dict) -> list:
    header, rows = condensed(table)
    if not rows:
        return []
    cell = styles["cell"]
    data = [[Paragraph(_escape(h), styles["head"]) for h in header]]
    data += [[_cell(c, cell) for c in row] for row in rows]
    width = (PAGE[0] - 30 * mm) / len(header)
    flowable = LongTable(data, repeatRows=1, colWidths=[width] * len(header))
    flowable.setStyle(TableStyle(_table_style(font)))
    return [Paragraph(_escape(table.title), styles["h2"]), flowable, Spacer(1, 4 * mm)]


# ------------------------------------------------------------------ grid
def _shaded(column: int, row: int, shade: str) -> tuple:
    background = colors.HexColor(VERDICT_SHADES[shade].background)
    return ("BACKGROUND", (column, row), (column, row), background)


def _shade_styles(styles: dict) -> dict[str, ParagraphStyle]:
    """A cell style per shade: its text colour, the one that reads on it."""
    return {
        name: ParagraphStyle(
            f"grid-{name}", parent=styles["cell"], textColor=colors.HexColor(s.text)
        )
        for name, s in VERDICT_SHADES.items()
    }


def _grid_cell(cell: Estimate, w: dict) -> str:
    """What a dashboard grid cell says: index (interval), symbol and words."""
    text = t.display(cell.estimate, t.POINTS)
    if cell.ci_low is not None:
        low, high = t.display(cell.ci_low, t.POINTS), t.display(cell.ci_high, t.POINTS)
        text += f" ({low}–{high})"
    symbol = VERDICT_SYMBOLS.get(cell.verdict, VERDICT_SYMBOLS[""])
    said = cell.verdict_label or w["no_verdict"]
    return f"{_escape(text)}<br/>{_escape(symbol)} {_escape(said)}"


def _grid_key(overview: WaveOverview, styles: dict, shade_styles: dict) -> Table:
    legend = grid_legend(overview.language)
    key = Table(
        [
            [
                Paragraph(_escape(entry.symbol), shade_styles[entry.shade]),
                Paragraph(_escape(entry.meaning), styles["cell"]),
            ]
            for entry in legend
        ],
        colWidths=[8 * mm, 140 * mm],
        hAlign="LEFT",
    )
    key.setStyle(
        TableStyle(
            [("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
            + [_shaded(0, k, entry.shade) for k, entry in enumerate(legend)]
        )
    )
    return key


def grid_flowables(overview: WaveOverview, font: str, styles: dict) -> list:
    """The district x sector grid as the dashboard shows it: a row per
    district, a column per sector, each cell shaded by its verdict (the
    dashboard's colours) and saying it in a symbol and words, under a key."""
    grid = overview.grid
    if grid is None or not grid.rows or not grid.sectors:
        return []
    w = words(overview.language)
    shade_styles = _shade_styles(styles)
    data = [
        [
            Paragraph(_escape(title), styles["head"])
            for title in [w["district"], *(name for _code, name in grid.sectors)]
        ]
    ]
    shading = []
    for r, row in enumerate(grid.rows, start=1):
        cells: list = [Paragraph(_escape(row.name), styles["cell"])]
        for c, cell in enumerate(row.cells, start=1):
            if cell is None:  # no respondents of the sector in the district
                cells.append("—")
                continue
            shade = shade_name(cell.verdict)
            style = shade_styles.get(shade, styles["cell"])
            cells.append(Paragraph(_grid_cell(cell, w), style))
            if shade in VERDICT_SHADES:
                shading.append(_shaded(c, r, shade))
        data.append(cells)
    first = 30 * mm
    width = (PAGE[0] - 30 * mm - first) / len(grid.sectors)
    table = LongTable(
        data, repeatRows=1, colWidths=[first] + [width] * len(grid.sectors)
    )
    table.setStyle(TableStyle(_table_style(font) + shading))
    return [
        Paragraph(_escape(w["grid"]), styles["h2"]),
        Paragraph(_escape(w["grid_legend"]), styles["body"]),
        _grid_key(overview, styles, shade_styles),
        Spacer(1, 2 * mm),
        table,
        Spacer(1, 4 * mm),
    ]


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


def _all_text(
    overview, tables, charts, matrices, provenance, extra: Iterable[str]
) -> str:
    parts = list(words(overview.language).values()) + list(extra)
    for table in tables:
        parts.append(table.title)
        parts.extend(c.title for c in table.columns)
        parts.extend(str(v) for row in table.rows for v in row if isinstance(v, str))
    for spec in (s for group in charts.values() for s in group):
        parts.extend([spec.title, spec.unit, spec.target_label])
        parts.extend(b.label for b in spec.bars)
    for matrix in matrices:
        parts.extend([matrix.title, matrix.x_unit, matrix.y_unit])
        parts.extend(matrix.quadrant_labels)
        parts.extend(p.label for p in matrix.points)
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
    matrices = quadrant_specs(overview)
    provenance = provenance_rows(overview)
    generated = f"{w['generated']}: {timezone.now():%Y-%m-%d %H:%M} UTC"
    byline = f"{w['requested_by']}: {requested_by}" if requested_by else ""
    title = f"{w['report_title']} · {overview.wave_name}"
    font = report_font(
        _all_text(
            overview,
            tables,
            charts,
            matrices,
            provenance,
            [title, generated, byline, *VERDICT_SYMBOLS.values()],
        )
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
    story += grid_flowables(overview, font, styles)
    story += _table(by_key["dimensions"], font, styles)
    story += [d for s in charts["dimensions"] for d in bar_drawings(s, font)]
    story += _table(by_key["service_points"], font, styles)
    story += [d for s in charts["points"] for d in bar_drawings(s, font)]
    story += _table(by_key["drivers"], font, styles)
    # per sector, as on the dashboard: importance with its interval, then the
    # matrix (both of the sectors with drivers, in the sectors' order)
    for bars, matrix in zip(charts["drivers"], matrices, strict=True):
        story += bar_drawings(bars, font)
        story.append(KeepTogether([quadrant_drawing(matrix, font)]))
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
