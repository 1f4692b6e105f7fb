"""The sufficient-statistics path gives the microdata results.

Tables are built per partition (as parallel workers would) and merged, or by
an SQL GROUP BY in SQLite; designs over them must reproduce the microdata
estimates, SEs, intervals, deff and df to 1e-10, calibration included.
"""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.stats import SurveyDesign, aggregate, combine
from analysis.stats.sufficient import add_ratio_outcomes, ratio_columns

from .conftest import Block, python_block
from .test_design_random_r import BLOCKS, Spec, build, make_frame, specs

KEYS = ["s", "p", "pop", "frac", "w", "age", "sex", "d"]
OUTCOMES = ["y", "x", "z", *ratio_columns("y", "x")]


def partitioned_table(frame: pd.DataFrame, parts: int, seed: int) -> pd.DataFrame:
    """Sufficient statistics built on random partitions, then merged."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, parts, len(frame))
    with_ratio = add_ratio_outcomes(frame, "y", "x")
    tables = [
        aggregate(with_ratio[labels == k], KEYS, OUTCOMES)
        for k in range(parts)
        if (labels == k).any()
    ]
    return combine(tables)


def assert_same(micro: SurveyDesign, stats: SurveyDesign, blocks: list[Block]) -> None:
    for block in blocks:
        np.testing.assert_allclose(
            python_block(stats, block),
            python_block(micro, block),
            rtol=1e-10,
            atol=1e-12,
            err_msg=str(block),
        )


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs(), st.integers(1, 5))
def test_merged_partition_statistics_reproduce_the_microdata(spec: Spec, parts: int):
    frame = make_frame(spec)
    table = partitioned_table(frame, parts, spec.seed)
    micro, _ = build(spec, frame)
    stats, _ = build(spec, frame, table)
    assert_same(micro, stats, list(BLOCKS))


SQL = """
SELECT stype, dnum, fpc, pw, "sch.wide" AS schwide_label, awards,
       COUNT(*) AS _count,
       COUNT(api00) AS api00__n, SUM(api00) AS api00__sum,
       SUM(api00 * api00) AS api00__sumsq,
       COUNT(schwide) AS schwide__n, SUM(schwide) AS schwide__sum,
       SUM(schwide * schwide) AS schwide__sumsq
FROM responses
GROUP BY stype, dnum, fpc, pw, "sch.wide", awards
"""


def test_a_sql_group_by_gives_the_microdata_estimates(api):
    frame = api["apiclus1"]
    with sqlite3.connect(":memory:") as connection:
        frame.to_sql("responses", connection, index=False)
        table = pd.read_sql_query(SQL, connection)
    table = table.rename(columns={"schwide_label": "sch.wide"})
    margins = {
        "stype": {"E": 4421, "H": 755, "M": 1018},
        "sch.wide": {"No": 1072, "Yes": 5122},
    }
    arguments = {"weights": "pw", "psu": "dnum", "fpc": "fpc"}
    micro = SurveyDesign(frame, **arguments).rake(margins, tol=1e-12)
    stats = SurveyDesign.from_sufficient(table, **arguments).rake(margins, tol=1e-12)
    blocks = [
        Block("mean", "api00"),
        Block("mean", "api00", by="awards"),
        Block("total", "api00", by="stype"),
        Block("prop", "schwide", by="awards", method="beta"),
    ]
    assert_same(micro, stats, blocks)


def test_statistics_without_an_outcome_name_the_missing_column(api):
    table = aggregate(api["apistrat"], ["stype", "pw"], ["api00"])
    design = SurveyDesign.from_sufficient(table, weights="pw", strata="stype")
    with pytest.raises(ValueError, match="enroll__n"):
        design.mean("enroll")


def test_combining_tables_with_different_columns_fails():
    a = pd.DataFrame({"g": [1], "_count": [1.0], "y__sum": [1.0]})
    b = pd.DataFrame({"g": [1], "_count": [1.0]})
    with pytest.raises(ValueError, match="y__sum"):
        combine([a, b])
