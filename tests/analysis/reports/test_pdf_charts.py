"""The PDF's charts (no database): long bar charts of a sector's service
points, and the importance-performance matrix."""

import io
import subprocess

import pytest
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate

from analysis.dashboard.charts import (
    Bar,
    ChartSpec,
    QuadrantPoint,
    QuadrantSpec,
    quadrant_layout,
)
from analysis.dashboard.labels import words
from analysis.dashboard.overview import dimension_label
from analysis.reports.fonts import report_font
from analysis.reports.pdf_charts import bar_drawings, quadrant_drawing


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


def _matrix(labels: tuple[str, str, str, str], names: list[str]) -> QuadrantSpec:
    return QuadrantSpec(
        title="Matrix",
        x_unit="per cent of R² (%)",
        y_unit="index points (0–100)",
        points=[
            QuadrantPoint(names[0], 40.0, 72.5),
            QuadrantPoint(names[1], 25.0, 90.0),
            QuadrantPoint(names[2], 5.0, 55.0),  # below the axis: on its edge
        ],
        x_cut=100 / 3,
        y_cut=72.5,
        quadrant_labels=labels,
        x_upper=50.0,
        y_lower=60.0,
        y_upper=100.0,
    )


def test_the_matrix_layout_places_points_and_cut_lines_at_their_values():
    spec = _matrix(("I", "S", "M", "O"), ["a", "b", "c"])
    layout = quadrant_layout(spec)
    assert layout.cut_x == pytest.approx((100 / 3) / 50.0)
    assert layout.cut_y == pytest.approx((72.5 - 60.0) / 40.0)
    assert [(p.label, p.x, p.y) for p in layout.points] == [
        ("a", pytest.approx(0.8), pytest.approx(0.3125)),
        ("b", pytest.approx(0.5), pytest.approx(0.75)),
        ("c", pytest.approx(0.1), 0.0),
    ]
    # a point at the mean sits on the line, on the side its quadrant counts it
    assert layout.points[0].y >= layout.cut_y


def _pdf_text(flowables, tmp_path) -> str:
    path = tmp_path / "matrix.pdf"
    document = SimpleDocTemplate(str(path), pagesize=landscape(A4))
    document.build(flowables)
    return subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_matrix_drawing_names_every_dimension_and_quadrant(
    language, settings, tmp_path
):
    settings.REPORT_FILES_ROOT = tmp_path / "reports"
    w = words(language)
    quadrants = ("improve", "strength", "maintain", "opportunity")
    labels = tuple(w[f"quadrant_{q}"] for q in quadrants)
    names = [dimension_label(d, language) for d in ("staff_attitude", "cost", "safety")]
    spec = _matrix(labels, names)
    font = report_font("".join([spec.title, spec.x_unit, spec.y_unit, *labels, *names]))
    text = _pdf_text([quadrant_drawing(spec, font)], tmp_path)
    flat = "".join(text.split())  # CJK text is extracted with spaces between glyphs
    for word in (*names, *labels, spec.title):
        assert "".join(word.split()) in flat, word


def test_labels_of_nearby_dimensions_are_moved_apart_not_drawn_over_each_other():
    from analysis.dashboard.charts import PlacedPoint, label_shifts

    em, line = (0.025, 0.045), 0.05
    close = [
        PlacedPoint("服务态度", 0.40, 0.60),
        PlacedPoint("服务效率", 0.41, 0.61),
        PlacedPoint("环境设施", 0.42, 0.60),
        PlacedPoint("far away", 0.90, 0.10),
    ]
    shifts = label_shifts(close, em=em, line=line)
    assert shifts[3] == 0  # nothing near it: beside its point
    centres = [
        p.y + shift * line for p, shift in zip(close[:3], shifts[:3], strict=True)
    ]
    gaps = [abs(a - b) for i, a in enumerate(centres) for b in centres[i + 1 :]]
    assert min(gaps) >= line - 1e-9  # the three overlapping labels now stack
    assert label_shifts(close, em=(0.0, 0.0), line=0.0) == [0, 0, 0, 0]
