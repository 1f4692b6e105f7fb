import pandas as pd
import pytest

from analysis.stats.quadrants import importance_performance


def test_quadrants_follow_custom_cuts():
    imp = pd.Series({"a": 0.4, "b": 0.4, "c": 0.1, "d": 0.1})
    perf = pd.Series({"a": 90.0, "b": 70.0, "c": 90.0, "d": 70.0})
    table = importance_performance(imp, perf, importance_cut=0.25, performance_cut=80)
    assert table.quadrant.tolist() == ["strength", "improve", "maintain", "opportunity"]
    with pytest.raises(ValueError, match="'e'"):
        importance_performance(pd.Series({"e": 1.0}), perf)
