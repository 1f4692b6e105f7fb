"""Long bar charts in the PDF (no database): a sector's service points."""

import io

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate

from analysis.dashboard.charts import Bar, ChartSpec
from analysis.reports.pdf import bar_drawings


def _build(flowables) -> None:
    document = SimpleDocTemplate(
        io.BytesIO(),
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    document.build(flowables)


def test_a_chart_of_seventy_service_points_is_drawn_in_parts_that_fit_a_page():
    spec = ChartSpec(
        title="Ranking",
        unit="points",
        bars=[Bar(f"point {k}", 70.0 + k / 10, 65.0, 75.0) for k in range(70)],
        target=80.0,
        target_label="target 80",
    )
    parts = bar_drawings(spec, "Helvetica")
    assert len(parts) == 3
    drawings = [part._content[0] for part in parts]
    assert [
        len([c for c in d.contents if c.__class__.__name__ == "Rect"]) for d in drawings
    ] == [26, 26, 18]
    _build(parts)  # reportlab raises LayoutError for a drawing taller than the frame
    texts = [s.text for d in drawings for s in d.contents if hasattr(s, "text")]
    assert "Ranking 1/3 (points)" in texts and "Ranking 3/3 (points)" in texts
    assert sum(t == "target 80" for t in texts) == 3


def test_a_short_chart_stays_one_drawing_with_its_title():
    spec = ChartSpec(title="Sectors", unit="points", bars=[Bar("a", 80.0)])
    (part,) = bar_drawings(spec, "Helvetica")
    texts = [s.text for s in part._content[0].contents if hasattr(s, "text")]
    assert "Sectors (points)" in texts
