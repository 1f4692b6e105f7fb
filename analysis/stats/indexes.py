"""Satisfaction indexes and satisfied rates by domain, and sector roll-ups.

Domain estimates come from :class:`analysis.stats.design.SurveyDesign` with
each domain as a subpopulation of the full design. Roll-ups combine sector
indexes; their standard errors include the covariances between sectors
sampled in the same design, by linearization on top of the design's public
estimators.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats.design import SurveyDesign
from analysis.stats.intervals import ProportionMethod
from analysis.stats.sufficient import COUNT, aggregate, stat_columns

__all__ = [
    "DOMAINS",
    "PLAN_ROLLUPS",
    "Rollup",
    "domain_indexes",
    "point_direct_estimates",
    "rollup_indexes",
    "satisfied_rates",
]

#: Domains every survey reports on; any demographic column can be added.
DOMAINS: tuple[str, ...] = ("sector", "region", "service_point", "channel")

Weighting = Literal["equal", "fixed", "population"]
_WEIGHTINGS = ("equal", "fixed", "population")
_COLUMNS = ["estimate", "se", "ci_low", "ci_high", "n", "deff", "df"]


@dataclass(frozen=True)
class Rollup:
    """An index combining sector indexes.

    Parameters
    ----------
    name : str
        E.g. ``"consumer_services"``; matches :class:`~analysis.stats.targets.Target`.
    sectors : tuple of str
    weighting : {"equal", "fixed", "population"}
        Equal weights; ``weights`` given per sector (service volume, known
        population); or the design's estimated population of each sector
        (the roll-up is then the mean over all respondents of its sectors).
    weights : mapping, optional
        For ``"fixed"``.
    """

    name: str
    sectors: tuple[str, ...]
    weighting: Weighting = "equal"
    weights: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.weighting not in _WEIGHTINGS:
            raise ValueError(
                f"weighting must be one of {_WEIGHTINGS}, got {self.weighting!r}"
            )
        if self.weighting == "fixed":
            missing = [s for s in self.sectors if s not in self.weights]
            if missing:
                raise ValueError(f"rollup {self.name!r}: no weight for {missing[0]!r}")
        object.__setattr__(self, "weights", MappingProxyType(dict(self.weights)))


_CONSUMER = ("education", "public_transport", "medical", "elderly_care", "tourism")
_PRODUCER = ("finance", "logistics")
#: The plan's groupings (CONTEXT.md): consumer, producer, whole service sector.
PLAN_ROLLUPS: tuple[Rollup, ...] = (
    Rollup("consumer_services", _CONSUMER),
    Rollup("producer_services", _PRODUCER),
    Rollup("service_sector", _CONSUMER + _PRODUCER),
)


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

    Examples
    --------
    >>> f = pd.DataFrame({"satisfied": [1.0, 1, 0, 1], "sector": list("aabb")})
    >>> satisfied_rates(SurveyDesign(f), domains=["sector"]).estimate.tolist()
    [0.75, 1.0, 0.5]
    """

    def estimate_by(domain: str | None):
        return design.proportion(satisfied, by=domain, method=method, level=level)

    return _domain_table(estimate_by, domains, "all")


def _rollup_weights(rollup: Rollup, population: pd.Series) -> np.ndarray:
    if rollup.weighting == "equal":
        raw = np.ones(len(rollup.sectors))
    elif rollup.weighting == "fixed":
        raw = np.array([rollup.weights[s] for s in rollup.sectors], float)
    else:
        raw = population.reindex(list(rollup.sectors)).to_numpy(float)
    return raw / raw.sum()


_WEIGHT = "_rollup_weight"


def _sector_table(
    frame: pd.DataFrame, design: SurveyDesign, sector: str, index: str
) -> tuple[pd.DataFrame, list[str]]:
    """Sufficient statistics of the index per design cell and sector."""
    for column in (sector, index):
        if column not in frame.columns:
            raise ValueError(f"frame lacks column {column!r}")
    weight = design.final_weights().to_numpy(float)
    if len(weight) != len(frame):
        raise ValueError("frame must be the frame the design was built on")
    keys = [c for c in (design.strata, design.psu, design.fpc) if c is not None]
    cells = frame[[*keys, sector, index]].assign(**{_WEIGHT: weight})
    return aggregate(cells, [*keys, _WEIGHT, sector], [index]), keys


def _sector_means(table: pd.DataFrame, sector: str, index: str) -> pd.DataFrame:
    n_col, sum_col, _ = stat_columns(index)
    w = table[_WEIGHT].to_numpy(float)
    grouped = (
        table.assign(_n=table[n_col], _wn=w * table[n_col], _ws=w * table[sum_col])
        .groupby(sector, observed=True, sort=False)[["_n", "_wn", "_ws"]]
        .sum()
    )
    return pd.DataFrame(
        {
            "mean": grouped["_ws"] / grouped["_wn"],
            "population": grouped["_wn"],
            "n": grouped["_n"].astype(int),
        }
    )


