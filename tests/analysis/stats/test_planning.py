import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.stats.planning import (
    plan_domains,
    sample_size_for_margin,
    sample_size_for_verdict,
)


@pytest.mark.parametrize("deff", [1.0, 1.7, 2.5])
@pytest.mark.parametrize("margin", [1.0, 2.5, 4.0])
def test_planned_n_is_the_smallest_reaching_the_margin(deff, margin):
    n = sample_size_for_margin(margin, sd=17.0, deff=deff)[0]
    half_width = lambda k: stats.norm.ppf(0.975) * np.sqrt(deff * 17.0**2 / k)  # noqa: E731
    assert half_width(n) <= margin < half_width(n - 1)


def test_finite_population_and_response_rate():
    n0 = stats.norm.ppf(0.975) ** 2 * 0.25 / 0.05**2
    small = sample_size_for_margin(0.05, proportion=0.5, population=500)[0]
    assert small == int(np.ceil(n0 / (1 + (n0 - 1) / 500)))
    approached = sample_size_for_margin(0.05, proportion=0.5, response_rate=0.4)[0]
    assert approached == int(np.ceil(n0 / 0.4))


def _power(n, expected, target, sd, deff):
    se = sd * np.sqrt(deff / n)
    return stats.norm.sf(stats.norm.ppf(0.95) - abs(expected - target) / se)


@pytest.mark.parametrize(("expected", "target"), [(83.0, 80.0), (76.0, 80.0)])
def test_verdict_size_reaches_the_power_and_one_fewer_does_not(expected, target):
    n = sample_size_for_verdict(expected, target, sd=18.0, deff=1.4)[0]
    assert _power(n, expected, target, 18.0, 1.4) >= 0.8
    assert _power(n - 1, expected, target, 18.0, 1.4) < 0.8


def test_rate_verdict_size_by_simulation():
    n = sample_size_for_verdict(0.9, 0.85, metric="rate")[0]
    rng = np.random.default_rng(0)
    p_hat = rng.binomial(n, 0.9, 20000) / n
    lower = p_hat - stats.norm.ppf(0.95) * np.sqrt(0.85 * 0.15 / n)
    assert np.mean(lower >= 0.85) == pytest.approx(0.8, abs=0.02)


def test_full_settlement_target_needs_a_census():
    with pytest.raises(ValueError, match="census"):
        sample_size_for_verdict(0.99, 1.0, metric="rate")
    with pytest.raises(ValueError, match="exactly one"):
        sample_size_for_margin(0.05)


def test_domain_plan_takes_the_larger_requirement_and_names_missing_columns():
    d = pd.DataFrame({"domain": ["a", "b"], "expected": [70.0, 79.5], "sd": 18.0})
    plan = plan_domains(d, margin=3.0, target=80.0)
    assert (plan.n_advised == np.maximum(plan.n_margin, plan.n_verdict)).all()
    assert plan.n_verdict[1] > plan.n_verdict[0]
    with pytest.raises(ValueError, match="'sd'"):
        plan_domains(d.drop(columns="sd"))


def test_previous_wave_n_is_what_its_own_margin_needs():
    from analysis.stats.design import SurveyDesign
    from analysis.stats.indexes import domain_indexes
    from analysis.stats.planning import plan_from_previous_wave
    from tests.analysis.stats.simulated_survey import small_survey

    frame = small_survey()
    design = SurveyDesign(frame, weights="weight", strata="region", psu="service_point")
    table = domain_indexes(design, domains=["sector"])
    sectors = table[table.domain_type == "sector"].reset_index(drop=True)
    # the margin each sector reached; planning for it must give back its n
    reached = stats.norm.ppf(0.975) * sectors.se
    for row, margin in zip(sectors.itertuples(), reached, strict=True):
        plan = plan_from_previous_wave(sectors.iloc[[row.Index]], margin=margin)
        assert plan.n_margin[0] == pytest.approx(row.n, abs=1)
    with pytest.raises(ValueError, match="'deff'"):
        plan_from_previous_wave(sectors.drop(columns="deff"))
