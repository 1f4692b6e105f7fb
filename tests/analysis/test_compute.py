"""From sufficient statistics to result rows, without the database."""

import numpy as np
import pandas as pd
import pytest

from analysis.calibration import Margin, WaveDataError
from analysis.compute import WaveSpec, wave_results
from analysis.stats.design import SurveyDesign
from analysis.stats.sufficient import aggregate

KEYS = ["sector", "service_point", "region", "channel", "w__gender", "w__age_band"]
CLASSES = {"education": "consumer", "medical": "consumer", "finance": "producer"}
GENDER = Margin(("gender",), {("f",): 510.0, ("m",): 490.0})
AGE = Margin(("age_band",), {("young",): 400.0, ("old",): 600.0})


def _frame(n: int = 3000, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    point = rng.integers(0, 12, n)
    sectors = np.array(list(CLASSES))
    return pd.DataFrame(
        {
            "sector": sectors[point % 3],
            "service_point": [f"p{k}" for k in point],
            "region": np.array(["nanhu", "xiuzhou"])[point % 2],
            "channel": rng.choice(["web", "qr"], n),
            "w__gender": rng.choice(["f", "m"], n),
            "w__age_band": rng.choice(["young", "old"], n),
            "index": np.clip(rng.normal(78, 10, n), 0, 100),
            "satisfied": rng.integers(0, 2, n).astype(float),
        }
    )


def _table(frame: pd.DataFrame) -> pd.DataFrame:
    return aggregate(frame, KEYS, ["index", "satisfied"])


def test_service_point_estimates_match_the_cores_within_point_design():
    frame = _frame()
    results, _ = wave_results(_table(frame), WaveSpec(CLASSES))
    points = results[
        (results.kind == "index") & (results.domain_type == "service_point")
    ]
    core = SurveyDesign(frame, strata="service_point", lonely_psu="certainty").mean(
        "index", by="service_point"
    )
    merged = points.merge(core, left_on="domain", right_on="service_point")
    assert len(merged) == 12
    np.testing.assert_allclose(merged.estimate_x, merged.estimate_y, rtol=1e-10)
    np.testing.assert_allclose(merged.se_x, merged.se_y, rtol=1e-10)


def test_a_sector_never_asked_a_weighting_question_is_not_raked_on_it():
    frame = _frame()
    finance = frame.sector == "finance"
    frame = frame.assign(w__gender=frame.w__gender.where(~finance))
    results, diagnostics = wave_results(_table(frame), WaveSpec(CLASSES, [GENDER]))
    assert diagnostics["not_asked_in_sectors"] == {"gender": ["finance"]}
    row = results[(results.domain == "finance") & (results.kind == "index")].iloc[0]
    raw = frame.loc[finance, "index"].mean()
    assert row.estimate == pytest.approx(raw)  # one cell: weights stay equal


def test_roll_up_weights_from_the_wave_are_normalized_and_recorded():
    spec = WaveSpec(CLASSES, rollup_weights={"consumer_services": {"education": 3}})
    results, _ = wave_results(_table(_frame()), spec)
    rollup = results[results.domain == "consumer_services"].iloc[0]
    assert rollup.details["weights"] == {"education": 0.75, "medical": 0.25}
    sectors = results[(results.kind == "index") & (results.domain_type == "sector")]
    by_sector = sectors.set_index("domain").estimate
    assert rollup.estimate == pytest.approx(
        0.75 * by_sector["education"] + 0.25 * by_sector["medical"]
    )


@pytest.mark.parametrize(
    ("margins", "expected"),
    [
        ([Margin(("gender",), {("f",): 1000.0})], "no population for category m"),
        ([GENDER, Margin(("age_band",), {("young",): 1.0, ("old",): 1.0})], "add up"),
        ([Margin(("education",), {("x",): 1.0})], "no question"),
    ],
)
def test_unusable_margins_are_explained(margins, expected):
    with pytest.raises(WaveDataError) as error:
        wave_results(_table(_frame()), WaveSpec(CLASSES, margins))
    assert expected in str(error.value)


def test_one_service_point_is_too_few_to_estimate():
    frame = _frame().assign(service_point="p0")
    with pytest.raises(WaveDataError, match="at least two service points"):
        wave_results(_table(frame), WaveSpec(CLASSES))
