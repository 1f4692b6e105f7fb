"""What the dashboard and the reports show for one wave: the shapes of a
wave overview (estimates labelled in a language, sector panels, service-point
rows, the district x sector grid) and the words of verdicts and quadrants.

Built by :mod:`analysis.dashboard.selectors`; rendered by the dashboard page
and by every report (:mod:`analysis.reports`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import translation

from analysis.dashboard.labels import words
from analysis.models import IndexRun, Wave
from core.i18n import localized_value
from surveys.models.choices import Dimension

VERDICT_WORDS = {
    "zh": {
        "met": "达到目标",
        "not_met": "未达到目标",
        "not_distinguishable": "与目标无显著差异",
        "no data": "无数据",
        "": "无目标",
    },
    "en": {
        "met": "Target met",
        "not_met": "Target not met",
        "not_distinguishable": "Not distinguishable from the target",
        "no data": "No data",
        "": "No target",
    },
}
#: Beside the words and the shading of a verdict, so colour is never the only cue.
#: "×", not "✗": the PDF's embedded font (Noto Sans CJK) has no U+2717.
VERDICT_SYMBOLS = {
    "met": "✓",
    "not_met": "×",
    "not_distinguishable": "≈",
    "": "–",  # no verdict: the cell has no interval
}


@dataclass(frozen=True)
class Shade:
    """A grid cell's background and the text colour that reads on it."""

    background: str
    text: str


#: The one definition of the grid's shading by verdict (keyed by shade name:
#: the verdict, "none" for no verdict). The PDF draws these colours;
#: static/css/dashboard.css states the same ones as ``.heat-<shade>`` classes
#: (a stylesheet, for the CSP), and a test holds the two equal and checks each
#: text colour's contrast on its background.
VERDICT_SHADES = {
    "met": Shade("#cfe9d6", "#0c3b1a"),  # green
    "not_met": Shade("#f6d2cd", "#5e120d"),  # red
    "not_distinguishable": Shade("#fbe9b7", "#3f3100"),  # amber
    "none": Shade("#e6e9ec", "#1b1b1b"),  # grey
}


def shade_name(verdict: str) -> str:
    """The shade of a verdict: the CSS class suffix and the key of
    :data:`VERDICT_SHADES` (a cell without a verdict is "none"; the
    settlement statistics say "not met" where the indexes say "not_met")."""
    return (verdict or "none").replace(" ", "_")


QUADRANT_WORDS = {
    "zh": {
        "improve": "修补区（重要、表现低于平均）",
        "strength": "优势区（重要、表现高于平均）",
        "maintain": "维持区（次要、表现高于平均）",
        "opportunity": "机会区（次要、表现低于平均）",
    },
    "en": {
        "improve": "Improve (important, below average)",
        "strength": "Strength (important, above average)",
        "maintain": "Maintain (less important, above average)",
        "opportunity": "Opportunity (less important, below average)",
    },
}
RESULT_FIELDS = (
    "kind",
    "dimension",
    "domain_type",
    "domain",
    "domain_name",
    "domain_name_en",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "n",
    "deff",
    "df",
    "target",
    "verdict",
    "p_value",
    "details",
)


def dimension_label(code: str, language: str) -> str:
    """A dimension's name in ``language`` (its code when it is not a known
    dimension); reports are written in the language asked for, whatever the
    request's."""
    if code not in Dimension.values:
        return code
    with translation.override("en" if language.startswith("en") else "zh-hans"):
        return str(Dimension(code).label)


def language_key(language: str) -> str:
    return "en" if language.startswith("en") else "zh"


def verdict_words(verdict: str, language: str) -> str:
    words = VERDICT_WORDS[language_key(language)]
    return words.get(
        verdict.replace(" ", "_") if verdict != "no data" else verdict, words[""]
    )


@dataclass(frozen=True)
class LegendEntry:
    """One verdict of the district x sector grid's key: the CSS class suffix
    of its shading, its symbol and what it means."""

    shade: str
    symbol: str
    meaning: str


def grid_legend(language: str) -> list[LegendEntry]:
    """The key to the grid's shading, in ``language``."""
    w = words(language)
    return [
        LegendEntry(shade_name(verdict), symbol, w[f"legend_{shade_name(verdict)}"])
        for verdict, symbol in VERDICT_SYMBOLS.items()
    ]


@dataclass(frozen=True)
class Estimate:
    """One stored estimate, labelled in the report's language."""

    kind: str
    domain_type: str
    domain: str
    name: str
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    deff: float | None = None
    df: float | None = None
    target: float | None = None
    verdict: str = ""
    verdict_label: str = ""
    p_value: float | None = None
    dimension: str = ""
    details: dict = field(default_factory=dict, compare=False, hash=False)
    dimension_label: str = ""  # the dimension's name in the overview's language

    @property
    def effective_n(self) -> float | None:
        """Responses divided by the design effect (Kish's effective size)."""
        if not self.deff or self.n is None:
            return None
        return self.n / self.deff


@dataclass(frozen=True)
class Change:
    previous: float
    change: float
    ci_low: float
    ci_high: float
    p_value: float


@dataclass(frozen=True)
class TrendPoint:
    wave: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class Driver:
    """A dimension's importance for overall satisfaction and its quadrant."""

    importance: Estimate  # share of the overall rating's variance (0-1), CI
    share: float  # importance / R², the shares sum to one
    r2: float
    performance: float | None  # the dimension score (0-100)
    quadrant: str
    quadrant_label: str


@dataclass
class SectorPanel:
    index: Estimate
    rate: Estimate | None
    change: Change | None
    dimensions: list[Estimate]
    trend: list[TrendPoint]
    drivers: list[Driver] = field(default_factory=list)
    alphas: list[Estimate] = field(default_factory=list)


@dataclass
class ServicePointRow:
    index: Estimate
    rate: Estimate | None
    sector: str
    region: str
    rank: int | None  # None: too few responses to rank
    shrunk: Estimate | None = None  # Fay-Herriot estimate with its RMSE-based CI
    rank_low: float | None = None
    rank_high: float | None = None

    @property
    def ranked(self) -> bool:
        return self.rank is not None


@dataclass(frozen=True)
class Settlement:
    counted: int
    settled: int
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    target: float
    verdict: str
    verdict_label: str


@dataclass
class GridRow:
    """One district's cells of the district x sector grid (aligned with the
    grid's sectors; None where the district has no respondents there)."""

    region: str
    name: str
    cells: list[Estimate | None]


@dataclass
class Grid:
    sectors: list[tuple[str, str]]  # code, name
    rows: list[GridRow]


@dataclass
class WaveOverview:
    """Everything the dashboard and the reports show for one wave."""

    wave: Wave
    run: IndexRun
    language: str
    published: bool
    headlines: list[SectorPanel]
    sectors: list[SectorPanel]
    regions: list[tuple[Estimate, Estimate | None]]
    channels: list[tuple[Estimate, Estimate | None]]
    service_points: list[ServicePointRow]
    settlement: Settlement | None
    quality: dict = field(default_factory=dict)
    previous_wave: Wave | None = None
    grid: Grid | None = None

    @property
    def wave_name(self) -> str:
        return str(localized_value(self.wave, "name", self.language))
