"""Jackknife replicate variance against R's as.svrepdesign (JK1, JKn).

Ratios are left out: R's svyratio on replicate designs fails with deff=TRUE.
"""

from __future__ import annotations

import pytest

from analysis.stats import SurveyDesign

from .conftest import Block, Case, compare_cases

pytestmark = pytest.mark.r

BLOCKS = (
    Block("mean", "api00"),
    Block("mean", "api99_gaps", by="stype"),
    Block("total", "enroll"),
    Block("total", "enroll", by="awards"),
    Block("prop", "schwide", method="mean"),
    Block("prop", "schwide", by="stype", method="beta"),
    # R fits a logistic GLM per replicate (IRLS stops at a relative deviance
    # change of 1e-8), so its logit intervals carry ~1e-8 noise.
    Block("prop", "schwide", by="stype", method="logit", rtol=1e-7),
    Block("prop", "schwide", method="logit", rtol=1e-7),
)

CASES = [
    Case(
        "jk1_cluster",
        "apiclus1",
        lambda f: SurveyDesign(f, weights="pw", psu="dnum", fpc="fpc").jackknife(),
        "as.svrepdesign(svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, "
        'data = apiclus1), type = "JK1")',
        BLOCKS,
    ),
    Case(
        "jkn_stratified",
        "apistrat",
        lambda f: SurveyDesign(f, weights="pw", strata="stype", fpc="fpc").jackknife(
            "JKn"
        ),
        "as.svrepdesign(svydesign(id = ~1, strata = ~stype, weights = ~pw, "
        'fpc = ~fpc, data = apistrat), type = "JKn")',
        BLOCKS,
    ),
    Case(
        "jkn_clusters_in_strata",
        "apiclus2",
        lambda f: SurveyDesign(
            f.assign(region=(f["dnum"] % 3).astype(str)),
            weights="pw",
            strata="region",
            psu="dnum",
        ).jackknife(),
        "as.svrepdesign(svydesign(id = ~dnum, strata = ~I(as.character(dnum %% 3)), "
        "weights = ~pw, data = apiclus2))",
        BLOCKS,
    ),
]


def test_jackknife_estimates_agree_with_r_replicate_designs(api):
    compare_cases(CASES, api)


def test_jackknife_refuses_calibration(api):
    design = SurveyDesign(api["apistrat"], weights="pw", strata="stype").jackknife()
    with pytest.raises(ValueError, match="calibrating a jackknife design"):
        design.poststratify("stype", {"E": 4421, "H": 755, "M": 1018})


def test_jackknife_type_must_match_the_strata(api):
    with pytest.raises(ValueError, match="JK1 needs an unstratified design"):
        SurveyDesign(api["apistrat"], weights="pw", strata="stype").jackknife("JK1")
