"""Reads for the officials' dashboard and the reports: one wave's stored results.

Everything here reads :class:`~analysis.models.IndexResult` rows written by the
index pipeline and arranges them for display; the dashboard page, the Excel
workbook, the PDF and the CSV all render the same :class:`WaveOverview`, so
their numbers are the same. Two things are derived here rather than stored:
the change since the previous wave (:func:`analysis.stats.wave_change` on the
two waves' stored estimates and SEs) and the tourist-complaint settlement rate
of the wave's period (:func:`analysis.stats.settlement.settlement_rates_by`
on the complaint register, a complete count).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd
from django.utils import timezone

from analysis import selectors
from analysis.models import IndexResult, IndexRun, RunStatus, Wave
from analysis.stats import wave_change
from analysis.stats.settlement import settlement_rates_by
from core.i18n import localized_value
from surveys.models import ServicePoint

#: A service point with fewer responses is shown but not ranked.
MIN_RANKED_RESPONSES = 10
ROLLUP_ORDER = ("service_sector", "consumer_services", "producer_services")
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
)


def language_key(language: str) -> str:
    return "en" if language.startswith("en") else "zh"


def verdict_words(verdict: str, language: str) -> str:
    words = VERDICT_WORDS[language_key(language)]
    return words.get(
        verdict.replace(" ", "_") if verdict != "no data" else verdict, words[""]
    )


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


@dataclass
class SectorPanel:
    index: Estimate
    rate: Estimate | None
    change: Change | None
    dimensions: list[Estimate]
    trend: list[TrendPoint]


@dataclass
class ServicePointRow:
    index: Estimate
    rate: Estimate | None
    sector: str
    region: str
    rank: int | None  # None: too few responses to rank

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

    @property
    def wave_name(self) -> str:
        return str(localized_value(self.wave, "name", self.language))


# ------------------------------------------------------------------ loading
def _estimate(row: dict, language: str) -> Estimate:
    name = localized_value(row, "domain_name", language) or row["domain"]
    return Estimate(
        kind=row["kind"],
        domain_type=row["domain_type"],
        domain=row["domain"],
        name=name,
        estimate=row["estimate"],
        se=row["se"],
        ci_low=row["ci_low"],
        ci_high=row["ci_high"],
        n=row["n"],
        deff=row["deff"],
        df=row["df"],
        target=row["target"],
        verdict=row["verdict"],
        verdict_label=verdict_words(row["verdict"], language)
        if row["target"] is not None
        else "",
        p_value=row["p_value"],
        dimension=row["dimension"],
    )


def run_estimates(run: IndexRun, language: str) -> list[Estimate]:
    """All stored estimates of ``run`` (one query)."""
    rows = IndexResult.objects.filter(run=run).values(*RESULT_FIELDS)
    return [_estimate(row, language) for row in rows]


def _keyed(estimates: Iterable[Estimate]) -> dict[tuple, Estimate]:
    return {(e.kind, e.dimension, e.domain_type, e.domain): e for e in estimates}


def waves_with_results() -> list[Wave]:
    """Waves that have at least one successful run, oldest first."""
    ids = IndexRun.objects.filter(status=RunStatus.SUCCEEDED).values("wave_id")
    return list(Wave.objects.filter(pk__in=ids).order_by("period_start", "slug"))


def dashboard_run(wave: Wave, *, unpublished: bool) -> IndexRun | None:
    """The run to show: the current one for officials, else the published one."""
    if unpublished:
        return selectors.wave_current_run(wave)
    return wave.published_run


def _previous_waves(wave: Wave) -> list[Wave]:
    return [w for w in waves_with_results() if w.period_start < wave.period_start]


def _trend_runs(wave: Wave, unpublished: bool) -> list[tuple[Wave, IndexRun]]:
    runs = []
    for earlier in _previous_waves(wave):
        run = dashboard_run(earlier, unpublished=unpublished)
        if run is not None:
            runs.append((earlier, run))
    return runs


def _trend_table(
    runs: list[tuple[Wave, IndexRun]], language: str
) -> dict[tuple[str, str], list[TrendPoint]]:
    """Index per (domain type, domain) over waves: one query for all runs."""
    labels = {run.pk: str(localized_value(w, "name", language)) for w, run in runs}
    rows = (
        IndexResult.objects.filter(
            run__in=[run for _, run in runs],
            kind="index",
            domain_type__in=["rollup", "sector"],
        )
        .order_by("wave__period_start")
        .values("run_id", "domain_type", "domain", "estimate", "ci_low", "ci_high")
    )
    trend: dict[tuple[str, str], list[TrendPoint]] = {}
    for row in rows:
        trend.setdefault((row["domain_type"], row["domain"]), []).append(
            TrendPoint(
                labels[row["run_id"]], row["estimate"], row["ci_low"], row["ci_high"]
            )
        )
    return trend


def _changes(
    current: list[Estimate], previous: list[Estimate], confidence: float
) -> dict[tuple[str, str], Change]:
    """Wave-on-wave change of the roll-up and sector indexes (independent samples)."""

    def frame(estimates: list[Estimate]) -> pd.DataFrame:
        rows = [
            {
                "domain_type": e.domain_type,
                "domain": e.domain,
                "estimate": e.estimate,
                "se": e.se,
                "df": e.df,
            }
            for e in estimates
            if e.kind == "index"
            and e.domain_type in ("rollup", "sector")
            and e.estimate is not None
            and e.se
        ]
        return pd.DataFrame(
            rows, columns=["domain_type", "domain", "estimate", "se", "df"]
        )

    now, before = frame(current), frame(previous)
    if now.empty or before.empty:
        return {}
    table = wave_change(now, before, on=["domain_type", "domain"], level=confidence)
    return {
        (row.domain_type, row.domain): Change(
            previous=float(row.previous),
            change=float(row.change),
            ci_low=float(row.ci_low),
            ci_high=float(row.ci_high),
            p_value=float(row.p_value),
        )
        for row in table.itertuples(index=False)
    }


def wave_settlement(wave: Wave, language: str) -> Settlement | None:
    """Tourist complaints received in the wave's period: settlement vs 100%."""
    from complaints.selectors import complaints_frame

    start = timezone.make_aware(dt.datetime.combine(wave.period_start, dt.time()))
    end = timezone.make_aware(
        dt.datetime.combine(wave.period_end + dt.timedelta(days=1), dt.time())
    )
    frame = complaints_frame(received_from=start, received_to=end)
    if frame.empty:
        return None
    as_of = min(pd.Timestamp(timezone.now()), pd.Timestamp(end))
    overall = settlement_rates_by(frame, as_of=as_of, dimensions=())["overall"]
    row = overall.iloc[0]
    rate = None if pd.isna(row["settlement_rate"]) else float(row["settlement_rate"])
    return Settlement(
        counted=int(row["counted"]),
        settled=int(row["settled"]),
        rate=rate,
        ci_low=None if pd.isna(row["lower"]) else float(row["lower"]),
        ci_high=None if pd.isna(row["upper"]) else float(row["upper"]),
        target=float(row["target"]),
        verdict=str(row["verdict"]),
        verdict_label=verdict_words(str(row["verdict"]), language),
    )


