"""Linear estimators on tables of rows: means, totals, ratios, proportions.

Each estimator gives, for every (outcome, domain), the point estimate and the
influence values ``slope * y + intercept`` of its answering respondents; the
variance, design effect, degrees of freedom and interval follow R's
``svymean``, ``svytotal``, ``svyratio``, ``svyciprop`` and ``svyby``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from .intervals import proportion_interval, wald_interval
from .replicates import jackknife_df, jackknife_variance
from .sufficient import group_codes, ratio_columns, stat_columns
from .variance import DesignRows, design_df, linearized_variance, present_strata

__all__ = ["Estimator", "estimate_table"]

FIELDS = ("estimate", "se", "ci_low", "ci_high", "n", "deff", "df")


@dataclass(frozen=True)
class Estimator:
    """Which statistic to compute (``denominator`` for ratios)."""

    kind: Literal["mean", "total", "ratio", "proportion"]
    denominator: str | None = None

    def table_outcomes(self, names: Sequence[str]) -> list[str]:
        if self.kind == "ratio":
            return list(ratio_columns(names[0], self.denominator or ""))
        return list(names)


def _stats(table: pd.DataFrame, names: Sequence[str]) -> list[np.ndarray]:
    columns = [stat_columns(name) for name in names]
    return [
        np.column_stack([table[c[i]].to_numpy(dtype=float) for c in columns])
        for i in range(3)
    ]


def _domains(table: pd.DataFrame, by: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Domain code of each row and the sorted domain labels (NaN domains left out)."""
    if not by:
        return np.zeros(len(table), dtype=np.int64), pd.DataFrame(index=[0])
    codes, first = group_codes(table[list(by)])
    labels = table[list(by)].iloc[first].reset_index(drop=True)
    keep = labels.notna().all(axis=1).to_numpy()
    order = labels[keep].sort_values(list(by)).index.to_numpy()
    remap = np.full(len(first), -1, dtype=np.int64)
    remap[order] = np.arange(len(order))
    return remap[codes], labels.loc[order].reset_index(drop=True)


def _srs_variance(
    weighted: np.ndarray,
    answered: np.ndarray,
    sums: np.ndarray,
    sumsq: np.ndarray,
    centre: np.ndarray,
    n_obs: np.ndarray,
    total_weight: np.ndarray,
) -> np.ndarray:
    """R's ``svyvar``: :math:`\\frac{n}{n-1}\\sum w (y-c)^2/\\sum w`."""
    squares = (weighted * (sumsq - 2 * centre * sums + centre**2 * answered)).sum(
        axis=0
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        return n_obs / (n_obs - 1) * squares / total_weight


@dataclass(frozen=True)
class _Parts:
    """Point estimate, influence coefficients and SRS variance of one domain."""

    estimate: np.ndarray
    slope: np.ndarray
    intercept: np.ndarray
    sums: np.ndarray
    sumsq: np.ndarray
    answered: np.ndarray
    vsrs: np.ndarray
    numerator: np.ndarray  # weighted row sums whose ratio is the estimate
    denominator: np.ndarray | None


def _srs_total(
    s2: np.ndarray, total_weight: np.ndarray, n_obs: np.ndarray
) -> np.ndarray:
    """Variance of a total under SRS without replacement (R's ``svytotal``)."""
    return s2 * total_weight**2 * (total_weight - n_obs) / (total_weight * n_obs)


def _ratio_parts(weighted, answered, sums, sumsq, n_obs, total_weight) -> _Parts:
    """Ratio: influence ``w (y - R x) / X``; stats are (y, x, y*x)."""
    y_sum, x_sum, p_sum = (sums[:, i : i + 1] for i in range(3))
    weighted, answered = weighted[:, :1], answered[:, :1]
    n_obs, total_weight = n_obs[:1], total_weight[:1]
    x_total = (weighted * x_sum).sum(axis=0)
    estimate = (weighted * y_sum).sum(axis=0) / x_total
    u_sum = y_sum - estimate * x_sum
    u_sq = sumsq[:, :1] - 2 * estimate * p_sum + estimate**2 * sumsq[:, 1:2]
    mean_u = (weighted * u_sum).sum(axis=0) / total_weight
    s2 = _srs_variance(weighted, answered, u_sum, u_sq, mean_u, n_obs, total_weight)
    return _Parts(
        estimate,
        weighted / x_total,
        np.zeros_like(weighted),
        u_sum,
        u_sq,
        answered,
        _srs_total(s2 / x_total**2, total_weight, n_obs),
        weighted * y_sum,
        weighted * x_sum,
    )


def _parts(
    kind: str,
    weighted: np.ndarray,
    answered: np.ndarray,
    sums: np.ndarray,
    sumsq: np.ndarray,
    n_obs: np.ndarray,
    total_weight: np.ndarray,
) -> _Parts:
    if kind == "ratio":
        return _ratio_parts(weighted, answered, sums, sumsq, n_obs, total_weight)
    weighted_sum = (weighted * sums).sum(axis=0)
    mean = weighted_sum / total_weight
    s2 = _srs_variance(weighted, answered, sums, sumsq, mean, n_obs, total_weight)
    if kind == "total":
        return _Parts(
            weighted_sum,
            weighted,
            np.zeros_like(weighted),
            sums,
            sumsq,
            answered,
            _srs_total(s2, total_weight, n_obs),
            weighted * sums,
            None,
        )
    vsrs = s2 * (total_weight - n_obs) / (total_weight * n_obs)
    slope = weighted / total_weight
    return _Parts(
        mean,
        slope,
        -slope * mean,
        sums,
        sumsq,
        answered,
        np.where(total_weight < n_obs, np.nan, vsrs),
        weighted * sums,
        weighted * answered,
    )


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1 - p))


