"""The PDF's district x sector grid is shaded by verdict as the dashboard is:
the same colours, symbols, words and key."""

from collections import Counter

import pytest
from PIL import Image
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Table

from analysis.dashboard.labels import words
from analysis.dashboard.overview import VERDICT_SHADES, VERDICT_SYMBOLS
from analysis.dashboard.selectors import wave_overview
from analysis.reports import pdf
from tests.analysis.contrast import contrast_ratio
from tests.analysis.reports.conftest import generated_report, rendered_pages

pytestmark = pytest.mark.django_db

FONT = "Helvetica"  # the layout does not depend on the font


def _hex(colour) -> str:
    return "#" + colour.hexval()[2:]


def _backgrounds(table: Table) -> dict[tuple[int, int], str]:
    """Each single cell's BACKGROUND in the table's style, by (column, row)."""
    return {
        start: _hex(colour)
        for _op, start, stop, colour in table._bkgrndcmds
        if start == stop
    }


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_each_pdf_grid_cell_is_shaded_by_its_verdict_with_symbol_and_words(
    computed_wave, language
):
    overview = wave_overview(computed_wave, language=language, unpublished=True)
    w = words(language)
    flowables = pdf.grid_flowables(overview, FONT, pdf._styles(FONT))
    grid = next(f for f in flowables if isinstance(f, LongTable))
    backgrounds = _backgrounds(grid)
    shades = set()
    for r, row in enumerate(overview.grid.rows, start=1):
        for c, cell in enumerate(row.cells, start=1):
            if cell is None:
                assert (c, r) not in backgrounds
                continue
            shade = VERDICT_SHADES[cell.verdict or "none"]
            assert backgrounds[(c, r)] == shade.background, cell.domain
            paragraph = grid._cellvalues[r][c]
            said = cell.verdict_label or w["no_verdict"]
            assert f"{VERDICT_SYMBOLS[cell.verdict]} {said}" in paragraph.text
            assert paragraph.text.startswith(f"{cell.estimate:.1f}")
            text = _hex(paragraph.style.textColor)
            assert text == shade.text
            assert contrast_ratio(backgrounds[(c, r)], text) >= 9
            shades.add(cell.verdict or "none")
    assert len(shades) >= 2  # the fixture's cells differ, so the test can fail

    key = next(f for f in flowables if isinstance(f, Table) and f is not grid)
    assert [_hex(c) for *_, c in key._bkgrndcmds] == [
        s.background for s in VERDICT_SHADES.values()
    ]
    meanings = [row[1].text for row in key._cellvalues]
    assert meanings == [
        w[f"legend_{shade}"] for shade in ("met", "not_met", "not_distinguishable")
    ] + [w["legend_none"]]


def test_the_rendered_pdf_shows_the_grid_shades_of_the_waves_verdicts(
    computed_wave, django_capture_on_commit_callbacks, tmp_path
):
    report = generated_report(
        computed_wave, "pdf", "zh-hans", django_capture_on_commit_callbacks
    )
    pixels: Counter = Counter()
    for page in rendered_pages(report.file.path, tmp_path):
        image = Image.open(page).convert("RGB")
        pixels.update({colour: n for n, colour in image.getcolors(1_000_000)})
    overview = wave_overview(computed_wave, language="zh-hans", unpublished=True)
    verdicts = {
        cell.verdict or "none"
        for row in overview.grid.rows
        for cell in row.cells
        if cell is not None
    }
    # the key shows every shade in a small swatch (about 100 pixels at 40 dpi);
    # a grid cell, two lines high across its sector's column, is far larger
    column = (pdf.PAGE[0] - 60 * mm) / len(overview.grid.sectors)
    cell_pixels = (column / 72 * 40) * (18 / 72 * 40)
    for shade in verdicts:
        background = VERDICT_SHADES[shade].background
        rgb = tuple(int(background[k : k + 2], 16) for k in (1, 3, 5))
        assert pixels[rgb] > 0.8 * cell_pixels, shade