# ------------------------------------------------------------------ quality
def wave_data_quality(wave: Wave, run: IndexRun) -> dict:
    """Responses, flags, exclusions and response rates per sector, and the
    run's weighting diagnostics (Kish effective sample size)."""
    from django.db.models import Count, Q

    from surveys.models import Invitation, Response, ResponseStatus

    per_sector = (
        Response.objects.filter(
            survey__in=wave.surveys.all(), status=ResponseStatus.SUBMITTED
        )
        .values("survey__sector__code")
        .annotate(
            submitted=Count("id"),
            excluded=Count("id", filter=Q(excluded=True)),
            flagged=Count("id", filter=~Q(flags=[])),
            invited=Count("id", filter=Q(invitation__isnull=False)),
        )
        .order_by("survey__sector__code")
    )
    invitations = dict(
        Invitation.objects.filter(survey__in=wave.surveys.all())
        .values("survey__sector__code")
        .annotate(n=Count("id"))
        .values_list("survey__sector__code", "n")
    )
    sectors = {}
    for row in per_sector:
        code = row["survey__sector__code"]
        sent = invitations.get(code, 0)
        sectors[code] = {
            "submitted": row["submitted"],
            "excluded": row["excluded"],
            "flagged": row["flagged"],
            "invitations": sent,
            "response_rate": row["invited"] / sent if sent else None,
        }
    diagnostics = run.diagnostics or {}
    provenance = (run.provenance or {}).get("weighting", {})
    return {
        "sectors": sectors,
        "respondents": diagnostics.get("respondents"),
        "kish_effective_n": diagnostics.get("kish_effective_n")
        or provenance.get("kish_effective_n"),
        "weighting": diagnostics.get("method") or provenance.get("method", ""),
        "notes": list(diagnostics.get("notes") or provenance.get("notes") or []),
    }


