"""A font for the PDF that covers Chinese, embedded so any viewer shows it.

Debian's Noto Sans CJK is an OpenType font with PostScript (CFF) outlines,
which reportlab cannot embed; so the glyphs a report uses are subset from it
and converted to TrueType outlines (fontTools), then embedded. Without the
font file (or fontTools) reportlab's built-in ``STSong-Light`` CID font is
used: not embedded, so viewers must supply an Adobe-GB1 font themselves.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

logger = logging.getLogger(__name__)
logging.getLogger("fontTools").setLevel(logging.WARNING)  # subsetting chatter

NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
NOTO_CJK_SC_INDEX = 2  # JP, KR, SC, TC, HK in Debian's collection
FALLBACK_CID_FONT = "STSong-Light"
#: Always in the subset, so numbers and Latin text never change the charset.
BASE_CHARACTERS = "".join(chr(c) for c in range(0x20, 0x7F)) + "–—·：，。（）％"


def _maxp_for_truetype(font) -> None:
    from fontTools.ttLib import newTable

    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attribute in (
        "maxPoints",
        "maxContours",
        "maxCompositePoints",
        "maxCompositeContours",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
        "maxComponentDepth",
    ):
        setattr(maxp, attribute, 0)
    maxp.maxZones = 1
    font["maxp"] = maxp


def truetype_subset(
    characters: str, path: Path = NOTO_CJK, family: str = "ReportCJK"
) -> bytes:
    """The glyphs of ``characters`` from the Noto CJK SC face, as TrueType,
    named ``family`` (reportlab keeps faces by name: each subset needs its own).
    """
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont as FontToolsFont
    from fontTools.ttLib import newTable

    font = FontToolsFont(str(path), fontNumber=NOTO_CJK_SC_INDEX, lazy=True)
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters + " ")
    subsetter.subset(font)
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    _maxp_for_truetype(font)
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 2.0
    font["post"].extraNames = []
    font["post"].mapping = {}
    font.sfntVersion = "\x00\x01\x00\x00"
    for record_id in (1, 3, 4, 6):
        font["name"].setName(family, record_id, 3, 1, 0x409)
        font["name"].setName(family, record_id, 1, 0, 0)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _cache_path(name: str) -> Path:
    default = Path(settings.BASE_DIR) / "var" / "reports"
    root = Path(getattr(settings, "REPORT_FILES_ROOT", default))
    return root / "fonts" / f"{name}.ttf"


def _subset_bytes(characters: str, name: str) -> bytes:
    """The subset font, from the disk cache when an earlier report made it
    (reports of the same wave and language use the same characters)."""
    cached = _cache_path(name)
    if cached.exists():
        return cached.read_bytes()
    data = truetype_subset(characters, family=name)
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(data)
    partial.replace(cached)
    return data


@lru_cache(maxsize=16)
def _registered(characters: str) -> str:
    name = "ReportCJK-" + hashlib.sha1(characters.encode()).hexdigest()[:10]  # noqa: S324
    try:
        data = _subset_bytes(characters, name)
        pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
        return name
    except Exception as exc:  # any font trouble: fall back, still a report
        logger.warning("CJK font subset failed (%s); using %s", exc, FALLBACK_CID_FONT)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID_FONT))
    return FALLBACK_CID_FONT


def report_font(text: str) -> str:
    """Register, and name, a font that can draw every character of ``text``."""
    characters = "".join(sorted(set(text) | set(BASE_CHARACTERS)))
    return _registered(characters)
