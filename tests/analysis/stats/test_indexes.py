import numpy as np
import pytest

from analysis.stats.design import SurveyDesign
from analysis.stats.indexes import (
    domain_indexes,
    point_direct_estimates,
    satisfied_rates,
)
from tests.analysis.stats.simulated_survey import R_DESIGN, small_survey
from tests.rsupport import run_r


@pytest.fixture(scope="module")
def frame():
    return small_survey()


@pytest.fixture(scope="module")
def design(frame):
    return SurveyDesign(frame, weights="weight", strata="region", psu="service_point")


@pytest.mark.r
def test_domain_indexes_and_rates_match_r_survey(frame, design):
    r = run_r(
        R_DESIGN
        + """
        m <- svymean(~index, d, na.rm = TRUE)
        s <- svyby(~index, ~sector, d, svymean, na.rm = TRUE)
        p <- svyciprop(~satisfied, d, method = "logit")
        ps <- svyby(~satisfied, ~channel, d, svymean, na.rm = TRUE)
        result <- list(mean = unname(coef(m)), se = as.numeric(SE(m)),
                       sector = s$sector, smean = s$index, sse = s$se,
                       rate = as.numeric(coef(p)), rci = as.numeric(attr(p, "ci")),
                       channel = ps$channel, cmean = ps$satisfied, cse = ps$se)
        """,
        {"frame": frame},
    )
    idx = domain_indexes(design, domains=["sector"])
    assert idx.estimate[0] == pytest.approx(r["mean"], rel=1e-10)
    assert idx.se[0] == pytest.approx(r["se"], rel=1e-8)
    by = idx[idx.domain_type == "sector"].set_index("domain").loc[r["sector"]]
    np.testing.assert_allclose(by.estimate, r["smean"], rtol=1e-10)
    np.testing.assert_allclose(by.se, r["sse"], rtol=1e-8)
    rates = satisfied_rates(design, domains=["channel"])
    assert rates.estimate[0] == pytest.approx(r["rate"], rel=1e-10)
    np.testing.assert_allclose(rates.loc[0, ["ci_low", "ci_high"]], r["rci"], rtol=1e-8)
    ch = rates[rates.domain_type == "channel"].set_index("domain").loc[r["channel"]]
    np.testing.assert_allclose(ch.estimate, r["cmean"], rtol=1e-10)
    np.testing.assert_allclose(ch.se, r["cse"], rtol=1e-8)


def test_point_direct_estimates_use_within_point_variance(frame):
    direct = point_direct_estimates(frame, weights="weight")
    one = frame[frame.service_point == direct.service_point[0]]
    y = one["index"].dropna()
    assert direct.estimate[0] == pytest.approx(y.mean())
    assert direct.se[0] == pytest.approx(y.std(ddof=1) / np.sqrt(len(y)), rel=1e-10)
    assert set(direct.sector) <= set(frame.sector)


def test_domain_table_lists_every_domain_after_the_total(design):
    table = domain_indexes(design, domains=["region", "age_group"])
    assert table.domain_type.tolist()[0] == "all"
    assert (table.domain_type == "region").sum() == 7
    assert (table.domain_type == "age_group").sum() == 3


def test_point_in_two_sectors_is_named(frame):
    broken = frame.copy()
    broken.loc[broken.index[0], "sector"] = "fishing"
    point = broken.service_point.iloc[0]
    with pytest.raises(ValueError, match=f"service point {point} lies"):
        point_direct_estimates(broken)