# ------------------------------------------------------------------ overview
def _pairs(
    keyed: dict[tuple, Estimate], domain_type: str
) -> list[tuple[Estimate, Estimate | None]]:
    indexes = [
        e
        for (kind, _d, dtype, _dom), e in keyed.items()
        if kind == "index" and dtype == domain_type
    ]
    indexes.sort(key=lambda e: e.domain)
    return [
        (e, keyed.get(("satisfied_rate", "", domain_type, e.domain))) for e in indexes
    ]


def _panel(keyed, estimate, rate, changes, trend) -> SectorPanel:
    dimensions = sorted(
        (
            e
            for (kind, _d, dtype, dom), e in keyed.items()
            if kind == "dimension"
            and dtype == estimate.domain_type
            and dom == estimate.domain
        ),
        key=lambda e: e.dimension,
    )
    key = (estimate.domain_type, estimate.domain)
    return SectorPanel(
        index=estimate,
        rate=rate,
        change=changes.get(key),
        dimensions=dimensions,
        trend=trend.get(key, []),
    )


def _service_points(keyed: dict[tuple, Estimate]) -> list[ServicePointRow]:
    """Points by sector, best first; those with too few responses unranked."""
    places = {
        code: (sector, region)
        for code, sector, region in ServicePoint.objects.values_list(
            "code", "sector__code", "region__code"
        )
    }
    rows = []
    for index, rate in _pairs(keyed, "service_point"):
        sector, region = places.get(index.domain, ("", ""))
        rows.append(ServicePointRow(index, rate, sector, region, None))
    rows.sort(key=lambda r: (r.sector, -(r.index.estimate or -1), r.index.domain))
    rank: dict[str, int] = {}
    for row in rows:
        if row.index.n >= MIN_RANKED_RESPONSES and row.index.estimate is not None:
            rank[row.sector] = rank.get(row.sector, 0) + 1
            row.rank = rank[row.sector]
    return rows


def wave_overview(
    wave: Wave, *, language: str, unpublished: bool, run: IndexRun | None = None
) -> WaveOverview | None:
    """The wave's results for display; None when it has no results to show.

    ``unpublished`` (officials) shows the latest successful run; otherwise only
    the published run is used, for this wave and for the trend. ``run`` pins
    the wave's run (a report shows the run it was asked for).
    """
    run = run or dashboard_run(wave, unpublished=unpublished)
    if run is None:
        return None
    estimates = run_estimates(run, language)
    keyed = _keyed(estimates)
    trend_runs = [*_trend_runs(wave, unpublished), (wave, run)]
    previous = trend_runs[-2] if len(trend_runs) > 1 else None
    changes = (
        _changes(estimates, run_estimates(previous[1], language), wave.confidence)
        if previous
        else {}
    )
    trend = _trend_table(trend_runs, language)

    def panels(domain_type: str, order=None) -> list[SectorPanel]:
        pairs = _pairs(keyed, domain_type)
        if order:
            pairs.sort(
                key=lambda p: (
                    order.index(p[0].domain) if p[0].domain in order else len(order)
                )
            )
        return [_panel(keyed, i, r, changes, trend) for i, r in pairs]

    return WaveOverview(
        wave=wave,
        run=run,
        language=language,
        published=wave.published_run_id == run.pk,
        headlines=panels("rollup", ROLLUP_ORDER),
        sectors=panels("sector"),
        regions=_pairs(keyed, "region"),
        channels=_pairs(keyed, "channel"),
        service_points=_service_points(keyed),
        settlement=wave_settlement(wave, language),
        quality=wave_data_quality(wave, run),
        previous_wave=previous[0] if previous else None,
    )


def narrowed(
    overview: WaveOverview,
    *,
    sector: str = "",
    region: str = "",
    channel: str = "",
) -> WaveOverview:
    """The overview restricted to one sector, district and/or channel.

    Results are stored per sector, per district and per channel separately
    (not crossed), so a filter narrows the lists it applies to; service points
    are narrowed by both their sector and their district.
    """

    def keep(pairs, code):
        return [p for p in pairs if not code or p[0].domain == code]

    points = [
        p
        for p in overview.service_points
        if (not sector or p.sector == sector) and (not region or p.region == region)
    ]
    return WaveOverview(
        wave=overview.wave,
        run=overview.run,
        language=overview.language,
        published=overview.published,
        headlines=overview.headlines,
        sectors=[s for s in overview.sectors if not sector or s.index.domain == sector],
        regions=keep(overview.regions, region),
        channels=keep(overview.channels, channel),
        service_points=points,
        settlement=overview.settlement,
        quality=overview.quality,
        previous_wave=overview.previous_wave,
    )
