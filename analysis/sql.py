"""Scores and sufficient statistics computed inside the database.

One query per survey: numeric answers are read from the JSON, rescaled to
0-100, averaged per dimension and into the respondent index row by row in
SQL, then ``GROUP BY`` the design, domain and weighting keys returns per
group ``_count`` and, per outcome, ``n``, ``sum`` and ``sum of squares`` —
the input of :func:`analysis.stats.design.SurveyDesign.from_sufficient`.
The same SQL runs on PostgreSQL and SQLite; only reading a JSON number
differs (:class:`JsonNumber`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from django.db import connection, transaction
from django.db.models import F, FloatField, Func, QuerySet, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce

from analysis.calibration import WEIGHTING_PREFIX, weighting_column
from analysis.compute import (
    DIMENSION_PREFIX,
    INDEX,
    NO_SERVICE_POINT,
    SATISFIED,
)
from analysis.stats.sufficient import COUNT, stat_columns

OVERALL = "overall"
SAFE_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
UNKNOWN_REGION = "(unknown)"
KEYS = ("sector", "service_point", "region", "channel")


class JsonNumber(Func):
    """The number stored under ``key`` of a JSON column; NULL for anything else
    (missing, ``null``, ``"na"``, text)."""

    output_field = FloatField()

    def __init__(self, field: str, key: str) -> None:
        super().__init__(F(field))
        self.key = key

    def as_postgresql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        sql = (
            f"(CASE WHEN jsonb_typeof({column} -> %s) = 'number' "
            f"THEN ({column} ->> %s)::double precision END)"
        )
        return sql, (*params, self.key, *params, self.key)

    def as_sqlite(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        path = '$."{}"'.format(self.key.replace('"', ""))
        sql = (
            f"(CASE WHEN json_type({column}, %s) IN ('integer', 'real') "
            f"THEN CAST(json_extract({column}, %s) AS REAL) END)"
        )
        return sql, (*params, path, *params, path)

    def as_sql(self, compiler, connection, **extra):  # pragma: no cover
        raise NotImplementedError(
            f"reading JSON numbers is implemented for PostgreSQL and SQLite, "
            f"not {connection.vendor}"
        )


@dataclass(frozen=True)
class RatingItem:
    code: str
    dimension: str
    scale_min: float
    scale_max: float
    reverse: bool = False


@dataclass(frozen=True)
class SurveyScoring:
    """How one survey's answers become outcomes (from its questionnaire)."""

    sector: str
    items: tuple[RatingItem, ...]
    weighting_codes: dict[str, str]
    min_answered: float = 0.5
    top_box: int = 2

    @property
    def index_dimensions(self) -> list[str]:
        dims = list(dict.fromkeys(i.dimension for i in self.items))
        rated = [d for d in dims if d != OVERALL]
        return rated or dims

    @property
    def overall_item(self) -> RatingItem | None:
        return next((i for i in self.items if i.dimension == OVERALL), None)


def _score(item: RatingItem, column: str) -> str:
    lo, hi = float(item.scale_min), float(item.scale_max)
    scaled = f"(100.0 * ({column} - {lo!r}) / {hi - lo!r})"
    value = f"(100.0 - {scaled})" if item.reverse else scaled
    return f"CASE WHEN {column} >= {lo!r} AND {column} <= {hi!r} THEN {value} END"


def _fence() -> str:
    # Keep PostgreSQL from inlining a layer into the next, which would read
    # each JSON answer several times per row.
    return " OFFSET 0" if connection.vendor == "postgresql" else ""


def _select(columns: str, source: str, alias: str, tail: str = "") -> str:
    # Only generated aliases and numbers are spliced in; answer keys and other
    # values travel as parameters of the inner ORM query.
    fence = _fence() if not tail else ""
    return f"SELECT {columns} FROM ({source}) AS {alias}{tail}{fence}"  # noqa: S608


def _keys(responses: QuerySet, scoring: SurveyScoring) -> QuerySet:
    return responses.annotate(
        k_sector=Value(scoring.sector),
        k_service_point=Coalesce(F("service_point__code"), Value(NO_SERVICE_POINT)),
        k_region=Coalesce(F("service_point__region__code"), Value(UNKNOWN_REGION)),
        k_channel=F("channel"),
    )


def _answers_generic(
    responses: QuerySet, scoring: SurveyScoring, variables: Sequence[str]
) -> tuple[str, tuple]:
    """Keys and numeric answers, reading the JSON once per key (SQLite)."""
    items = scoring.items
    inner = _keys(responses, scoring).annotate(
        **{f"x{j}": JsonNumber("answers", item.code) for j, item in enumerate(items)},
        **{
            f"k_w{k}": KeyTextTransform(scoring.weighting_codes[v], "answers")
            if v in scoring.weighting_codes
            else Value(None, output_field=FloatField())
            for k, v in enumerate(variables)
        },
    )
    columns = [
        *[f"k_{key}" for key in KEYS],
        *[f"k_w{k}" for k in range(len(variables))],
        *[f"x{j}" for j in range(len(items))],
    ]
    sql, params = inner.values(*columns).query.sql_with_params()
    return sql, tuple(params)


