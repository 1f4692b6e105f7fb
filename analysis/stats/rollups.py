"""Roll-ups: consumer-services, producer-services and service-sector indexes.

A roll-up combines sector indexes with configurable weights. Its standard
error includes the covariances between sectors sampled in the same design,
by linearization computed from sufficient statistics and totalled with
:class:`analysis.stats.design.SurveyDesign`.
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
from analysis.stats.sufficient import COUNT, aggregate, stat_columns
from analysis.stats.variance import LonelyPsu

__all__ = ["PLAN_ROLLUPS", "Rollup", "rollup_from_statistics", "rollup_indexes"]

Weighting = Literal["equal", "fixed", "population"]
_WEIGHTINGS = ("equal", "fixed", "population")


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


def _sector_means(
    table: pd.DataFrame, w: np.ndarray, sector: str, index: str
) -> pd.DataFrame:
    n_col, sum_col, _ = stat_columns(index)
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
    table, _ = _sector_table(frame, design, sector, index)
    return rollup_from_statistics(
        table,
        rollups,
        sector,
        index,
        weights=_WEIGHT,
        strata=design.strata,
        psu=design.psu,
        fpc=design.fpc,
        nest=design.nest,
        lonely_psu=design.lonely_psu,
        level=level,
    )


def rollup_from_statistics(
    table: pd.DataFrame,
    rollups: Sequence[Rollup] = PLAN_ROLLUPS,
    sector: str = "sector",
    index: str = "index",
    *,
    weights: str | None = None,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    nest: bool = False,
    lonely_psu: LonelyPsu = "fail",
    level: float = 0.95,
) -> pd.DataFrame:
    """Roll-ups from a table of sufficient statistics (e.g. an SQL GROUP BY).

    Parameters
    ----------
    table : DataFrame
        One row per group of (strata, psu, fpc, weight, sector, ...) with
        ``_count`` and the ``index__n``, ``index__sum``, ``index__sumsq``
        columns of :func:`analysis.stats.sufficient.aggregate`.
    rollups, sector, index, level
        As :func:`rollup_indexes`.
    weights, strata, psu, fpc, nest, lonely_psu
        The design, as in :meth:`SurveyDesign.from_sufficient`; the weight
        must be constant within a group (a final weight, if calibrated).

    Returns
    -------
    DataFrame
        As :func:`rollup_indexes`.

    Notes
    -----
    The linearized variable of :func:`rollup_indexes` is
    :math:`u_i = \\alpha_d y_i + \\beta_d` for the answering respondents of a
    roll-up sector :math:`d` and 0 otherwise, so its group sums are
    :math:`\\alpha_d S_g + \\beta_d m_g` and
    :math:`\\alpha_d^2 Q_g + 2\\alpha_d\\beta_d S_g + \\beta_d^2 m_g` from the
    group's :math:`m_g, S_g, Q_g`.

    Examples
    --------
    >>> f = pd.DataFrame({"index": [70.0, 80, 90, 60, 75, 85],
    ...                   "sector": ["a", "a", "b", "b", "c", "c"]})
    >>> t = aggregate(f.assign(psu=range(6)), ["psu", "sector"], ["index"])
    >>> r = rollup_from_statistics(t, [Rollup("ab", ("a", "b"))], psu="psu")
    >>> float(r.estimate[0])
    75.0
    """
    design_keys = [c for c in (strata, psu, fpc) if c is not None]
    needed = [*design_keys, *([weights] if weights else []), sector, COUNT]
    for column in [*needed, *stat_columns(index)]:
        if column not in table.columns:
            raise ValueError(f"statistics table lacks column {column!r}")
    w = table[weights].to_numpy(float) if weights else np.ones(len(table))
    means = _sector_means(table, w, sector, index)
    rows, outcomes = [], {}
    for k, rollup in enumerate(rollups):
        value, stats_, n, used = _linear_stats(rollup, means, table, sector, index)
        outcomes |= dict(
            zip(stat_columns(f"_rollup_{k}"), stats_.values(), strict=True)
        )
        rows.append(
            {
                "name": rollup.name,
                "estimate": value,
                "n": n,
                "weighting": rollup.weighting,
                "weights": dict(zip(rollup.sectors, used.tolist(), strict=True)),
            }
        )
    keep = [c for c in needed if c != sector]
    totals = SurveyDesign.from_sufficient(
        table[keep].assign(**outcomes),
        weights=weights,
        strata=strata,
        psu=psu,
        fpc=fpc,
        nest=nest,
        lonely_psu=lonely_psu,
    ).total([f"_rollup_{k}" for k in range(len(rollups))])
    out = pd.DataFrame(rows).assign(
        se=totals["se"].to_numpy(), df=totals["df"].to_numpy()
    )
    half = stats.t.ppf((1 + level) / 2, out["df"]) * out["se"]
    out = out.assign(ci_low=out.estimate - half, ci_high=out.estimate + half)
    columns = ["name", "estimate", "se", "ci_low", "ci_high", "n", "df"]
    return out[[*columns, "weighting", "weights"]]
