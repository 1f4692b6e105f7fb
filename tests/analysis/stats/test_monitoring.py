import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.stats.monitoring import (
    detect_falls,
    ewma_chart,
    questionnaire_changes,
    wave_change,
)
from analysis.stats.scoring import Item


def test_change_uses_satterthwaite_df_and_covariance():
    now = pd.DataFrame({"name": ["a"], "estimate": [78.0], "se": [1.0], "df": [10.0]})
    before = pd.DataFrame(
        {"name": ["a"], "estimate": [80.0], "se": [2.0], "df": [20.0]}
    )
    out = wave_change(now, before, covariance=0.5)
    df = (1 + 4) ** 2 / (1 / 10 + 16 / 20)
    assert out.df[0] == pytest.approx(df)
    assert out.se[0] == pytest.approx(np.sqrt(4.0))
    assert out.p_value[0] == pytest.approx(2 * stats.t.sf(1.0, df))
    assert out.p_fall[0] == pytest.approx(stats.t.cdf(-1.0, df))
    assert out.ci_low[0] == pytest.approx(-2 - stats.t.ppf(0.975, df) * 2)


def test_change_flags_a_changed_questionnaire_per_index():
    now = pd.DataFrame({"name": ["a", "b"], "estimate": [1.0, 2.0], "se": 0.1})
    out = wave_change(now, now, questionnaire_changed={"b": True})
    assert out.questionnaire_changed.tolist() == [False, True]
    with pytest.raises(ValueError, match="'se'"):
        wave_change(now.drop(columns="se"), now)


def test_questionnaire_changes_only_in_the_dimensions_used():
    old = [Item("q1", "staff", 1, 5), Item("q2", "web", 1, 5, na_codes=(9,))]
    new = [Item("q1", "staff", 1, 5, reverse=True), Item("q2", "web", 1, 5)]
    assert questionnaire_changes(old, new, ["web"]).values.tolist() == [
        ["q2", "na_codes"]
    ]
    assert questionnaire_changes(old, old).empty


def test_ewma_equals_a_direct_recursion():
    rng = np.random.default_rng(2)
    est, se = 80 + rng.normal(0, 1, 12), rng.uniform(0.5, 1.5, 12)
    history = pd.DataFrame(
        {"name": "x", "period": range(12), "estimate": est, "se": se}
    )
    chart = ewma_chart(history, smoothing=0.3, width=2.5, baseline=4)
    mu = est[:4].mean()
    z, var = mu, 0.0
    for t in range(12):
        z = 0.3 * est[t] + 0.7 * z
        var = sum(0.09 * 0.7 ** (2 * (t - k)) * se[k] ** 2 for k in range(t + 1))
        assert chart.ewma[t] == pytest.approx(z)
        assert chart.lcl[t] == pytest.approx(mu - 2.5 * np.sqrt(var))


def test_slow_decline_is_caught_by_the_chart_not_the_wave_test():
    periods = np.arange(10)
    history = pd.DataFrame(
        {
            "name": "bus",
            "period": periods,
            "estimate": 82 - np.where(periods > 3, (periods - 3) * 0.9, 0),
            "se": 1.0,
        }
    )
    out = detect_falls(history, baseline=4)
    assert not out.significant_fall[0]
    assert out.ewma_signal[0] == "below" and out.fell[0]


def test_monitoring_needs_two_periods_and_valid_smoothing():
    one = pd.DataFrame({"name": ["a"], "period": [1], "estimate": [1.0], "se": [1.0]})
    with pytest.raises(ValueError, match="two periods"):
        detect_falls(one)
    with pytest.raises(ValueError, match="smoothing"):
        ewma_chart(one, smoothing=0)
