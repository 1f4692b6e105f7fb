import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.stats.scoring import (
    Item,
    dimension_scores,
    dimension_weights,
    item_scores,
    items_from_table,
    respondent_index,
    top_box,
)

ITEMS = (
    Item("q1", "staff", 1, 5),
    Item("q2", "staff", 1, 5, reverse=True),
    Item("q3", "staff", 1, 5, na_codes=(9,)),
    Item("q4", "waiting", 0, 10),
)


def test_reverse_coded_item_maps_top_rating_to_zero():
    scores = item_scores(pd.DataFrame({"q2": [1, 3, 5]}), ITEMS[1:2])
    assert scores["q2"].tolist() == [100.0, 50.0, 0.0]


def test_not_applicable_code_is_excluded_not_scored():
    scores = item_scores(pd.DataFrame({"q3": [9, 5, None]}), ITEMS[2:3])
    assert np.isnan(scores["q3"][0]) and scores["q3"][1] == 100.0
    assert np.isnan(scores["q3"][2])


def test_rating_outside_scale_names_the_column():
    with pytest.raises(ValueError, match="'q1'"):
        item_scores(pd.DataFrame({"q1": [1, 6]}), ITEMS[:1])


def test_missing_item_column_names_the_column():
    with pytest.raises(ValueError, match="'q2'"):
        item_scores(pd.DataFrame({"q1": [1]}), ITEMS)


def test_non_numeric_item_column_is_rejected():
    with pytest.raises(ValueError, match="'q1'"):
        item_scores(pd.DataFrame({"q1": ["good"]}), ITEMS[:1])


def test_dimension_needs_the_configured_share_of_answers():
    scores = pd.DataFrame(
        {
            "q1": [100.0, 100.0],
            "q2": [50.0, np.nan],
            "q3": [np.nan, np.nan],
            "q4": [20.0, 20.0],
        }
    )
    lenient = dimension_scores(scores, ITEMS, min_answered=1 / 3)
    strict = dimension_scores(scores, ITEMS, min_answered=0.5)
    assert lenient["staff"].tolist() == [75.0, 100.0]
    assert strict["staff"].iloc[0] == 75.0 and np.isnan(strict["staff"].iloc[1])


def test_item_table_round_trip_and_duplicate_code():
    table = pd.DataFrame(
        {
            "code": ["q1", "q2"],
            "dimension": ["a", "b"],
            "scale_min": [1, 1],
            "scale_max": [5, 7],
        }
    )
    assert items_from_table(table)[1] == Item("q2", "b", 1.0, 7.0)
    with pytest.raises(ValueError, match="'q1'"):
        items_from_table(pd.concat([table, table.iloc[:1]]))
    with pytest.raises(ValueError, match="'scale_max'"):
        items_from_table(table.drop(columns="scale_max"))


def test_unknown_weight_method_names_the_choices():
    with pytest.raises(ValueError, match="equal"):
        dimension_weights(["a"], "pls")  # type: ignore[arg-type]


def test_drivers_weights_are_normalized_and_recorded():
    w = dimension_weights(["a", "b", "c"], "drivers", {"a": 0.2, "b": 0.1, "c": 0.1})
    assert w.method == "drivers"
    assert dict(w.weights) == pytest.approx({"a": 0.5, "b": 0.25, "c": 0.25})
    assert w.source["a"] == 0.2


def test_require_all_dimensions_drops_partial_respondents():
    d = pd.DataFrame({"x": [80.0, 60.0], "y": [40.0, np.nan]})
    assert np.isnan(respondent_index(d, require_all=True).iloc[1])


@given(
    st.lists(
        st.tuples(st.integers(1, 5), st.integers(1, 5), st.integers(0, 10)),
        min_size=1,
        max_size=30,
    )
)
def test_index_equals_row_by_row_reference(rows):
    answers = pd.DataFrame(rows, columns=["q1", "q2", "q4"])
    items = (ITEMS[0], ITEMS[1], ITEMS[3])
    index = respondent_index(dimension_scores(item_scores(answers, items), items))
    for i, (a, b, c) in enumerate(rows):
        staff = ((a - 1) / 4 * 100 + (1 - (b - 1) / 4) * 100) / 2
        assert index.iloc[i] == pytest.approx((staff + c * 10) / 2, abs=1e-9)
    assert ((index >= 0) & (index <= 100)).all()


def test_top_two_box_on_seven_point_scale():
    sat = top_box(pd.DataFrame({"o": [7, 6, 5, 1]}), "o", scale_max=7)
    assert sat.tolist() == [1.0, 1.0, 0.0, 0.0]


def test_reverse_flags_from_text_are_read_and_bad_ones_named():
    table = pd.DataFrame(
        {
            "code": ["q1", "q2", "q3"],
            "dimension": "a",
            "scale_min": 1,
            "scale_max": 5,
            "reverse": ["False", "yes", 0],
        }
    )
    assert [i.reverse for i in items_from_table(table)] == [False, True, False]
    with pytest.raises(ValueError, match="'reverse' holds 'maybe'"):
        items_from_table(table.assign(reverse=["maybe", "no", "no"]))
