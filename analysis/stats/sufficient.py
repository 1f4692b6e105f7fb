"""Mergeable sufficient statistics for design-based estimation.

Every estimator of :class:`~analysis.stats.design.SurveyDesign` (means, totals,
ratios, proportions, their domains, post-stratification, raking, trimming, the
linearization variance and the design effect) is a function of per-group sums
over the groups formed by the design and analysis columns::

    (stratum, PSU, fpc, weight, calibration variables..., domain variables...)

For each group the table holds ``_count`` (respondents) and, for each outcome
``y``, ``y__n`` (non-missing answers), ``y__sum`` and ``y__sumsq``. Sums are
associative, so a table can be built by one SQL ``GROUP BY`` inside the
database, or per partition by parallel workers and merged with :func:`combine`;
the estimates are then the same as from the microdata (up to the order of
floating-point additions). Ratios need a cross-product column: see
:func:`ratio_columns`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "COUNT",
    "aggregate",
    "combine",
    "ratio_columns",
    "stat_columns",
]

COUNT = "_count"
_SUFFIXES = ("__n", "__sum", "__sumsq")
_DENSE_LIMIT = 2**22  # largest code range renumbered through a lookup table


def stat_columns(outcome: str) -> tuple[str, str, str]:
    """Names of the three sufficient-statistic columns of ``outcome``.

    Examples
    --------
    >>> stat_columns("score")
    ('score__n', 'score__sum', 'score__sumsq')
    """
    return tuple(f"{outcome}{suffix}" for suffix in _SUFFIXES)  # type: ignore[return-value]


def ratio_columns(numerator: str, denominator: str) -> tuple[str, str, str]:
    """Derived outcomes that make ``ratio(numerator, denominator)`` computable.

    Both are restricted to respondents answering both; the third is their
    product. In SQL, ``CASE WHEN y IS NOT NULL AND x IS NOT NULL THEN y END``
    and so on.

    Examples
    --------
    >>> ratio_columns("spend", "visits")
    ('spend|visits:num', 'spend|visits:den', 'spend|visits:prod')
    """
    stem = f"{numerator}|{denominator}"
    return (f"{stem}:num", f"{stem}:den", f"{stem}:prod")


def add_ratio_outcomes(
    frame: pd.DataFrame, numerator: str, denominator: str
) -> pd.DataFrame:
    """Return ``frame`` with the three derived columns of :func:`ratio_columns`.

    Notes
    -----
    The ratio :math:`\\hat R = \\sum w y/\\sum w x` and its influence
    :math:`w(y - \\hat R x)/\\hat X` need :math:`\\sum y`, :math:`\\sum x`,
    :math:`\\sum y^2`, :math:`\\sum x^2` and :math:`\\sum xy` over respondents
    answering both (Cochran 1977, ch. 6).

    Examples
    --------
    >>> frame = pd.DataFrame({"y": [1.0, 2.0, None], "x": [2.0, None, 4.0]})
    >>> add_ratio_outcomes(frame, "y", "x")["y|x:prod"].tolist()
    [2.0, nan, nan]
    """
    num = frame[numerator].to_numpy(dtype=float)
    den = frame[denominator].to_numpy(dtype=float)
    both = ~(np.isnan(num) | np.isnan(den))
    names = ratio_columns(numerator, denominator)
    return frame.assign(
        **{
            names[0]: np.where(both, num, np.nan),
            names[1]: np.where(both, den, np.nan),
            names[2]: np.where(both, num * den, np.nan),
        }
    )


def group_codes(
    keys: pd.DataFrame, cache: dict[str, tuple[np.ndarray, int]] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Dense group code of each row and the first row of each group.

    Each key column is factorized once (missing values form their own group;
    ``cache`` keeps the codes of a column for later calls); codes are
    combined in mixed radix and re-factorized when they grow large, so the
    cost is linear in the number of rows.

    Examples
    --------
    >>> keys = pd.DataFrame({"a": [1, 2, 1], "b": ["x", "y", "x"]})
    >>> groups, first = group_codes(keys)
    >>> groups.tolist(), first.tolist()
    ([0, 1, 0], [0, 1])
    """
    n_rows = len(keys)
    code = np.zeros(n_rows, dtype=np.int64)
    n_codes = 1
    for column in keys.columns:
        if cache is not None and column in cache:
            part, size = cache[column]
        else:
            part, uniques = pd.factorize(keys[column], use_na_sentinel=False)
            part, size = part.astype(np.int64), max(len(uniques), 1)
            if cache is not None:
                cache[column] = (part, size)
        if n_codes * size > _DENSE_LIMIT:
            code, n_codes = _compact(code, n_codes)
        code = code * size + part
        n_codes *= size
    groups, n_groups = _compact(code, n_codes)
    first = np.empty(n_groups, dtype=np.int64)
    first[groups[::-1]] = np.arange(n_rows - 1, -1, -1)
    return groups, first


def _compact(code: np.ndarray, n_codes: int) -> tuple[np.ndarray, int]:
    """Renumber codes ``0 .. n_codes-1`` densely, by table or by hashing."""
    if n_codes <= _DENSE_LIMIT:
        used = np.bincount(code, minlength=n_codes) > 0
        renumber = np.cumsum(used) - 1
        return renumber[code], int(used.sum())
    groups, uniques = pd.factorize(code)
    return groups.astype(np.int64), len(uniques)


