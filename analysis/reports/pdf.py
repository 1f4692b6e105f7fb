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
    TableStyle,
)

from analysis.dashboard.figures import overview_charts, quadrant_specs
from analysis.dashboard.labels import words
from analysis.dashboard.overview import WaveOverview
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
            [title, generated, byline],
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
    story += _table(by_key["grid"], font, styles)
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