def _linear_stats(
    rollup: Rollup, means: pd.DataFrame, table: pd.DataFrame, sector: str, index: str
) -> tuple[float, dict[str, np.ndarray], int, np.ndarray]:
    """The roll-up and the sufficient statistics of its linearized variable.

    For answered respondents of sector d in the roll-up u = alpha_d y + beta_d,
    and u = 0 for everyone else, so its group sums follow from those of y.
    """
    missing = [s for s in rollup.sectors if s not in means.index]
    if missing:
        raise ValueError(f"rollup {rollup.name!r}: no respondents in {missing[0]!r}")
    chosen = means.loc[list(rollup.sectors)]
    mean, population = chosen["mean"].to_numpy(), chosen["population"].to_numpy()
    a = _rollup_weights(rollup, chosen["population"])
    value = float(a @ mean)
    alpha = a / population
    beta = -alpha * mean
    if rollup.weighting == "population":  # the weights themselves are estimates
        beta = beta + (mean - value) / population.sum()
    position = pd.Index(chosen.index).get_indexer(table[sector])
    inside = position >= 0
    alpha_g = np.where(inside, alpha[np.maximum(position, 0)], 0.0)
    beta_g = np.where(inside, beta[np.maximum(position, 0)], 0.0)
    n_y, sum_y, sq_y = (table[c].to_numpy(float) for c in stat_columns(index))
    linear = {
        "n": table[COUNT].to_numpy(float),
        "sum": alpha_g * sum_y + beta_g * n_y,
        "sumsq": alpha_g**2 * sq_y + 2 * alpha_g * beta_g * sum_y + beta_g**2 * n_y,
    }
    return value, linear, int(chosen["n"].sum()), a


def rollup_indexes(
    frame: pd.DataFrame,
    design: SurveyDesign,
    rollups: Sequence[Rollup] = PLAN_ROLLUPS,
    sector: str = "sector",
    index: str = "index",
    level: float = 0.95,
) -> pd.DataFrame:
    """Combine sector indexes into consumer, producer and service-sector indexes.

    Parameters
    ----------
    frame : DataFrame
        The respondent frame ``design`` was built on (same rows).
    design : SurveyDesign
    rollups : sequence of Rollup
        The plan's three roll-ups with equal sector weights by default.
    sector, index : str
        Sector and respondent-index columns.
    level : float

    Returns
    -------
    DataFrame
        ``name, estimate, se, ci_low, ci_high, n, df, weighting, weights``
        (``weights``: the normalized sector weights used, recorded with the
        result).

    Notes
    -----
    :math:`\\hat I_R = \\sum_d a_d \\hat I_d`. Its variance is the design
    variance of the total of the linearized variable
    :math:`u_i = \\sum_d a_d\\, 1_{i \\in d}(I_i - \\hat I_d)/\\hat N_d`
    (plus :math:`1_{i \\in U}(\\hat I_{d(i)} - \\hat I_R)/\\hat N_U` when
    :math:`a_d = \\hat N_d/\\hat N_U` are estimated), so covariances between
    sectors sharing strata and PSUs are included; this equals
    ``svycontrast`` on ``svyby(..., covmat = TRUE)``. The final weights are
    treated as fixed: for raked or post-stratified designs the variance
    reduction of calibration is not credited (conservative).

    References
    ----------
    Lumley, T. (2010). *Complex Surveys*, sec. 2.4 and 3.3 (``svycontrast``).
    Wiley.

    Examples
    --------
    >>> f = pd.DataFrame({"index": [70.0, 80, 90, 60, 75, 85],
    ...                   "sector": ["a", "a", "b", "b", "c", "c"]})
    >>> r = rollup_indexes(f, SurveyDesign(f), [Rollup("ab", ("a", "b"))])
    >>> float(r.estimate[0]), int(r.n[0])
    (75.0, 4)
    """
    table, keys = _sector_table(frame, design, sector, index)
    means = _sector_means(table, sector, index)
    linear = table[[*keys, _WEIGHT, COUNT]]
    rows, outcomes = [], {}
    for k, rollup in enumerate(rollups):
        value, stats_, n, used = _linear_stats(rollup, means, table, sector, index)
        names = stat_columns(f"_rollup_{k}")
        outcomes |= dict(zip(names, stats_.values(), strict=True))
        rows.append(
            {
                "name": rollup.name,
                "estimate": value,
                "n": n,
                "weighting": rollup.weighting,
                "weights": dict(zip(rollup.sectors, used.tolist(), strict=True)),
            }
        )
    totals = SurveyDesign.from_sufficient(
        linear.assign(**outcomes),
        weights=_WEIGHT,
        strata=design.strata,
        psu=design.psu,
        fpc=design.fpc,
        nest=design.nest,
        lonely_psu=design.lonely_psu,
    ).total([f"_rollup_{k}" for k in range(len(rollups))])
    out = pd.DataFrame(rows).assign(
        se=totals["se"].to_numpy(), df=totals["df"].to_numpy()
    )
    half = stats.t.ppf((1 + level) / 2, out["df"]) * out["se"]
    out = out.assign(ci_low=out.estimate - half, ci_high=out.estimate + half)
    columns = ["name", "estimate", "se", "ci_low", "ci_high", "n", "df"]
    return out[[*columns, "weighting", "weights"]]


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