def _answers_postgresql(
    responses: QuerySet, scoring: SurveyScoring, variables: Sequence[str]
) -> tuple[str, tuple]:
    """The same, parsing each response's JSON once (``jsonb_to_record``)."""
    q = connection.ops.quote_name
    codes = [i.code for i in scoring.items] + [
        scoring.weighting_codes[v] for v in variables if v in scoring.weighting_codes
    ]
    for code in codes:
        if not SAFE_CODE.fullmatch(code):
            raise ValueError(f"question code {code!r} is not a plain identifier")
    codes = list(dict.fromkeys(codes))
    inner = _keys(responses, scoring).values(*[f"k_{key}" for key in KEYS], "answers")
    sql, params = inner.query.sql_with_params()
    numbers = [
        f"CASE WHEN jsonb_typeof(a.{q(item.code)}) = 'number' "
        f"THEN (a.{q(item.code)})::double precision END AS x{j}"
        for j, item in enumerate(scoring.items)
    ]
    texts = [
        f"(a.{q(scoring.weighting_codes[v])} #>> '{{}}') AS k_w{k}"
        if v in scoring.weighting_codes
        else f"CAST(NULL AS text) AS k_w{k}"
        for k, v in enumerate(variables)
    ]
    record = ", ".join(f"{q(code)} jsonb" for code in codes)
    keys = ", ".join(f"r0.{q(f'k_{key}')}" for key in KEYS)
    source = (
        f"({sql}) AS r0 CROSS JOIN LATERAL jsonb_to_record(r0.answers) AS a({record})"
    )
    columns = ", ".join([keys, *texts, *numbers])
    # OFFSET 0 keeps the planner from re-reading each answer in every layer
    return f"SELECT {columns} FROM {source} OFFSET 0", tuple(params)  # noqa: S608


def scores_sql(
    responses: QuerySet, scoring: SurveyScoring, variables: Sequence[str]
) -> tuple[str, tuple, str]:
    """One row per response: the keys, item scores ``s<j>`` (0-100) and ``sat``.

    Returns the SQL, its parameters and the quoted key list to group by; the
    statistics query and the moments query (:mod:`analysis.sql_moments`)
    both build on it.
    """
    q = connection.ops.quote_name
    items = scoring.items
    if connection.vendor == "postgresql":
        inner_sql, params = _answers_postgresql(responses, scoring, variables)
    else:
        inner_sql, params = _answers_generic(responses, scoring, variables)
    keys = [q(f"k_{key}") for key in KEYS] + [
        q(f"k_w{k}") for k in range(len(variables))
    ]
    key_list = ", ".join(keys)
    # item scores 0-100 (and the overall rating as given)
    scores = [f"{_score(item, q(f'x{j}'))} AS s{j}" for j, item in enumerate(items)]
    overall = scoring.overall_item
    if overall is not None:
        position = items.index(overall)
        threshold = float(overall.scale_max) - scoring.top_box
        rating = q(f"x{position}")
        satisfied = (
            f"CASE WHEN {rating} >= {float(overall.scale_min)!r} "
            f"AND {rating} <= {float(overall.scale_max)!r} "
            f"THEN (CASE WHEN {rating} > {threshold!r} THEN 1.0 ELSE 0.0 END) END"
        )
    else:
        satisfied = "CAST(NULL AS REAL)"
    sql = _select(
        f"{key_list}, {', '.join(scores)}, {satisfied} AS sat", inner_sql, "r"
    )
    return sql, params, key_list


def dimension_columns(scoring: SurveyScoring) -> tuple[list[str], list[str]]:
    """The dimensions and, per dimension, the SQL of its score ``d<d>`` from
    the item scores: the mean of the answered items when enough are answered."""
    items = scoring.items
    dimensions = list(dict.fromkeys(i.dimension for i in items))
    dim_sql = []
    for d, dimension in enumerate(dimensions):
        members = [j for j, i in enumerate(items) if i.dimension == dimension]
        answered = " + ".join(
            f"(CASE WHEN s{j} IS NULL THEN 0 ELSE 1 END)" for j in members
        )
        total = " + ".join(f"COALESCE(s{j}, 0.0)" for j in members)
        need = max(scoring.min_answered * len(members) - 1e-9, 1e-9)
        dim_sql.append(
            f"CASE WHEN ({answered}) >= {need!r} "
            f"THEN ({total}) / ({answered}) END AS d{d}"
        )
    return dimensions, dim_sql


@dataclass(frozen=True)
class ExtraSums:
    """More per-group sums computed in the same pass over the answers.

    ``masks`` are columns of the respondent layer (they may use the item
    scores ``s<j>``, the dimension scores ``d<d>`` and ``sat``); ``sums`` are
    aggregates over them. The moments query (:mod:`analysis.sql_moments`)
    rides on the statistics query this way, so each answer is read once.
    """

    masks: tuple[str, ...] = ()
    sums: tuple[str, ...] = ()


