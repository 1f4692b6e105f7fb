import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import stats

from analysis.stats.targets import (
    MET,
    NOT_DISTINGUISHABLE,
    NOT_MET,
    PLAN_TARGETS,
    Target,
    target_verdicts,
    verdict,
)
from tests.analysis.stats.simulated_survey import R_DESIGN, small_survey
from tests.rsupport import run_r


def test_plan_targets_are_the_plan_figures():
    assert {t.name: (t.metric, t.value) for t in PLAN_TARGETS} == {
        "service_sector": ("index", 80.0),
        "consumer_services": ("index", 80.0),
        "producer_services": ("index", 85.0),
        "tourist_complaint_settlement": ("rate", 1.0),
    }


def test_lower_bound_exactly_at_target_counts_as_met():
    q = stats.t.ppf(0.95, 30)
    out = verdict(80.0 + q * 2.0, 2.0, 80.0, df=30)
    assert out.verdict[0] == MET
    assert out.lower[0] == pytest.approx(80.0)
    assert out.p_value[0] == pytest.approx(0.05)


def test_p_value_is_one_sided_towards_the_estimate():
    out = verdict([78.0, 82.0], [1.0, 1.0], 80.0)
    np.testing.assert_allclose(out.p_value, stats.norm.sf(2.0))
    assert out.alternative.tolist() == ["below", "above"]
    assert out.verdict.tolist() == [NOT_MET, MET]


def test_census_of_complaints_is_met_only_at_one_hundred_percent():
    out = verdict([1.0, 0.995], [0.0, 0.0], 1.0, scale="logit")
    assert out.verdict.tolist() == [MET, NOT_MET]
    assert out.p_value.isna().all()


def test_logit_bounds_stay_inside_zero_one():
    out = verdict(0.98, 0.02, 0.9, scale="logit")
    assert 0 < out.lower[0] < 0.98 < out.upper[0] < 1
    wald = verdict(0.98, 0.02, 0.9)
    assert wald.upper[0] > 1


def test_sampled_settlement_rate_below_one_cannot_meet_a_full_target():
    out = verdict(0.999, 0.001, 1.0, scale="logit")
    assert out.verdict[0] == NOT_MET


def test_target_table_joins_by_name_and_keeps_df():
    est = pd.DataFrame(
        {
            "name": ["consumer_services", "producer_services", "other"],
            "estimate": [80.5, 86.0, 50.0],
            "se": [1.0, 0.4, 1.0],
            "df": [12.0, np.nan, 3.0],
        }
    )
    out = target_verdicts(est)
    assert out.name.tolist() == ["consumer_services", "producer_services"]
    assert out.verdict.tolist() == [NOT_DISTINGUISHABLE, MET]
    assert out.lower[0] == pytest.approx(80.5 - stats.t.ppf(0.95, 12))
    assert out.lower[1] == pytest.approx(86.0 - stats.norm.ppf(0.95) * 0.4)


def test_invalid_targets_and_scales_are_rejected():
    with pytest.raises(ValueError, match="index"):
        Target("x", "score", 80)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"\[0, 1.0\]"):
        Target("x", "rate", 80)
    with pytest.raises(ValueError, match="logit"):
        verdict(1.0, 1.0, 1.0, scale="probit")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'se'"):
        target_verdicts(pd.DataFrame({"name": ["x"], "estimate": [1.0]}))


@pytest.mark.r
def test_verdict_bounds_match_one_sided_r_intervals():
    frame = small_survey()
    r = run_r(
        R_DESIGN
        + """
        m <- svymean(~index, d, na.rm = TRUE)
        ci <- confint(m, level = 0.90, df = degf(d))
        p <- svyciprop(~satisfied, d, method = "logit", level = 0.90)
        result <- list(lo = ci[1], hi = ci[2], plo = as.numeric(attr(p, "ci"))[1],
                       df = degf(d), est = unname(coef(m)), se = as.numeric(SE(m)),
                       pest = as.numeric(coef(p)), pse = as.numeric(SE(p)))
        """,
        {"frame": frame},
    )
    estimates = pd.DataFrame(
        {
            "name": ["index", "rate"],
            "estimate": [r["est"], r["pest"]],
            "se": [r["se"], r["pse"]],
            "df": [r["df"], r["df"]],
        }
    )
    targets = [Target("index", "index", 75.0), Target("rate", "rate", 0.5)]
    out = target_verdicts(estimates, targets).set_index("name")
    assert out.loc["index", "lower"] == pytest.approx(r["lo"], rel=1e-10)
    assert out.loc["index", "upper"] == pytest.approx(r["hi"], rel=1e-10)
    assert out.loc["rate", "lower"] == pytest.approx(r["plo"], rel=1e-8)


@given(
    st.floats(50, 100),
    st.floats(0.05, 5),
    st.floats(50, 100),
    st.sampled_from([3.0, 12.0, 40.0, np.inf]),
)
def test_verdict_agrees_with_its_one_sided_p_value(estimate, se, target, df):
    out = verdict(estimate, se, target, df=df).iloc[0]
    assume(abs(out.p_value - 0.05) > 1e-9)
    clear = out.p_value < 0.05
    if out.verdict == MET:
        assert clear and out.alternative == "above"
    elif out.verdict == NOT_MET:
        assert clear and out.alternative == "below"
    else:
        assert not clear
