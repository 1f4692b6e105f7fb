import numpy as np
import pandas as pd
import pytest

from analysis.stats.design import SurveyDesign
from analysis.stats.indexes import (
    PLAN_ROLLUPS,
    Rollup,
    domain_indexes,
    point_direct_estimates,
    rollup_indexes,
    satisfied_rates,
)
from analysis.stats.targets import target_verdicts
from tests.analysis.stats.simulated_survey import survey
from tests.rsupport import run_r

R_DESIGN = """
d <- svydesign(ids = ~service_point, strata = ~region, weights = ~weight,
               data = frame)
"""


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(4)
    return survey(70, rng.integers(3, 25, 70), seed=4)[
        [
            "service_point",
            "region",
            "sector",
            "channel",
            "weight",
            "index",
            "satisfied",
            "age_group",
        ]
    ]


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


def _contrasts_in_r(frame, weights):
    """svycontrast on svyby(covmat = TRUE); weights in alphabetical sector order."""
    lines = "\n".join(
        f'w[["{name}"]] <- c({", ".join(repr(float(v)) for v in values)})'
        for name, values in weights.items()
    )
    return run_r(
        R_DESIGN
        + "w <- list()\n"
        + lines
        + """
        s <- svyby(~index, ~sector, d, svymean, na.rm = TRUE, covmat = TRUE)
        out <- list()
        for (name in names(w)) {
          k <- svycontrast(s, w[[name]])
          out[[name]] <- c(unname(coef(k)), as.numeric(SE(k)))
        }
        consumer <- subset(d, sector %in% c("education", "public_transport",
                                          "medical", "elderly_care", "tourism"))
        pop <- svymean(~index, consumer, na.rm = TRUE)
        out[["consumer_pop"]] <- c(unname(coef(pop)), as.numeric(SE(pop)))
        result <- out
        """,
        {"frame": frame},
    )


@pytest.mark.r
def test_rollups_include_sector_covariances_as_svycontrast(frame, design):
    sectors = sorted(PLAN_ROLLUPS[2].sectors)
    volume = {s: float(i + 1) for i, s in enumerate(sectors)}
    rollups = (
        *PLAN_ROLLUPS,
        Rollup("by_volume", PLAN_ROLLUPS[2].sectors, "fixed", volume),
        Rollup("consumer_pop", PLAN_ROLLUPS[0].sectors, "population"),
    )
    ours = rollup_indexes(frame, design, rollups).set_index("name")
    weights = {
        name: [ours.loc[name, "weights"].get(s, 0.0) for s in sectors]
        for name in ours.index
        if name != "consumer_pop"
    }
    reference = _contrasts_in_r(frame, weights)
    for name, (estimate, se) in reference.items():
        assert ours.loc[name, "estimate"] == pytest.approx(estimate, rel=1e-10), name
        assert ours.loc[name, "se"] == pytest.approx(se, rel=1e-8), name
    assert ours.loc["by_volume", "weights"]["tourism"] == pytest.approx(7 / 28)


def test_rollup_of_one_sector_is_its_domain_mean(frame, design):
    one = rollup_indexes(frame, design, [Rollup("medical", ("medical",))])
    domain = design.mean("index", by="sector").set_index("sector").loc["medical"]
    assert one.estimate[0] == pytest.approx(domain.estimate, rel=1e-12)
    assert one.se[0] == pytest.approx(domain.se, rel=1e-10)


def test_rollup_names_a_sector_without_respondents(frame, design):
    with pytest.raises(ValueError, match="'fishing'"):
        rollup_indexes(frame, design, [Rollup("x", ("medical", "fishing"))])
    with pytest.raises(ValueError, match="'finance'"):
        Rollup("x", ("medical", "finance"), "fixed", {"medical": 1.0})
    with pytest.raises(ValueError, match="population"):
        Rollup("x", ("medical",), "volume")  # type: ignore[arg-type]


@pytest.mark.r
def test_verdict_bounds_match_one_sided_r_intervals(frame, design):
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
    from analysis.stats.targets import Target

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
