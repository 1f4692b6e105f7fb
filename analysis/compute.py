"""From a wave's sufficient statistics to its result rows (no database here).

The selectors hand over one table of sufficient statistics per wave (one row
per group of sector, region, service point, channel and weighting
variables); this module checks the margins against it, calibrates, and asks
the statistical core for every estimate. The same function serves the
database path and the benchmark's pandas path, so both give the same numbers.

Design: sectors are strata (each sector's survey is fielded separately),
service points are PSUs, and each sector's respondents are raked to the
wave's population margins (cells crossed with the sector), so every sector
represents the whole population. Calibration within strata keeps sector
estimates independent, which makes a roll-up's variance the weighted sum of
its sectors' variances.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.utils.translation import gettext_noop
from scipy import stats

from analysis.calibration import (
    Margin,
    WaveDataError,
    calibrated_design,
    margin_problems,
)
from analysis.insights import SectorMoments, insight_rows
from analysis.stats.design import SurveyDesign
from analysis.stats.indexes import domain_indexes, satisfied_rates
from analysis.stats.sufficient import COUNT, collapse, stat_columns
from analysis.stats.targets import MET, NOT_MET, verdict
from analysis.status_messages import Message

INDEX = "index"
SATISFIED = "satisfied"
DIMENSION_PREFIX = "dim__"
DOMAINS = ("sector", "service_point", "region", "channel")
#: The crossed district x sector domain (code ``<sector>/<region>``).
SECTOR_REGION = "sector_region"
NO_SERVICE_POINT = "(none)"
CLASS_TARGETS = {"consumer": 80.0, "producer": 85.0}
ROLLUP_TARGETS = {
    "consumer_services": 80.0,
    "producer_services": 85.0,
    "service_sector": 80.0,
}
ROLLUP_CLASSES = {
    "consumer_services": ("consumer",),
    "producer_services": ("producer",),
    "service_sector": ("consumer", "producer"),
}
VERDICT_CODES = {MET: "met", NOT_MET: "not_met"}
#: The columns of a stored result, in order (plus ``details``).
RESULT_COLUMNS = (
    "kind",
    "dimension",
    "domain_type",
    "domain",
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


@dataclass
class WaveSpec:
    """What a wave's computation needs besides the statistics table."""

    sector_classes: Mapping[str, str]
    margins: Sequence[Margin] = ()
    rollup_weights: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    confidence: float = 0.95



def outcome_columns(table: pd.DataFrame) -> list[str]:
    """Outcomes present in a statistics table (``index``, ``satisfied``, dims)."""
    return [c[: -len("__n")] for c in table.columns if c.endswith("__n")]



