"""Bad designs and bad calls fail with a ValueError naming the column and value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.stats import SurveyDesign


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": ["n", "n", "n", "n", "s", "s", "s", "s"],
            "psu": [1, 1, 2, 2, 1, 1, 2, 2],
            "w": [10.0, 10.0, 12.0, 12.0, 20.0, 20.0, 25.0, 25.0],
            "fpc": [40.0] * 4 + [30.0] * 4,
            "age": ["young", "old"] * 4,
            "sex": ["f", "f", "m", "m"] * 2,
            "score": [3.0, 4.0, 5.0, 4.0, 2.0, 3.0, 4.0, 1.0],
            "label": list("abcdefgh"),
            "ok": [1, 0, 1, 1, 0, 1, 1, 2],
        }
    )


def design(frame: pd.DataFrame, **overrides: object) -> SurveyDesign:
    arguments = {"weights": "w", "strata": "region", "psu": "psu", "nest": True}
    return SurveyDesign(frame, **{**arguments, **overrides})  # type: ignore[arg-type]


def test_a_missing_weight_names_the_weights_column(frame):
    with pytest.raises(ValueError, match="weights column 'w' has missing"):
        design(frame.assign(w=frame["w"].where(frame.index != 3)))


def test_a_negative_weight_names_the_column_and_value(frame):
    with pytest.raises(ValueError, match=r"weights column 'w' .*-2\.0"):
        design(frame.assign(w=frame["w"].where(frame.index != 2, -2.0)))


def test_an_unknown_column_is_named(frame):
    with pytest.raises(ValueError, match="'weight'"):
        design(frame, weights="weight")


def test_a_non_numeric_outcome_is_named(frame):
    with pytest.raises(ValueError, match="outcome column 'label' is not numeric"):
        design(frame).mean("label")


def test_a_stratum_with_one_psu_fails_by_default_naming_it(frame):
    lonely = frame.assign(psu=np.where(frame["region"] == "s", 1, frame["psu"]))
    with pytest.raises(ValueError, match="strata column 'region': stratum 's'"):
        design(lonely)
    assert design(lonely, lonely_psu="remove").mean("score").se > 0


def test_psus_shared_by_strata_need_nest(frame):
    with pytest.raises(ValueError, match="psu column 'psu': PSU 1 .*nest=True"):
        design(frame, nest=False)


def test_fpc_varying_within_a_stratum_is_named(frame):
    varying = frame.assign(fpc=frame["fpc"].where(frame.index != 0, 41.0))
    with pytest.raises(ValueError, match="fpc column 'fpc' varies within stratum 'n'"):
        design(varying, fpc="fpc")


def test_fpc_below_the_sample_size_is_refused(frame):
    with pytest.raises(ValueError, match="more than 100% sampling in stratum 'n'"):
        design(frame.assign(fpc=1.5), fpc="fpc")


def test_a_post_stratum_without_respondents_is_named(frame):
    population = {
        ("young", "f"): 10,
        ("old", "f"): 10,
        ("young", "m"): 10,
        ("old", "m"): 10,
        ("middle", "f"): 5,
    }
    with pytest.raises(ValueError, match="age='middle', sex='f'.*no respondents"):
        design(frame).poststratify(["age", "sex"], population)


def test_a_sampled_cell_missing_from_the_population_is_named(frame):
    with pytest.raises(ValueError, match="age='old'.*no population total"):
        design(frame).poststratify("age", {"young": 100})


def test_a_raking_margin_category_without_respondents_names_the_margin(frame):
    margins = {"age": {"young": 50, "old": 40, "middle": 10}, "sex": {"f": 50, "m": 50}}
    with pytest.raises(
        ValueError, match="raking margin 'age'.*'middle'.*no respondents"
    ):
        design(frame).rake(margins)


def test_raking_margins_with_different_totals_are_refused(frame):
    margins = {"age": {"young": 50, "old": 50}, "sex": {"f": 50, "m": 60}}
    with pytest.raises(ValueError, match="'age' totals 100 but 'sex' totals 110"):
        design(frame).rake(margins)


def test_raking_that_cannot_converge_names_a_margin(frame):
    # Only young women and old men answered: no weights can meet both margins.
    cornered = frame.assign(age=np.where(frame["sex"] == "f", "young", "old"))
    margins = {"age": {"young": 70, "old": 30}, "sex": {"f": 50, "m": 50}}
    with pytest.raises(ValueError, match="did not converge.*margin .age."):
        design(cornered).rake(margins, max_iter=50)


def test_a_non_binary_proportion_column_is_named(frame):
    with pytest.raises(ValueError, match="proportion column 'ok' must be 0/1.*2"):
        design(frame).proportion("ok")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda d: d.mean("score", ci="wald"),
            "unknown ci 'wald'; choose one of normal, t",
        ),
        (lambda d: d.proportion("score", method="exact"), "unknown method 'exact'"),
    ],
)
def test_unknown_methods_list_the_choices(frame, call, message):
    with pytest.raises(ValueError, match=message):
        call(design(frame))


def test_an_unknown_lonely_psu_option_lists_the_choices(frame):
    with pytest.raises(ValueError, match="choose one of fail, remove, adjust"):
        design(frame, lonely_psu="drop")


def test_the_input_frame_is_never_modified(frame):
    before = frame.copy()
    raked = design(frame).rake(
        {"age": {"young": 50, "old": 50}, "sex": {"f": 40, "m": 60}}
    )
    raked.trim_weights(upper=30.0).mean("score", by="age")
    raked.ratio("score", "w")
    pd.testing.assert_frame_equal(frame, before)


def test_raking_out_of_iterations_names_the_furthest_margin(frame):
    margins = {"age": {"young": 70, "old": 30}, "sex": {"f": 45, "m": 55}}
    with pytest.raises(ValueError, match=r"did not converge in 1 iterations.*'age'"):
        design(frame.assign(age=["young", "old", "old", "young"] * 2)).rake(
            margins, max_iter=1, tol=1e-14
        )