def _one_domain(
    estimator: Estimator,
    rows: DesignRows,
    stats: list[np.ndarray],
    in_domain: np.ndarray,
) -> dict[str, np.ndarray]:
    answered, sums, sumsq = stats
    weighted = (rows.weight * in_domain)[:, None] * np.ones(answered.shape[1])
    member = answered * (weighted > 0)
    # R's degf counts PSUs of the (domain) design, answering or not.
    in_design = (rows.count * in_domain * (rows.weight > 0))[:, None]
    n_obs = member.sum(axis=0)
    total_weight = (weighted * answered).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        parts = _parts(
            estimator.kind, weighted, answered, sums, sumsq, n_obs, total_weight
        )
        interval_se = None
        if rows.replicates is not None:
            variance = jackknife_variance(rows, parts.numerator, parts.denominator)
            if estimator.kind == "proportion":
                # svyciprop(method="logit") on a replicate design fits the
                # logit per replicate: its SE, back on the scale of p.
                logit_var = jackknife_variance(
                    rows, parts.numerator, parts.denominator, _logit
                )
                p = parts.estimate
                interval_se = np.sqrt(logit_var) * p * (1 - p)
            df = jackknife_df(rows, in_design[:, 0])
        else:
            present = present_strata(rows, member[:, : len(parts.estimate)] > 0)
            variance = linearized_variance(
                rows,
                parts.slope,
                parts.intercept,
                parts.sums,
                parts.sumsq,
                parts.answered,
                present,
            )
            df = design_df(rows, in_design)
        deff = variance / parts.vsrs
    estimate = parts.estimate
    return {
        "estimate": estimate,
        "se": np.sqrt(variance),
        "n": n_obs[: len(estimate)],
        "deff": deff,
        "interval_se": np.sqrt(variance) if interval_se is None else interval_se,
        "df": np.broadcast_to(np.asarray(df, dtype=float), estimate.shape),
        "n_rows": np.full(
            len(estimate),
            (rows.count * (in_domain if not rows.calibrated else 1.0)).sum(),
        ),
    }


def estimate_table(
    estimator: Estimator,
    rows: DesignRows,
    table: pd.DataFrame,
    names: Sequence[str],
    by: Sequence[str],
    *,
    level: float = 0.95,
    ci: str = "normal",
    method: str = "logit",
) -> pd.DataFrame:
    """Estimates for every outcome and domain, one row each."""
    outcomes = estimator.table_outcomes(names)
    stats = _stats(table, outcomes)
    codes, labels = _domains(table, by)
    records: list[dict[str, Any]] = []
    for d in range(len(labels)):
        in_domain = (codes == d).astype(float)
        result = _one_domain(estimator, rows, stats, in_domain)
        if estimator.kind == "proportion":
            se = result["interval_se"] if method == "logit" else result["se"]
            low, high = proportion_interval(
                result["estimate"],
                se,
                method=method,  # type: ignore[arg-type]
                df=result["df"],
                n_rows=result["n_rows"],
                level=level,
            )
        else:
            df = result["df"] if ci == "t" else np.inf
            low, high = wald_interval(
                result["estimate"], result["se"], df=df, level=level
            )
        label = labels.iloc[d].to_dict() if by else {}
        for k, name in enumerate(names[: len(result["estimate"])]):
            records.append(
                {
                    "variable": name,
                    **label,
                    "estimate": result["estimate"][k],
                    "se": result["se"][k],
                    "ci_low": low[k],
                    "ci_high": high[k],
                    "n": int(result["n"][k]),
                    "deff": result["deff"][k],
                    "df": result["df"][k],
                }
            )
    columns = ["variable", *by, *FIELDS]
    return pd.DataFrame.from_records(records, columns=columns)
