"""Drivers, the importance-performance matrix, reliability and fair
service-point rankings of a wave, finished from aggregates (no database here).

The database returns, per group of the statistics table (sector, service
point, region, channel and weighting cells), complete-case sums of the
variables of a few *moment sets*: the sector's dimension scores with the
overall rating (key drivers) and each dimension's item scores (Cronbach's
alpha). Every respondent of a group has the same calibrated weight, so the
weighted sums per service point (the PSU) are
:math:`\\sum_g w_g n_g`, :math:`\\sum_g w_g s_g` and :math:`\\sum_g w_g S_g`;
the statistical core finishes from them. Shrinkage estimates of service
points start from the points' direct estimates (:func:`analysis.compute.
point_rows`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.utils.translation import gettext_noop

from analysis.stats.drivers import importance_from_sums
from analysis.stats.moments import covariance
from analysis.stats.quadrants import importance_performance
from analysis.stats.reliability import alpha_from_covariance
from analysis.stats.smallarea import small_area_estimates
from analysis.status_messages import Message

DRIVERS = "drivers"
#: The outcome of the drivers set, after the dimensions.
OVERALL = "overall"
ALPHA_PREFIX = "alpha:"
#: Points with fewer responses get their sector's synthetic estimate, unranked.
MIN_RANKED_RESPONSES = 10
RANK_DRAWS = 1000
NUMERIC_ERRORS = (ValueError, np.linalg.LinAlgError, ZeroDivisionError)


def alpha_set(dimension: str) -> str:
    return f"{ALPHA_PREFIX}{dimension}"


@dataclass(frozen=True)
class MomentSet:
    """Complete-case sums of ``variables`` per group row: counts ``n`` (G,),
    sums ``s1`` (G, k) and cross-products ``s2`` (G, k, k), unweighted."""

    variables: tuple[str, ...]
    n: np.ndarray
    s1: np.ndarray
    s2: np.ndarray


@dataclass(frozen=True)
class SectorMoments:
    """One sector's moment sets; ``keys`` holds each group row's keys, with
    the same columns and values as the statistics table's keys."""

    sector: str
    keys: pd.DataFrame
    sets: Mapping[str, MomentSet] = field(default_factory=dict)


def combine_moments(parts: Sequence[SectorMoments]) -> list[SectorMoments]:
    """One entry per sector: surveys of the same sector stacked when their
    sets hold the same variables (a set that differs is dropped)."""
    by_sector: dict[str, list[SectorMoments]] = {}
    for part in parts:
        by_sector.setdefault(part.sector, []).append(part)
    out = []
    for sector, group in by_sector.items():
        if len(group) == 1:
            out.append(group[0])
            continue
        names = [
            name
            for name, first in group[0].sets.items()
            if all(
                name in g.sets and g.sets[name].variables == first.variables
                for g in group
            )
        ]
        sets = {
            name: MomentSet(
                group[0].sets[name].variables,
                *(
                    np.concatenate([getattr(g.sets[name], a) for g in group])
                    for a in ("n", "s1", "s2")
                ),
            )
            for name in names
        }
        keys = pd.concat([g.keys for g in group], ignore_index=True)
        out.append(SectorMoments(sector, keys, sets))
    return out


# ------------------------------------------------------------------ weights
def group_weights(
    keys: pd.DataFrame, table: pd.DataFrame, weights: np.ndarray
) -> np.ndarray:
    """The calibrated weight of each moments group row.

    ``table`` is the statistics table (original keys) and ``weights`` its
    rows' final weights, in the same order; groups are matched on every key
    column (missing keys match missing keys).
    """
    columns = [c for c in keys.columns if c in table.columns]
    lookup = table[columns].assign(_weight=np.asarray(weights, float))
    lookup = lookup.drop_duplicates(subset=columns)
    joined = keys[columns].merge(lookup, on=columns, how="left")
    return joined["_weight"].to_numpy(float)