def _group_table(
    keys: pd.DataFrame,
    values: Iterable[tuple[str, np.ndarray | None]],
    cache: dict[str, tuple[np.ndarray, int]] | None = None,
) -> pd.DataFrame:
    groups, first = group_codes(keys, cache)
    n_groups = len(first)
    out = keys.iloc[first].reset_index(drop=True)
    sums: dict[str, np.ndarray] = {}
    for name, value in values:
        if value is None:
            sums[name] = sums[COUNT]
        else:
            sums[name] = np.bincount(groups, weights=value, minlength=n_groups)
    return pd.concat([out, pd.DataFrame(sums)], axis=1)


def _outcome_sums(
    frame: pd.DataFrame, outcomes: Iterable[str]
) -> Iterable[tuple[str, np.ndarray | None]]:
    """Per-respondent terms of each statistic, one column at a time."""
    yield COUNT, np.ones(len(frame))
    for outcome in outcomes:
        y = frame[outcome].to_numpy(dtype=float)
        observed = ~np.isnan(y)
        n_col, sum_col, sq_col = stat_columns(outcome)
        if observed.all():
            yield n_col, None  # same as the count
            y0 = y
        else:
            yield n_col, observed.astype(float)
            y0 = np.where(observed, y, 0.0)
        yield sum_col, y0
        yield sq_col, y0 * y0


def aggregate(
    frame: pd.DataFrame,
    keys: Sequence[str],
    outcomes: Iterable[str],
    cache: dict[str, tuple[np.ndarray, int]] | None = None,
) -> pd.DataFrame:
    """Sufficient statistics of ``outcomes`` per group of ``keys``.

    Parameters
    ----------
    frame : DataFrame
        Microdata, one row per respondent. Outcomes must be numeric; missing
        answers are NaN.
    keys : sequence of str
        Grouping columns: design columns (strata, PSU, fpc, weights) and any
        calibration and domain columns to be used later.
    outcomes : iterable of str
        Numeric outcome columns.
    cache : dict, optional
        Factorized key columns from earlier calls on the same frame.

    Returns
    -------
    DataFrame
        One row per group: the key values, ``_count``, and ``y__n``,
        ``y__sum``, ``y__sumsq`` per outcome.

    Notes
    -----
    For group :math:`g`: :math:`n_g`, and per outcome
    :math:`m_g = \\sum_{i\\in g} 1[y_i \\text{ observed}]`,
    :math:`s_g = \\sum_{i\\in g} y_i`, :math:`q_g = \\sum_{i\\in g} y_i^2`.
    The SQL equivalent is ``SELECT keys, COUNT(*), COUNT(y), SUM(y),
    SUM(y*y) ... GROUP BY keys``.

    References
    ----------
    Chan, T. F., Golub, G. H., & LeVeque, R. J. (1979). Updating formulae and a
    pairwise algorithm for computing sample variances. Stanford CS-TR-79-773.

    Examples
    --------
    >>> frame = pd.DataFrame({"g": ["a", "a", "b"], "y": [1.0, None, 3.0]})
    >>> aggregate(frame, ["g"], ["y"])
       g  _count  y__n  y__sum  y__sumsq
    0  a     2.0   1.0     1.0       1.0
    1  b     1.0   1.0     3.0       9.0
    """
    return _group_table(frame[list(keys)], _outcome_sums(frame, outcomes), cache)


def collapse(table: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Re-aggregate a sufficient-statistics table to the coarser ``keys``.

    Examples
    --------
    >>> table = pd.DataFrame({"g": ["a", "a"], "h": [1, 2], "_count": [2.0, 3.0]})
    >>> collapse(table, ["g"])
       g  _count
    0  a     5.0
    """
    key_list = list(keys)
    value_columns = [c for c in table.columns if c == COUNT or c.endswith(_SUFFIXES)]
    values = ((c, table[c].to_numpy(dtype=float)) for c in value_columns)
    return _group_table(table[key_list], values)


def combine(tables: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Merge sufficient-statistics tables of disjoint partitions of the sample.

    Tables must share the same key and statistic columns; sums of the same
    group are added.

    Notes
    -----
    Merging is exact because every statistic is a sum:
    :math:`s_g = s_g^{(1)} + s_g^{(2)}`. A partition may be any split of the
    respondents (by date, by worker, by database shard); a PSU may even be
    split across partitions.

    Examples
    --------
    >>> a = pd.DataFrame({"g": ["x"], "_count": [1.0], "y__sum": [2.0]})
    >>> b = pd.DataFrame({"g": ["x"], "_count": [2.0], "y__sum": [5.0]})
    >>> combine([a, b])
       g  _count  y__sum
    0  x     3.0     7.0
    """
    parts = list(tables)
    if not parts:
        raise ValueError("combine needs at least one table")
    columns = list(parts[0].columns)
    for part in parts[1:]:
        if set(part.columns) != set(columns):
            raise ValueError(
                "tables to combine have different columns: "
                f"{sorted(set(part.columns) ^ set(columns))}"
            )
    stacked = pd.concat([part[columns] for part in parts], ignore_index=True)
    keys = [c for c in columns if not (c == COUNT or c.endswith(_SUFFIXES))]
    return collapse(stacked, keys)
