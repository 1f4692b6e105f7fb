import numpy as np
import pytest

from analysis.stats.design import SurveyDesign
from analysis.stats.rollups import (
    PLAN_ROLLUPS,
    Rollup,
    rollup_from_statistics,
    rollup_indexes,
)
from analysis.stats.sufficient import aggregate
from tests.analysis.stats.simulated_survey import R_DESIGN, small_survey
from tests.rsupport import run_r


@pytest.fixture(scope="module")
def frame():
    return small_survey()


@pytest.fixture(scope="module")
def design(frame):
    return SurveyDesign(frame, weights="weight", strata="region", psu="service_point")


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


def test_rollups_from_a_statistics_table_equal_the_microdata_path(frame, design):
    keys = ["region", "service_point", "weight", "sector", "channel"]
    table = aggregate(frame, keys, ["index"])
    from_table = rollup_from_statistics(
        table, weights="weight", strata="region", psu="service_point"
    )
    from_frame = rollup_indexes(frame, design)
    cols = ["estimate", "se", "ci_low", "ci_high", "df"]
    np.testing.assert_allclose(from_table[cols], from_frame[cols], rtol=1e-10)
    with pytest.raises(ValueError, match="'index__sum'"):
        rollup_from_statistics(table.drop(columns="index__sum"), weights="weight")
