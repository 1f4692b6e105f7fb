"""SurveyDesign against R's survey package on the api data sets it ships.

R runs live on the same CSV fixtures; estimates, SEs, normal and t intervals,
design effects and degrees of freedom must agree to a relative 1e-8.
"""

from __future__ import annotations

import pytest

from analysis.stats import SurveyDesign

from .conftest import Block, Case, compare_cases

pytestmark = pytest.mark.r

BASIC = (
    Block("mean", "api00"),
    Block("mean", "api99_gaps"),
    Block("mean", "api00", by="stype"),
    Block("mean", "api99_gaps", by="awards"),
    Block("total", "enroll"),
    Block("total", "enroll", by="awards"),
    Block("ratio", "api00", den="api99"),
    Block("ratio", "api00", den="api99_gaps", by="stype"),
    Block("prop", "schwide"),
    Block("prop", "schwide", by="stype", method="beta"),
    Block("prop", "schwide", method="mean"),
    Block("prop", "schwide", method="asin"),
    Block("prop", "schwide", by="stype", method="wilson"),
)

POP_STYPE = {"E": 4421, "H": 755, "M": 1018}
POP_SCHWIDE = {"No": 1072, "Yes": 5122}
R_POP_STYPE = 'data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))'
R_POP_SCHWIDE = 'data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))'
R_RAKE = (
    f"rake({{d}}, list(~stype, ~sch.wide), list({R_POP_STYPE}, {R_POP_SCHWIDE}), "
    "control = list(maxit = 100, epsilon = 1e-12))"
)


def _rake(design: SurveyDesign) -> SurveyDesign:
    return design.rake({"stype": POP_STYPE, "sch.wide": POP_SCHWIDE}, tol=1e-12)


CASES = [
    Case(
        "stratified",
        "apistrat",
        lambda f: SurveyDesign(f, weights="pw", strata="stype", fpc="fpc"),
        "svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, "
        "data = apistrat)",
        BASIC,
    ),
    Case(
        "srs",
        "apisrs",
        lambda f: SurveyDesign(f, weights="pw", fpc="fpc"),
        "svydesign(id = ~1, weights = ~pw, fpc = ~fpc, data = apisrs)",
        BASIC,
    ),
    Case(
        "srs_unweighted",
        "apisrs",
        lambda f: SurveyDesign(f),
        "svydesign(id = ~1, data = apisrs)",
        BASIC[:5],
    ),
    Case(
        "cluster",
        "apiclus1",
        lambda f: SurveyDesign(f, weights="pw", psu="dnum", fpc="fpc"),
        "svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)",
        BASIC,
    ),
    Case(
        "cluster_no_fpc",
        "apiclus2",
        lambda f: SurveyDesign(f, weights="pw", psu="dnum"),
        "svydesign(id = ~dnum, weights = ~pw, data = apiclus2)",
        BASIC,
    ),
    Case(
        "cluster_fraction_fpc",
        "apiclus2",
        lambda f: SurveyDesign(
            f.assign(frac=5 / f["fpc1"]), weights="pw", psu="dnum", fpc="frac"
        ),
        "svydesign(id = ~dnum, weights = ~pw, fpc = ~I(5 / fpc1), data = apiclus2)",
        BASIC[:6],
    ),
    Case(
        "poststratified",
        "apiclus1",
        lambda f: SurveyDesign(f, weights="pw", psu="dnum", fpc="fpc").poststratify(
            "stype", POP_STYPE
        ),
        "postStratify(svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, "
        f"data = apiclus1), ~stype, {R_POP_STYPE})",
        BASIC,
    ),
    Case(
        "raked",
        "apiclus1",
        lambda f: _rake(SurveyDesign(f, weights="pw", psu="dnum", fpc="fpc")),
        R_RAKE.format(
            d="svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)"
        ),
        BASIC,
    ),
    Case(
        "raked_stratified_trimmed",
        "apistrat",
        lambda f: _rake(SurveyDesign(f, weights="pw", strata="stype")).trim_weights(
            lower=20.0, upper=40.0
        ),
        "trimWeights("
        + R_RAKE.format(
            d="svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat)"
        )
        + ", lower = 20, upper = 40)",
        BASIC,
    ),
]


def test_estimates_agree_with_r_survey_on_the_api_designs(api):
    compare_cases(CASES, api)
