import pandas as pd
import pytest

from analysis.stats.quadrants import importance_performance, quadrant_cuts


def test_quadrants_follow_custom_cuts():
    imp = pd.Series({"a": 0.4, "b": 0.4, "c": 0.1, "d": 0.1})
    perf = pd.Series({"a": 90.0, "b": 70.0, "c": 90.0, "d": 70.0})
    table = importance_performance(imp, perf, importance_cut=0.25, performance_cut=80)
    assert table.quadrant.tolist() == ["strength", "improve", "maintain", "opportunity"]
    with pytest.raises(ValueError, match="'e'"):
        importance_performance(pd.Series({"e": 1.0}), perf)


def test_the_cuts_are_the_means_that_place_the_quadrants():
    imp = pd.Series({"a": 0.5, "b": 0.3, "c": 0.2})
    perf = pd.Series({"a": 70.0, "b": 85.0, "c": float("nan")})
    importance_cut, performance_cut = quadrant_cuts(imp, perf)
    assert importance_cut == pytest.approx(1 / 3)
    assert performance_cut == 77.5  # the dimension without a score is left out
    table = importance_performance(imp, perf).set_index("dimension")
    assert table.quadrant.to_dict() == {
        "a": "improve",  # 0.5 >= 1/3, 70 < 77.5
        "b": "maintain",  # 0.3 < 1/3, 85 >= 77.5
        "c": "opportunity",  # no score: never above the cut
    }
    assert quadrant_cuts(imp, perf, 0.25, 80.0) == (0.25, 80.0)
