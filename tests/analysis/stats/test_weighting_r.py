"""Calibrated weights against R: postStratify, rake, trimWeights on api data."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.stats import SurveyDesign
from tests.rsupport import run_r

pytestmark = pytest.mark.r

POP_STYPE = {"E": 4421, "H": 755, "M": 1018}
POP_SCHWIDE = {"No": 1072, "Yes": 5122}

R_CODE = """
des <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
pop_stype <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop_schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
post <- postStratify(des, ~stype + sch.wide,
  data.frame(expand.grid(stype = c("E", "H", "M"), sch.wide = c("No", "Yes")),
             Freq = c(900, 150, 200, 3521, 605, 818)))
raked <- rake(des, list(~stype, ~sch.wide), list(pop_stype, pop_schwide),
              control = list(maxit = 100, epsilon = 1e-12))
trimmed <- trimWeights(raked, upper = 45, lower = 25, strict = TRUE)
kish <- function(w) sum(w)^2 / sum(w^2)
result <- list(post = weights(post), raked = weights(raked),
               trimmed = weights(trimmed), kish = kish(weights(raked)))
"""


def test_calibrated_weights_match_r(api):
    frame = api["apiclus1"]
    reference = run_r(R_CODE, frames={"apiclus1": frame})
    design = SurveyDesign(frame, weights="pw", psu="dnum", fpc="fpc")
    cells = {
        ("E", "No"): 900,
        ("H", "No"): 150,
        ("M", "No"): 200,
        ("E", "Yes"): 3521,
        ("H", "Yes"): 605,
        ("M", "Yes"): 818,
    }
    post = design.poststratify(["stype", "sch.wide"], cells)
    raked = design.rake({"stype": POP_STYPE, "sch.wide": POP_SCHWIDE}, tol=1e-12)
    trimmed = raked.trim_weights(lower=25.0, upper=45.0, strict=True)
    for name, calibrated in (("post", post), ("raked", raked), ("trimmed", trimmed)):
        np.testing.assert_allclose(
            calibrated.final_weights().to_numpy(),
            reference[name],
            rtol=1e-10,
            err_msg=name,
        )
    assert raked.kish_effective_n() == pytest.approx(reference["kish"], rel=1e-10)


def test_trimming_keeps_the_total_weight_and_the_bounds(api):
    design = SurveyDesign(api["apistrat"], weights="pw", strata="stype")
    trimmed = design.trim_weights(lower=20.0, upper=40.0, strict=True)
    weights = trimmed.final_weights()
    assert weights.sum() == pytest.approx(api["apistrat"]["pw"].sum(), rel=1e-12)
    assert weights.min() >= 20.0
    assert weights.max() <= 40.0


def test_bounds_that_cannot_hold_the_total_weight_are_refused(api):
    design = SurveyDesign(api["apistrat"], weights="pw", strata="stype")
    with pytest.raises(ValueError, match=r"bounds \[20, 30\] cannot hold"):
        design.trim_weights(lower=20.0, upper=30.0, strict=True)


def test_raking_meets_every_margin(api):
    raked = SurveyDesign(api["apisrs"], weights="pw").rake(
        {"stype": POP_STYPE, "sch.wide": POP_SCHWIDE}, tol=1e-12
    )
    weights = raked.final_weights()
    frame = api["apisrs"]
    by_type = weights.groupby(frame["stype"]).sum()
    by_schwide = weights.groupby(frame["sch.wide"]).sum()
    for label, total in POP_STYPE.items():
        assert by_type[label] == pytest.approx(total, rel=1e-9)
    for label, total in POP_SCHWIDE.items():
        assert by_schwide[label] == pytest.approx(total, rel=1e-9)
