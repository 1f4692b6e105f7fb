"""The microdata path: responses loaded into pandas and scored by the core.

The pipeline never uses this for a run (it aggregates in the database, see
:mod:`analysis.sql`); it exists as the reference the SQL is checked against
in the tests and as the naive path the benchmark compares with.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce

from analysis.calibration import weighting_column
from analysis.compute import (
    DIMENSION_PREFIX,
    INDEX,
    NO_SERVICE_POINT,
    SATISFIED,
)
from analysis.insights import MomentSet, SectorMoments
from analysis.sql import UNKNOWN_REGION, SurveyScoring
from analysis.sql_moments import moment_sets
from analysis.stats.scoring import (
    Item,
    dimension_scores,
    dimension_weights,
    item_scores,
    respondent_index,
)
from analysis.stats.sufficient import aggregate

KEYS = ["sector", "service_point", "region", "channel"]


def responses_microdata(responses: QuerySet, scoring: SurveyScoring) -> pd.DataFrame:
    """One row per response: keys and the raw answers (one query)."""
    rows = responses.annotate(
        sp=Coalesce(F("service_point__code"), Value(NO_SERVICE_POINT)),
        rg=Coalesce(F("service_point__region__code"), Value(UNKNOWN_REGION)),
    ).values_list("sp", "rg", "channel", "answers")
    frame = pd.DataFrame.from_records(
        list(rows), columns=["service_point", "region", "channel", "answers"]
    )
    answers = pd.DataFrame.from_records(frame.pop("answers").tolist())
    return pd.concat([frame.assign(sector=scoring.sector), answers], axis=1)


def _numeric(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.where(series.map(_is_number)), errors="coerce")


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _scored(
    frame: pd.DataFrame, scoring: SurveyScoring
) -> tuple[list[Item], pd.DataFrame, pd.DataFrame, pd.Series, np.ndarray]:
    """Items, item scores, dimension scores, respondent index and the
    satisfied flag of every response, by the core's scoring."""
    items = [
        Item(i.code, i.dimension, i.scale_min, i.scale_max, i.reverse)
        for i in scoring.items
    ]
    ratings = pd.DataFrame(
        {
            i.code: _numeric(frame[i.code])
            if i.code in frame
            else pd.Series(np.nan, frame.index)
            for i in items
        },
        index=frame.index,
    )
    # out-of-scale ratings count as unanswered, as in the SQL
    for item in items:
        column = ratings[item.code]
        ratings[item.code] = column.where(
            (column >= item.scale_min) & (column <= item.scale_max)
        )
    scores = item_scores(ratings, items)
    dims = dimension_scores(scores, items, min_answered=scoring.min_answered)
    chosen = scoring.index_dimensions
    index = respondent_index(dims[chosen], dimension_weights(chosen, "equal"))
    overall = scoring.overall_item
    if overall is not None:
        rating = ratings[overall.code]
        satisfied = np.where(
            rating.isna(), np.nan, rating > overall.scale_max - scoring.top_box
        )
    else:
        satisfied = np.full(len(frame), np.nan)
    return items, scores, dims, index, satisfied


def _weighting_keys(
    frame: pd.DataFrame, scoring: SurveyScoring, variables: Sequence[str]
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            weighting_column(v): frame[scoring.weighting_codes[v]]
            if v in scoring.weighting_codes and scoring.weighting_codes[v] in frame
            else pd.Series(None, index=frame.index, dtype=object)
            for v in variables
        },
        index=frame.index,
    )


def microdata_statistics(
    frame: pd.DataFrame, scoring: SurveyScoring, variables: Sequence[str]
) -> pd.DataFrame:
    """Score ``frame`` with the core and aggregate it to sufficient statistics."""
    _items, _scores, dims, index, satisfied = _scored(frame, scoring)
    keys = _weighting_keys(frame, scoring, variables)
    scored = pd.concat(
        [
            frame[KEYS],
            keys,
            index.rename(INDEX),
            pd.Series(satisfied, index=frame.index, name=SATISFIED),
            dims.add_prefix(DIMENSION_PREFIX),
        ],
        axis=1,
    )
    outcomes = [INDEX, SATISFIED, *(DIMENSION_PREFIX + d for d in dims.columns)]
    return aggregate(scored, [*KEYS, *keys], outcomes)


def microdata_moments(
    frame: pd.DataFrame, scoring: SurveyScoring, variables: Sequence[str]
) -> SectorMoments | None:
    """The moments of :mod:`analysis.sql_moments`, from the core's scores
    (the reference the SQL is checked against)."""
    sets = moment_sets(scoring)
    if not scoring.items or not sets:
        return None
    items, scores, dims, _index, _satisfied = _scored(frame, scoring)
    codes = [i.code for i in items]
    columns = {
        f"d{k}": dims[d]
        for k, d in enumerate(dict.fromkeys(i.dimension for i in items))
    }
    columns.update({f"s{j}": scores[code] for j, code in enumerate(codes)})
    keys = pd.concat([frame[KEYS], _weighting_keys(frame, scoring, variables)], axis=1)
    group, uniques = pd.factorize(
        pd.MultiIndex.from_frame(keys.astype(object).where(keys.notna(), None))
    )
    g = len(uniques)
    out = {}
    for name, members in sets.items():
        values = np.column_stack([columns[c].to_numpy(float) for _, c in members])
        complete = ~np.isnan(values).any(axis=1)
        z = np.where(complete[:, None], values, 0.0)
        s1 = np.zeros((g, z.shape[1]))
        s2 = np.zeros((g, z.shape[1], z.shape[1]))
        np.add.at(s1, group, z)
        np.add.at(s2, group, z[:, :, None] * z[:, None, :])
        n = np.bincount(group, complete.astype(float), g)
        out[name] = MomentSet(tuple(v for v, _ in members), n, s1, s2)
    key_frame = pd.DataFrame(list(uniques), columns=list(keys.columns))
    return SectorMoments(scoring.sector, key_frame, out)