def point_rows(
    table: pd.DataFrame, outcome: str, level: float, scale: str
) -> pd.DataFrame:
    """Direct estimate of every service point, vectorized over the table.

    Within a point its respondents are the sample (element sampling, as
    :func:`analysis.stats.indexes.point_direct_estimates`), weighted by the
    final calibrated weights:
    :math:`\\hat y_p = \\sum_g w_g s_g / \\sum_g w_g m_g`,
    :math:`\\hat V_p = \\frac{n_p}{n_p-1}\\sum_g w_g^2 (q_g - 2\\hat y_p s_g
    + m_g \\hat y_p^2)/\\hat N_p^2`; calibration residuals are not credited
    (conservative). Rates get logit-scale intervals, as ``svyciprop``.
    """
    n_col, sum_col, sq_col = stat_columns(outcome)
    codes, labels = pd.factorize(table["service_point"])
    w = table["_weight"].to_numpy(float)
    m, s, q = (table[c].to_numpy(float) for c in (n_col, sum_col, sq_col))
    k = len(labels)
    population = np.bincount(codes, w * m, k)
    n = np.bincount(codes, m, k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(codes, w * s, k) / population
        mc = mean[codes]
        squares = np.bincount(codes, w * w * (q - 2 * mc * s + m * mc * mc), k)
        variance = n / (n - 1) * squares / population**2
        se = np.sqrt(np.where(n > 1, np.maximum(variance, 0.0), np.nan))
        df = np.where(n > 1, n - 1, np.nan)
        t = stats.t.ppf((1 + level) / 2, df)
        if scale == "logit":
            centre = np.log(mean) - np.log1p(-mean)
            spread = t * se / (mean * (1 - mean))
            low = 1 / (1 + np.exp(-(centre - spread)))
            high = 1 / (1 + np.exp(-(centre + spread)))
        else:
            low, high = mean - t * se, mean + t * se
    out = pd.DataFrame(
        {
            "domain_type": "service_point",
            "domain": np.asarray(labels, dtype=object),
            "estimate": mean,
            "se": se,
            "ci_low": low,
            "ci_high": high,
            "n": n.astype(int),
            "deff": np.nan,
            "df": df,
        }
    )
    return out[out["n"] > 0].reset_index(drop=True)


# ------------------------------------------------------------------ results
def _with_points(main: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([main, points], ignore_index=True)


def _rows(frame: pd.DataFrame, kind: str, dimension: str = "") -> pd.DataFrame:
    return frame.assign(kind=kind, dimension=dimension)


def _dimension_rows(
    design: SurveyDesign, dimensions: Sequence[str], level: float
) -> pd.DataFrame:
    parts = []
    for dimension in dimensions:
        outcome = f"{DIMENSION_PREFIX}{dimension}"
        table = domain_indexes(design, outcome, domains=["sector"], level=level)
        parts.append(_rows(table, "dimension", dimension))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _with_verdicts(
    frame: pd.DataFrame, targets: pd.Series, confidence: float, scale: str
) -> pd.DataFrame:
    has = targets.notna().to_numpy() & frame["se"].notna().to_numpy()
    out = frame.assign(target=targets.to_numpy(), verdict="", p_value=np.nan)
    if not has.any():
        return out
    rows = out.loc[has]
    checked = verdict(
        rows["estimate"], rows["se"], rows["target"], rows["df"], confidence, scale
    )
    codes = [VERDICT_CODES.get(v, "not_distinguishable") for v in checked.verdict]
    out.loc[has, "verdict"] = codes
    out.loc[has, "p_value"] = checked["p_value"].to_numpy()
    out.loc[has, "lower"] = checked["lower"].to_numpy()
    out.loc[has, "upper"] = checked["upper"].to_numpy()
    return out


def rollup_rows(sectors: pd.DataFrame, spec: WaveSpec, level: float) -> pd.DataFrame:
    """Roll-ups of sector indexes with their normalized weights.

    Sectors are independent strata calibrated separately, so
    :math:`V(\\sum_d a_d \\hat I_d) = \\sum_d a_d^2 V(\\hat I_d)`, with the
    sectors' degrees of freedom summed.
    """
    by_sector = sectors.set_index("domain")
    rows = []
    for name, classes in ROLLUP_CLASSES.items():
        members = [s for s, c in spec.sector_classes.items() if c in classes]
        present = [s for s in members if s in by_sector.index]
        if not present:
            continue
        configured = spec.rollup_weights.get(name) or {}
        raw = np.array([float(configured.get(s, 1.0)) for s in present])
        if configured and not raw.sum() > 0:
            raw = np.ones(len(present))
        a = raw / raw.sum()
        est = by_sector.loc[present, "estimate"].to_numpy(float)
        se = by_sector.loc[present, "se"].to_numpy(float)
        estimate = float(a @ est)
        std = float(np.sqrt(np.sum((a * se) ** 2)))
        df = float(by_sector.loc[present, "df"].sum())
        half = stats.t.ppf((1 + level) / 2, df) * std
        rows.append(
            {
                "domain_type": "rollup",
                "domain": name,
                "estimate": estimate,
                "se": std,
                "ci_low": estimate - half,
                "ci_high": estimate + half,
                "n": int(by_sector.loc[present, "n"].sum()),
                "deff": np.nan,
                "df": df,
                "weights": dict(zip(present, a.round(6).tolist(), strict=True)),
                "missing_sectors": [s for s in members if s not in present],
                "weighting": "configured" if configured else "equal",
            }
        )
    return pd.DataFrame(rows)


def _sector_region_rows(
    design: SurveyDesign, spec: WaveSpec, level: float
) -> pd.DataFrame:
    """The index of every district x sector cell, against the sector's target."""
    cells = domain_indexes(design, INDEX, domains=[SECTOR_REGION], level=level)
    cells = cells[cells.domain_type == SECTOR_REGION].reset_index(drop=True)
    sector = cells["domain"].str.split("/", n=1).str[0]
    targets = sector.map(lambda d: CLASS_TARGETS.get(spec.sector_classes.get(d, "")))
    # a cell with one service point has no interval, so no verdict either
    targets = targets.where(cells["ci_low"].notna())
    return _with_verdicts(cells, targets, level, "identity")


def wave_results(
    table: pd.DataFrame, spec: WaveSpec, moments: Sequence[SectorMoments] = ()
) -> tuple[pd.DataFrame, dict]:
    """Every stored estimate of a wave, and the weighting diagnostics.

    ``moments`` (per-group sums of cross-products, see :mod:`analysis.insights`)
    add key drivers and alphas; shrinkage estimates of service points and the
    district x sector grid need only ``table``.

    Returns a frame with ``kind, dimension, domain_type, domain, estimate,
    se, ci_low, ci_high, n, deff, df, target, verdict, p_value, details``.
    """
    if table.empty or table[COUNT].sum() == 0:
        raise WaveDataError(
            [Message(gettext_noop("The wave has no analysable responses yet."))]
        )
    problems = margin_problems(table, spec.margins)
    if problems:
        raise WaveDataError(problems)
    table = table.assign(
        **{SECTOR_REGION: table["sector"].astype(str) + "/" + table["region"]}
    )
    design, weighted, diagnostics = calibrated_design(table, spec.margins)
    level = spec.confidence
    others = ("sector", "region", "channel")
    indexes = _with_points(
        domain_indexes(design, INDEX, domains=others, level=level),
        point_rows(weighted, INDEX, level, "identity"),
    )
    rates = _with_points(
        satisfied_rates(design, SATISFIED, domains=others, level=level),
        point_rows(weighted, SATISFIED, level, "logit"),
    )
    dimensions = [
        c[len(DIMENSION_PREFIX) :]
        for c in outcome_columns(table)
        if c.startswith(DIMENSION_PREFIX)
    ]
    sectors = indexes[indexes.domain_type == "sector"]
    rollups = rollup_rows(sectors, spec, level)
    sector_targets = indexes["domain"].map(
        lambda d: CLASS_TARGETS.get(spec.sector_classes.get(d, ""))
    )
    sector_targets = sector_targets.where(indexes.domain_type == "sector")
    dimension_rows = _dimension_rows(design, dimensions, level)
    point_sectors = (
        table.loc[table["service_point"] != NO_SERVICE_POINT]
        .drop_duplicates("service_point")
        .set_index("service_point")["sector"]
        .to_dict()
    )
    insights, notes = insight_rows(
        moments,
        table,
        weighted["_weight"].to_numpy(float),
        indexes,
        dimension_rows,
        point_sectors,
        level,
    )
    diagnostics["notes"] = [*diagnostics["notes"], *notes]
    indexes = _with_verdicts(indexes, sector_targets, level, "identity")
    if not rollups.empty:
        rollups = _with_verdicts(
            rollups, rollups["domain"].map(ROLLUP_TARGETS), level, "identity"
        )
    parts = [
        _rows(indexes, "index"),
        _rows(rollups, "index") if not rollups.empty else None,
        _rows(_sector_region_rows(design, spec, level), "index"),
        _rows(rates, "satisfied_rate"),
        dimension_rows,
        insights if not insights.empty else None,
    ]
    out = pd.concat([p for p in parts if p is not None], ignore_index=True)
    return _tidy(out), diagnostics


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    detail_columns = [
        c
        for c in ("lower", "upper", "weights", "missing_sectors", "weighting")
        if c in frame.columns
    ]
    for column in ("target", "verdict", "p_value"):
        if column not in frame.columns:
            frame = frame.assign(**{column: np.nan if column != "verdict" else ""})
    given = (
        frame["details"].tolist() if "details" in frame.columns else [None] * len(frame)
    )
    details = [
        {
            **(extra if isinstance(extra, dict) else {}),
            **{
                k: v
                for k, v in zip(detail_columns, values, strict=True)
                if not (isinstance(v, float) and np.isnan(v))
                and v is not None
                and not (isinstance(v, list) and not v)
            },
        }
        for extra, values in zip(
            given, frame[detail_columns].itertuples(index=False, name=None), strict=True
        )
    ]
    out = frame[list(RESULT_COLUMNS)].assign(
        details=details, verdict=frame["verdict"].fillna("")
    )
    # intervals of indexes and scores cannot leave the 0-100 scale (small df)
    scaled = out["kind"].isin(["index", "dimension", "shrunk_index"])
    out = out.assign(
        ci_low=out["ci_low"].where(~scaled, out["ci_low"].clip(lower=0.0)),
        ci_high=out["ci_high"].where(~scaled, out["ci_high"].clip(upper=100.0)),
    )
    return out.assign(domain=out["domain"].astype(str)).reset_index(drop=True)


def align_outcomes(tables: Sequence[pd.DataFrame]) -> list[pd.DataFrame]:
    """Give every partial table the same outcome columns (absent: no answers)."""
    outcomes = list(dict.fromkeys(o for t in tables for o in outcome_columns(t)))
    keys = list(
        dict.fromkeys(
            c
            for t in tables
            for c in t.columns
            if c != COUNT and not c.endswith(("__n", "__sum", "__sumsq"))
        )
    )
    aligned = []
    for table in tables:
        missing = {
            c: 0.0 for o in outcomes for c in stat_columns(o) if c not in table.columns
        }
        missing_keys = {k: None for k in keys if k not in table.columns}
        aligned.append(table.assign(**missing, **missing_keys))
    return aligned


def merge_statistics(tables: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Stack partial statistics tables (disjoint respondents) into one."""
    aligned = align_outcomes([t for t in tables if len(t)])
    if not aligned:
        return pd.DataFrame()
    stacked = pd.concat(aligned, ignore_index=True)
    keys = [
        c
        for c in stacked.columns
        if c != COUNT and not c.endswith(("__n", "__sum", "__sumsq"))
    ]
    # collapse treats missing keys as a group of their own
    return collapse(stacked, keys)
