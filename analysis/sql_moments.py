"""Sums of cross-products inside the database, for key drivers and alpha.

Computed in the same ``GROUP BY`` as the statistics query
(:mod:`analysis.sql`), so each answer is read once per run: per group, for
each *moment set* (the dimension scores with the overall rating; each
dimension's item scores), the number of
respondents who answered every variable of the set, the sums of the variables
and the sums of their pairwise products, over those respondents only. Each
group has one calibrated weight, so :mod:`analysis.insights` weights the sums
and the statistical core finishes: no respondent leaves the database.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from django.db.models import QuerySet

from analysis.insights import DRIVERS, OVERALL, MomentSet, SectorMoments, alpha_set
from analysis.sql import (
    ExtraSums,
    SurveyScoring,
    dimension_columns,
    fetch_groups,
    key_names,
    statistics_frame,
    statistics_sql,
)


def moment_sets(scoring: SurveyScoring) -> dict[str, list[tuple[str, str]]]:
    """Each set's (name, SQL column) pairs: drivers are the index dimensions'
    scores ``d<d>`` then the overall item's score; alpha sets are the items'
    scores ``s<j>`` of dimensions with two or more items."""
    items = scoring.items
    dimensions, _ = dimension_columns(scoring)
    sets: dict[str, list[tuple[str, str]]] = {}
    overall = scoring.overall_item
    rated = [d for d in scoring.index_dimensions if d != OVERALL]
    if overall is not None and rated:
        sets[DRIVERS] = [(d, f"d{dimensions.index(d)}") for d in rated] + [
            (OVERALL, f"s{items.index(overall)}")
        ]
    for dimension in dimensions:
        members = [
            (i.code, f"s{j}") for j, i in enumerate(items) if i.dimension == dimension
        ]
        if len(members) >= 2:
            sets[alpha_set(dimension)] = members
    return sets


def moment_sums(scoring: SurveyScoring) -> tuple[ExtraSums, dict[str, list[str]]]:
    """The moments as extra sums of the statistics query, and each set's
    variable names.

    Columns: per set ``m<s>_n``, ``m<s>_<a>`` (sums) and ``m<s>_<a>_<b>``
    (products, a <= b), over the respondents who answered the whole set.
    """
    sets = moment_sets(scoring)
    masked = []
    sums = []
    for s, members in enumerate(sets.values()):
        complete = " AND ".join(f"{column} IS NOT NULL" for _, column in members)
        masked += [
            f"CASE WHEN {complete} THEN {column} END AS z{s}_{a}"
            for a, (_, column) in enumerate(members)
        ]
        k = len(members)
        sums.append(f"COUNT(z{s}_0) AS m{s}_n")
        sums += [f"COALESCE(SUM(z{s}_{a}), 0.0) AS m{s}_{a}" for a in range(k)]
        sums += [
            f"COALESCE(SUM(z{s}_{a} * z{s}_{b}), 0.0) AS m{s}_{a}_{b}"
            for a in range(k)
            for b in range(a, k)
        ]
    names = {name: [n for n, _ in members] for name, members in sets.items()}
    return ExtraSums(masks=tuple(masked), sums=tuple(sums)), names


def moments_sql(
    responses: QuerySet, scoring: SurveyScoring, variables: Sequence[str]
) -> tuple[str, tuple, dict[str, list[str]], list[str]]:
    """SQL and parameters of the one pass giving a survey's statistics and
    moments, each moment set's variable names and the statistics' outcomes."""
    extra, names = moment_sums(scoring)
    sql, params, outcomes = statistics_sql(responses, scoring, variables, extra)
    return sql, params, names, outcomes


def frame_moments(
    frame: pd.DataFrame,
    sector: str,
    names: dict[str, list[str]],
    key_columns: Sequence[str],
) -> SectorMoments:
    """The moments query's rows (renamed keys) as a :class:`SectorMoments`."""
    sets = {}
    for s, (name, variables) in enumerate(names.items()):
        k = len(variables)
        s1 = frame[[f"m{s}_{a}" for a in range(k)]].to_numpy(float)
        s2 = np.empty((len(frame), k, k))
        for a in range(k):
            for b in range(a, k):
                s2[:, a, b] = s2[:, b, a] = frame[f"m{s}_{a}_{b}"].to_numpy(float)
        sets[name] = MomentSet(
            tuple(variables), frame[f"m{s}_n"].to_numpy(float), s1, s2
        )
    keys = frame[list(key_columns)].reset_index(drop=True)
    return SectorMoments(sector, keys, sets)


def survey_aggregates(
    responses: QuerySet, scoring: SurveyScoring, variables: Sequence[str]
) -> tuple[pd.DataFrame, SectorMoments | None]:
    """Statistics table and moments (None without a moment set) of a survey,
    from one ``GROUP BY`` over its responses."""
    if not scoring.items:
        return pd.DataFrame(), None
    sql, params, names, outcomes = moments_sql(responses, scoring, variables)
    frame = fetch_groups(sql, params, variables)
    table = statistics_frame(frame, outcomes)
    if not names:
        return table, None
    keys = list(key_names(variables).values())
    return table, frame_moments(frame, scoring.sector, names, keys)


def survey_moments(
    responses: QuerySet, scoring: SurveyScoring, variables: Sequence[str]
) -> SectorMoments | None:
    """The moments of :func:`survey_aggregates` alone."""
    return survey_aggregates(responses, scoring, variables)[1]