def _unit_sums(
    moment_set: MomentSet, weight: np.ndarray, units: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Weighted sums per unit code, and each unit's complete respondents."""
    codes, labels = pd.factorize(units)
    g = len(labels)
    w = np.nan_to_num(weight)
    s0 = np.bincount(codes, w * moment_set.n, g)
    k = moment_set.s1.shape[1]
    s1 = np.zeros((g, k))
    s2 = np.zeros((g, k, k))
    np.add.at(s1, codes, w[:, None] * moment_set.s1)
    np.add.at(s2, codes, w[:, None, None] * moment_set.s2)
    count = np.bincount(codes, moment_set.n, g)
    keep = s0 > 0
    return s0[keep], s1[keep], s2[keep], count[keep]


# ------------------------------------------------------------------ drivers
def driver_rows(
    moments: SectorMoments,
    weight: np.ndarray,
    performance: pd.Series,
    confidence: float,
) -> pd.DataFrame:
    """Relative importance (LMG) of each dimension for the sector's overall
    rating, with jackknife intervals over service points, and the
    importance-performance quadrant of each dimension.

    ``performance``: the sector's dimension scores (index: dimension).
    """
    moment_set = moments.sets.get(DRIVERS)
    if moment_set is None or len(moment_set.variables) < 2:
        return pd.DataFrame()
    s0, s1, s2, count = _unit_sums(
        moment_set, weight, moments.keys["service_point"].to_numpy()
    )
    if count.sum() < len(moment_set.variables) + 2:
        return pd.DataFrame()  # too few complete respondents for a regression
    interval = "jackknife" if len(s0) >= 2 else "none"
    names = list(moment_set.variables[:-1])
    result = importance_from_sums(
        names, s0, s1, s2, method="lmg", interval=interval, confidence=confidence
    )
    table = result.table
    quadrants = importance_performance(
        table.set_index("dimension")["share"], performance.reindex(names)
    ).set_index("dimension")
    return pd.DataFrame(
        {
            "kind": "driver",
            "dimension": names,
            "domain_type": "sector",
            "domain": moments.sector,
            "estimate": table["importance"].to_numpy(),
            "se": table["se"].to_numpy() if "se" in table else np.nan,
            "ci_low": table["ci_low"].to_numpy() if "ci_low" in table else np.nan,
            "ci_high": table["ci_high"].to_numpy() if "ci_high" in table else np.nan,
            "n": int(count.sum()),
            "deff": np.nan,
            "df": float(len(s0) - 1) if interval != "none" else np.nan,
            "details": [
                {
                    "share": float(share),
                    "r2": result.r2,
                    "performance": float(quadrants.loc[name, "performance"]),
                    "quadrant": str(quadrants.loc[name, "quadrant"]),
                    "method": result.method,
                    "interval": result.interval,
                    "units": len(s0),
                }
                for name, share in zip(names, table["share"], strict=True)
            ],
        }
    )


# ------------------------------------------------------------------ reliability
def _alpha_of(moment_set: MomentSet, weight: np.ndarray) -> dict | None:
    w = np.nan_to_num(weight)
    totals = []
    for row_weight in (w, np.ones_like(w)):
        s0 = np.sum(row_weight * moment_set.n)
        s1 = np.tensordot(row_weight, moment_set.s1, axes=1)
        s2 = np.tensordot(row_weight, moment_set.s2, axes=1)
        totals.append(covariance(np.array([s0]), s1[None], s2[None])[0])
    n = int(moment_set.n.sum())
    items = list(moment_set.variables)
    if n < 2 or not (np.diag(totals[1]) > 0).all():
        return None  # an item everybody answered alike: alpha is undefined
    weighted = alpha_from_covariance(totals[0], items, n)
    plain = alpha_from_covariance(totals[1], items, n)
    return {
        "estimate": weighted.raw,
        "n": n,
        "details": {
            "standardized": weighted.standardized,
            "unweighted": plain.raw,
            "unweighted_standardized": plain.standardized,
            "average_r": weighted.average_r,
            "n_items": weighted.n_items,
            "items": [
                {
                    "item": row.item,
                    "item_rest_r": float(row.item_rest_r),
                    "alpha_if_deleted": float(row.alpha_if_deleted),
                }
                for row in weighted.items.itertuples(index=False)
            ],
        },
    }


def alpha_rows(moments: SectorMoments, weight: np.ndarray) -> pd.DataFrame:
    """Cronbach's alpha (weighted, raw) of each dimension with two or more
    items; standardized and unweighted alphas and item statistics in
    ``details``."""
    rows = []
    for name, moment_set in moments.sets.items():
        if not name.startswith(ALPHA_PREFIX) or len(moment_set.variables) < 2:
            continue
        alpha = _alpha_of(moment_set, weight)
        if alpha is None:
            continue
        rows.append(
            {
                "kind": "alpha",
                "dimension": name[len(ALPHA_PREFIX) :],
                "domain_type": "sector",
                "domain": moments.sector,
                "se": np.nan,
                "ci_low": np.nan,
                "ci_high": np.nan,
                "deff": np.nan,
                "df": np.nan,
                **alpha,
            }
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ points
def shrinkage_rows(
    points: pd.DataFrame, sectors: Mapping[str, str], confidence: float
) -> tuple[pd.DataFrame, list[Message]]:
    """Fay-Herriot estimates of the service points' indexes, ranked within
    their sector with rank intervals; and a note when no model could be fit.

    ``points``: the points' direct index rows (``domain, estimate, se, n``);
    ``sectors``: the sector of each point code.
    """
    direct = points.assign(sector=points["domain"].map(sectors)).dropna(
        subset=["sector"]
    )
    if direct.empty:
        return pd.DataFrame(), []
    try:
        fitted = small_area_estimates(
            direct.reset_index(drop=True),
            "sector",
            min_n=MIN_RANKED_RESPONSES,
            method="reml",
            variance="pooled",
            draws=RANK_DRAWS,
            confidence=confidence,
        )
    except NUMERIC_ERRORS as exc:
        # the core's reason is technical and English: a parameter as is
        return pd.DataFrame(), [
            Message(
                gettext_noop("No shrinkage estimates of service points: %(reason)s"),
                {"reason": str(exc)},
            )
        ]

    def number(value) -> float | None:
        return None if pd.isna(value) else float(value)

    details = [
        {
            "sector": row.sector,
            "direct": number(row.estimate),
            "direct_se": number(row.se),
            "shrinkage": float(row.shrinkage),
            "synthetic": number(row.synthetic),
            "too_few": bool(row.too_few),
            "rank": None if pd.isna(row.rank) else int(row.rank),
            "rank_low": number(row.rank_low),
            "rank_high": number(row.rank_high),
        }
        for row in fitted.itertuples(index=False)
    ]
    out = pd.DataFrame(
        {
            "kind": "shrunk_index",
            "dimension": "",
            "domain_type": "service_point",
            "domain": fitted["domain"].to_numpy(),
            "estimate": fitted["eblup"].to_numpy(float),
            "se": fitted["rmse"].to_numpy(float),
            "ci_low": fitted["ci_low"].to_numpy(float),
            "ci_high": fitted["ci_high"].to_numpy(float),
            "n": fitted["n"].to_numpy(int),
            "deff": np.nan,
            "df": np.nan,
            "details": details,
        }
    )
    return out, []


# ------------------------------------------------------------------ all
def insight_rows(
    moments: Sequence[SectorMoments],
    table: pd.DataFrame,
    weights: np.ndarray,
    indexes: pd.DataFrame,
    dimensions: pd.DataFrame,
    point_sectors: Mapping[str, str],
    confidence: float,
) -> tuple[pd.DataFrame, list[Message]]:
    """Drivers, alphas and shrinkage rows of a wave, and notes on what could
    not be estimated (messages, worded in the reader's language when shown).

    ``table``/``weights``: the statistics table and its rows' calibrated
    weights; ``indexes``: index rows (service points' direct estimates among
    them); ``dimensions``: the sectors' dimension-score rows;
    ``point_sectors``: the sector of each service point to shrink.
    """
    parts: list[pd.DataFrame] = []
    notes: list[Message] = []
    for sector_moments in combine_moments(moments):
        weight = group_weights(sector_moments.keys, table, weights)
        here = dimensions[dimensions["domain"] == sector_moments.sector]
        performance = here.set_index("dimension")["estimate"]
        try:
            parts.append(driver_rows(sector_moments, weight, performance, confidence))
        except NUMERIC_ERRORS as exc:
            notes.append(
                Message(
                    gettext_noop("Sector “%(sector)s”: no key drivers (%(reason)s)."),
                    {"sector": str(sector_moments.sector), "reason": str(exc)},
                )
            )
        parts.append(alpha_rows(sector_moments, weight))
    points = indexes[indexes["domain_type"] == "service_point"]
    shrunk, shrink_notes = shrinkage_rows(points, point_sectors, confidence)
    parts.append(shrunk)
    notes.extend(shrink_notes)
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(), notes
    return pd.concat(parts, ignore_index=True), notes
