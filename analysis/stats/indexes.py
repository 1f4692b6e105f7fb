"""Satisfaction indexes and satisfied rates by domain.

Domain estimates come from :class:`analysis.stats.design.SurveyDesign` with
each domain as a subpopulation of the full design. Roll-ups of sectors live
in :mod:`analysis.stats.rollups` (re-exported here).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.stats.design import SurveyDesign
from analysis.stats.intervals import ProportionMethod
from analysis.stats.rollups import (
    PLAN_ROLLUPS,
    Rollup,
    rollup_from_statistics,
    rollup_indexes,
)
from analysis.stats.sufficient import aggregate

__all__ = [
    "DOMAINS",
    "PLAN_ROLLUPS",
    "Rollup",
    "domain_indexes",
    "point_direct_estimates",
    "rollup_from_statistics",
    "rollup_indexes",
    "satisfied_rates",
]

#: Domains every survey reports on; any demographic column can be added.
DOMAINS: tuple[str, ...] = ("sector", "region", "service_point", "channel")

_COLUMNS = ["estimate", "se", "ci_low", "ci_high", "n", "deff", "df"]


def _domain_table(estimate_by, domains: Sequence[str], overall: str) -> pd.DataFrame:
    parts = []
    for domain in domains:
        table = estimate_by(domain)
        parts.append(
            table.rename(columns={domain: "domain"}).assign(domain_type=domain)
        )
    whole = estimate_by(None)
    parts.insert(
        0,
        pd.DataFrame([whole.as_dict()]).assign(domain_type="all", domain=overall),
    )
    out = pd.concat(parts, ignore_index=True)
    return out[["domain_type", "domain", *_COLUMNS]]


def domain_indexes(
    design: SurveyDesign,
    index: str = "index",
    domains: Sequence[str] = DOMAINS,
    level: float = 0.95,
) -> pd.DataFrame:
    """Design-based mean index overall and for every domain.

    Parameters
    ----------
    design : SurveyDesign
        Over respondents carrying the respondent index (see
        :func:`analysis.stats.scoring.respondent_index`).
    index : str
        Column of the respondent index.
    domains : sequence of str
        Domain columns (sector, region, service point, channel, any
        demographic group); each domain is a subpopulation.
    level : float

    Returns
    -------
    DataFrame
        ``domain_type, domain, estimate, se, ci_low, ci_high, n, deff, df``;
        the first row (``domain_type == "all"``) is the whole population.
        Intervals use Student t with the design degrees of freedom.

    Notes
    -----
    :math:`\\hat I_d = \\sum_{i \\in d} w_i I_i / \\sum_{i \\in d} w_i` with
    linearization variance (Lumley 2010, sec. 2.2-2.4).

    Examples
    --------
    >>> f = pd.DataFrame({"index": [70.0, 80, 90, 60], "sector": list("aabb"),
    ...                   "w": [1.0, 1, 2, 2]})
    >>> t = domain_indexes(SurveyDesign(f, weights="w"), domains=["sector"])
    >>> t[["domain", "estimate"]].values.tolist()
    [['all', 75.0], ['a', 75.0], ['b', 75.0]]
    """

    def estimate_by(domain: str | None):
        return design.mean(index, by=domain, ci="t", level=level)

    return _domain_table(estimate_by, domains, "all")


def satisfied_rates(
    design: SurveyDesign,
    satisfied: str = "satisfied",
    domains: Sequence[str] = DOMAINS,
    method: ProportionMethod = "logit",
    level: float = 0.95,
) -> pd.DataFrame:
    """Design-based share of satisfied respondents, overall and per domain.

    Parameters
    ----------
    design : SurveyDesign
    satisfied : str
        0/1 column, e.g. from :func:`analysis.stats.scoring.top_box`.
    domains : sequence of str
    method : {"logit", "beta", "wilson", ...}
        Proportion interval, as ``svyciprop``.
    level : float

    Returns
    -------
    DataFrame
        As :func:`domain_indexes`, rates in [0, 1].

    Notes
    -----
    :math:`\\hat p_d = \\sum_{i \\in d} w_i S_i / \\sum_{i \\in d} w_i`; the
    logit interval is :math:`\\operatorname{expit}(\\operatorname{logit}\\hat p
    \\pm t_{df}\\,\\mathrm{se}/(\\hat p(1-\\hat p)))` (Lumley 2010, sec. 2.3.1).

    Examples
    --------
    >>> f = pd.DataFrame({"satisfied": [1.0, 1, 0, 1], "sector": list("aabb")})
    >>> satisfied_rates(SurveyDesign(f), domains=["sector"]).estimate.tolist()
    [0.75, 1.0, 0.5]
    """

    def estimate_by(domain: str | None):
        return design.proportion(satisfied, by=domain, method=method, level=level)

    return _domain_table(estimate_by, domains, "all")


def point_direct_estimates(
    frame: pd.DataFrame,
    index: str = "index",
    service_point: str = "service_point",
    sector: str = "sector",
    weights: str | None = None,
) -> pd.DataFrame:
    """Direct index of each service point with its within-point design variance.

    Parameters
    ----------
    frame : DataFrame
    index, service_point, sector : str
    weights : str, optional
        Weight column.

    Returns
    -------
    DataFrame
        ``service_point, sector, estimate, se, n``, the input of
        :func:`analysis.stats.smallarea.small_area_estimates`.

    Notes
    -----
    When service points are the PSUs, the full design gives a point's mean a
    variance of zero (its PSU total of influence values is zero), so the
    small-area model needs the sampling variance *within* the point: the
    point is treated as a stratum in which its respondents were sampled,
    :math:`D_i = \\frac{n_i}{n_i-1}\\sum_{k \\in i} z_k^2`,
    :math:`z_k = w_k (I_k - \\hat I_i)/\\hat N_i`.

    Examples
    --------
    >>> f = pd.DataFrame({"index": [70.0, 80, 90, 60], "sector": list("aaab"),
    ...                   "service_point": [1, 1, 2, 3]})
    >>> point_direct_estimates(f)[["service_point", "estimate", "n"]].values.tolist()
    [[1.0, 75.0, 2.0], [2.0, 90.0, 1.0], [3.0, 60.0, 1.0]]
    """
    columns = [index, service_point, sector] + ([weights] if weights else [])
    for column in columns:
        if column not in frame.columns:
            raise ValueError(f"frame lacks column {column!r}")
    # one pass to sufficient statistics per (point, weight, sector)
    keys = [service_point, *([weights] if weights else []), sector]
    table = aggregate(frame, keys, [index])
    sectors = table.drop_duplicates([service_point, sector])
    twice = sectors[service_point].duplicated()
    if twice.any():
        point = sectors[service_point][twice].iloc[0]
        raise ValueError(f"service point {point} lies in two sectors")
    within = SurveyDesign.from_sufficient(
        table, weights=weights, strata=service_point, lonely_psu="certainty"
    )
    direct = within.mean(index, by=service_point)
    first = sectors.set_index(service_point)[sector]
    direct = direct.assign(sector=first.reindex(direct[service_point]).to_numpy())
    return direct[[service_point, "sector", "estimate", "se", "n"]]