def statistics_sql(
    responses: QuerySet,
    scoring: SurveyScoring,
    variables: Sequence[str],
    extra: ExtraSums | None = None,
) -> tuple[str, tuple, list[str]]:
    """SQL, parameters and outcome names of the survey's statistics query."""
    extra = extra or ExtraSums()
    # layer 1: item scores 0-100 (and the overall rating as given)
    layer1, params, key_list = scores_sql(responses, scoring, variables)
    # layer 2: dimension scores, respondents answering enough of their items
    dimensions, dim_sql = dimension_columns(scoring)
    items = [f"s{j}" for j in range(len(scoring.items))] if extra.masks else []
    layer2 = _select(f"{key_list}, {', '.join(['sat', *items, *dim_sql])}", layer1, "s")
    # layer 3: respondent index, equal dimension weights over those scored
    indexed = [f"d{dimensions.index(d)}" for d in scoring.index_dimensions]
    present = " + ".join(f"(CASE WHEN {d} IS NULL THEN 0 ELSE 1 END)" for d in indexed)
    total = " + ".join(f"COALESCE({d}, 0.0)" for d in indexed)
    dim_list = [f"d{d}" for d in range(len(dimensions))]
    index = f"({total}) / NULLIF({present}, 0) AS idx"
    layer3 = _select(
        f"{key_list}, {', '.join(['sat', *dim_list, index, *extra.masks])}",
        layer2,
        "t",
    )
    outcomes = [("idx", INDEX), ("sat", SATISFIED)] + [
        (f"d{d}", f"{DIMENSION_PREFIX}{dimension}")
        for d, dimension in enumerate(dimensions)
    ]
    sums = ["COUNT(*) AS n_all"]
    for o, (column, _name) in enumerate(outcomes):
        sums += [
            f"COUNT({column}) AS o{o}_n",
            f"COALESCE(SUM({column}), 0.0) AS o{o}_sum",
            f"COALESCE(SUM({column} * {column}), 0.0) AS o{o}_sq",
        ]
    sql = _select(
        f"{key_list}, {', '.join([*sums, *extra.sums])}",
        layer3,
        "u",
        f" GROUP BY {key_list}",
    )
    return sql, tuple(params), [name for _column, name in outcomes]


def key_names(variables: Sequence[str]) -> dict[str, str]:
    """Key columns of a grouped query, as the core names them."""
    renames = {f"k_{key}": key for key in KEYS}
    renames.update({f"k_w{k}": weighting_column(v) for k, v in enumerate(variables)})
    return renames


def fetch_groups(sql: str, params: tuple, variables: Sequence[str]) -> pd.DataFrame:
    """Run a query grouped by the keys; key columns named as the core does."""
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in _aggregation_settings():
            cursor.execute(setting)
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        rows = cursor.fetchall()
    frame = pd.DataFrame.from_records(rows, columns=names)
    return frame.rename(columns=key_names(variables))


def _aggregation_settings() -> list[str]:
    """Planner settings for one pass over a survey's responses (PostgreSQL).

    Measured on 1M responses (benchmarks/pipeline.py): with the default 4 MB
    of work_mem the few thousand groups are sorted on disk, where a hash
    table in memory is ~40% faster; JIT compiles for ~0.2 s per query and per
    parallel worker and gains nothing on these expressions; the default
    parallel costs keep the JSON reading, the bulk of the work, in one
    process. ``SET LOCAL`` ends with the transaction.
    """
    if connection.vendor != "postgresql":
        return []
    return [
        "SET LOCAL work_mem = '64MB'",
        "SET LOCAL jit = off",
        "SET LOCAL parallel_setup_cost = 0",
        "SET LOCAL parallel_tuple_cost = 0",
        "SET LOCAL min_parallel_index_scan_size = 0",
    ]


def statistics_frame(frame: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """The statistics columns of a grouped frame, named as the core expects."""
    renames = {"n_all": COUNT}
    for o, name in enumerate(outcomes):
        n_col, sum_col, sq_col = stat_columns(name)
        renames.update({f"o{o}_n": n_col, f"o{o}_sum": sum_col, f"o{o}_sq": sq_col})
    keys = [c for c in frame.columns if c in KEYS or c.startswith(WEIGHTING_PREFIX)]
    table = frame[[*keys, *renames]].rename(columns=renames)
    numeric = [c for c in table.columns if c == COUNT or c.endswith("__n")]
    numeric += [c for c in table.columns if c.endswith(("__sum", "__sumsq"))]
    return table.astype(dict.fromkeys(numeric, float))


def survey_statistics(
    responses: QuerySet, scoring: SurveyScoring, variables: Sequence[str]
) -> pd.DataFrame:
    """Run :func:`statistics_sql`; one row per group, named as the core expects."""
    if not scoring.items:
        return pd.DataFrame()
    sql, params, outcomes = statistics_sql(responses, scoring, variables)
    return statistics_frame(fetch_groups(sql, params, variables), outcomes)
