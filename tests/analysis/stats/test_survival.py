"""Kaplan–Meier estimates checked against R's survival::survfit."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.stats.survival import kaplan_meier, kaplan_meier_by, median_table
from tests.rsupport import run_r

# R side: one survfit per dataset (and per conf.type), returned in full.
_SURVFIT_BATCH = """
fit_one <- function(d, type, level) {
  f <- survfit(Surv(time, event) ~ 1, data = d, conf.type = type,
               conf.int = level)
  q <- quantile(f, c(0.25, 0.5, 0.75))
  list(time = f$time, n_risk = f$n.risk, n_event = f$n.event,
       n_censor = f$n.censor, surv = f$surv, std_err = f$std.err,
       lower = f$lower, upper = f$upper,
       q = unname(q$quantile), q_lower = unname(q$lower),
       q_upper = unname(q$upper))
}
result <- lapply(split(data, data$dataset), function(d) {
  lapply(c("log", "log-log", "plain"), function(type) fit_one(d, type, level))
})
names(result) <- NULL
"""


def _vector(values: Any) -> np.ndarray:
    """An R vector from JSON (scalars unboxed, NA as null) as floats."""
    return np.array(np.atleast_1d(values), dtype=float)


def _assert_matches_survfit(
    time: np.ndarray, event: np.ndarray, reference: list[dict], level: float
) -> None:
    for conf_type, fit in zip(("log", "log-log", "plain"), reference, strict=True):
        ours = kaplan_meier(time, event, conf_type=conf_type, conf_level=level)
        np.testing.assert_allclose(ours.time, _vector(fit["time"]), rtol=1e-12)
        np.testing.assert_array_equal(ours.n_risk, _vector(fit["n_risk"]))
        np.testing.assert_array_equal(ours.n_event, _vector(fit["n_event"]))
        np.testing.assert_array_equal(ours.n_censor, _vector(fit["n_censor"]))
        np.testing.assert_allclose(ours.survival, _vector(fit["surv"]), rtol=1e-10)
        r_std_err = _vector(fit["std_err"])
        finite = np.isfinite(ours.std_err_log)
        np.testing.assert_allclose(
            ours.std_err_log[finite], r_std_err[finite], rtol=1e-10
        )
        assert np.all(np.isnan(r_std_err[~finite]))  # Inf comes back as null
        np.testing.assert_allclose(ours.lower, _vector(fit["lower"]), rtol=1e-9)
        np.testing.assert_allclose(ours.upper, _vector(fit["upper"]), rtol=1e-9)
        for ours_q, key in zip(
            ours.quantile([0.25, 0.5, 0.75]), ("q", "q_lower", "q_upper"), strict=True
        ):
            np.testing.assert_allclose(ours_q, _vector(fit[key]), rtol=1e-12)


def _survfit_batch(datasets: list[pd.DataFrame], level: float = 0.95) -> list:
    stacked = pd.concat(
        [d.assign(dataset=i) for i, d in enumerate(datasets)], ignore_index=True
    )
    code = f"level <- {level!r}\n" + _SURVFIT_BATCH
    return run_r(code, {"data": stacked}, packages=("survival",))


def _complaint_days(seed: int, n: int = 200) -> pd.DataFrame:
    """Days to settlement with ties, open complaints censored at various days."""
    rng = np.random.default_rng(seed)
    days = rng.gamma(shape=2.0, scale=6.0, size=n).round()
    open_days = rng.integers(0, 40, size=n).astype(float)
    still_open = rng.random(n) < 0.25
    return pd.DataFrame(
        {
            "time": np.where(still_open, open_days, days),
            "event": (~still_open).astype(int),
        }
    )


FIXED = {
    # survfit's own textbook-style example with a censored tie and a last event.
    "ends_at_zero": pd.DataFrame(
        {"time": [1, 2, 2, 3, 4, 4, 5, 6], "event": [1, 1, 0, 1, 1, 1, 0, 1]}
    ),
    # The curve sits exactly on 0.5 between 2 and 3: the median is the midpoint.
    "flat_at_half": pd.DataFrame(
        {"time": [1, 2, 3, 4, 5, 6], "event": [1, 1, 0, 1, 1, 0]}
    ),
    "last_is_censored": pd.DataFrame(
        {"time": [0.5, 1.5, 1.5, 2.25, 9.0], "event": [1, 0, 1, 1, 0]}
    ),
    "all_censored": pd.DataFrame({"time": [3, 4, 4, 8], "event": [0, 0, 0, 0]}),
    "ties_and_censoring": _complaint_days(seed=11),
    "large": _complaint_days(seed=5, n=3000),
}


@pytest.mark.r
@pytest.mark.parametrize("level", [0.95, 0.9])
def test_curves_bands_and_quantiles_match_survfit_on_fixed_data(level):
    reference = _survfit_batch(list(FIXED.values()), level=level)
    for (name, data), fits in zip(FIXED.items(), reference, strict=True):
        try:
            _assert_matches_survfit(
                data["time"].to_numpy(float), data["event"].to_numpy(), fits, level
            )
        except AssertionError as error:
            raise AssertionError(f"dataset {name}: {error}") from error


@st.composite
def _follow_up(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(min_value=1, max_value=40))
    times = draw(
        st.lists(
            st.one_of(
                st.integers(min_value=0, max_value=12).map(float),
                st.floats(min_value=0, max_value=30, allow_nan=False).map(
                    lambda t: round(t, 3)
                ),
            ),
            min_size=n,
            max_size=n,
        )
    )
    events = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    return pd.DataFrame({"time": times, "event": events})


@pytest.mark.r
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(datasets=st.lists(_follow_up(), min_size=10, max_size=10))
def test_generated_data_match_survfit_in_batches(datasets):
    reference = _survfit_batch(datasets)
    for data, fits in zip(datasets, reference, strict=True):
        _assert_matches_survfit(
            data["time"].to_numpy(float), data["event"].to_numpy(), fits, 0.95
        )


@pytest.mark.r
def test_curves_by_group_match_survfit_strata():
    data = _complaint_days(seed=3, n=300).assign(
        area=np.random.default_rng(3).choice(["Wuzhen", "Xitang", "Nanhu"], 300)
    )
    reference = run_r(
        """
        f <- survfit(Surv(time, event) ~ area, data = data)
        strata <- rep(sub("area=", "", names(f$strata)), f$strata)
        m <- quantile(f, 0.5)
        result <- list(strata = strata, surv = f$surv, lower = f$lower,
                       median = unname(m$quantile[, 1]),
                       median_lower = unname(m$lower[, 1]),
                       median_upper = unname(m$upper[, 1]))
        """,
        {"data": data},
        packages=("survival",),
    )
    curves = kaplan_meier_by(data["time"], data["event"], data["area"])
    assert list(curves) == ["Nanhu", "Wuzhen", "Xitang"]
    strata = np.array(reference["strata"])
    for area, curve in curves.items():
        np.testing.assert_allclose(
            curve.survival, _vector(reference["surv"])[strata == area], rtol=1e-10
        )
        np.testing.assert_allclose(
            curve.lower, _vector(reference["lower"])[strata == area], rtol=1e-9
        )
    medians = median_table(curves)
    np.testing.assert_allclose(medians["median"], _vector(reference["median"]))
    np.testing.assert_allclose(medians["lower"], _vector(reference["median_lower"]))
    np.testing.assert_allclose(medians["upper"], _vector(reference["median_upper"]))


@given(data=_follow_up())
def test_curve_is_a_non_increasing_probability_inside_its_band(data):
    curve = kaplan_meier(data["time"], data["event"])
    assert np.all(np.diff(curve.survival) <= 1e-15)
    assert np.all((curve.survival >= 0) & (curve.survival <= 1))
    defined = ~np.isnan(curve.lower)
    assert np.all(curve.lower[defined] <= curve.survival[defined] + 1e-12)
    assert np.all(curve.upper[defined] >= curve.survival[defined] - 1e-12)
    assert curve.n == len(data)
    assert curve.events == int(data["event"].sum())


@given(times=st.lists(st.integers(0, 20), min_size=1, max_size=50))
def test_without_censoring_the_curve_is_the_empirical_survival_function(times):
    curve = kaplan_meier(times, np.ones(len(times)))
    empirical = [(np.asarray(times) > t).mean() for t in curve.time]
    np.testing.assert_allclose(curve.survival, empirical, atol=1e-12)


def test_dropping_open_cases_would_understate_the_time_to_settlement():
    # Two quick settlements and three complaints open for 30 days: ignoring the
    # open ones would give a median of 1.5 days; censoring keeps it unreached.
    curve = kaplan_meier([1, 2, 30, 30, 30], [1, 1, 0, 0, 0])
    assert np.isnan(curve.median()[0])
    assert kaplan_meier([1, 2], [1, 1]).median()[0] == 1.5


def test_survival_at_is_a_right_continuous_step_function():
    curve = kaplan_meier([2, 4, 4, 7], [1, 1, 0, 0])
    np.testing.assert_allclose(
        curve.survival_at([0, 1.99, 2, 3, 4, 7]), [1, 1, 0.75, 0.75, 0.5, 0.5]
    )
    assert np.isnan(curve.survival_at([8])[0])  # beyond follow-up
    assert kaplan_meier([1, 2], [1, 1]).survival_at([5])[0] == 0


def test_frame_lists_every_distinct_time():
    frame = kaplan_meier([3, 1, 3], [1, 0, 1]).to_frame()
    assert frame["time"].tolist() == [1, 3]
    assert frame["n_risk"].tolist() == [3, 2]
    assert frame["n_censor"].tolist() == [1, 0]


@pytest.mark.parametrize(
    ("time", "event", "kwargs", "message"),
    [
        ([], [], {}, "time is empty"),
        ([1, 2], [1], {}, "same length"),
        ([1, -2], [1, 1], {}, "negative"),
        ([1, np.nan], [1, 1], {}, "missing or infinite"),
        ([1, 2], [1, 2], {}, "0/1"),
        ([1, 2], [1, 1], {"conf_type": "arcsin"}, "choose one of"),
        ([1, 2], [1, 1], {"conf_level": 1.5}, "conf_level"),
        (["a", "b"], [1, 1], {}, "numeric"),
    ],
)
def test_bad_input_is_refused_with_a_message(time, event, kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        kaplan_meier(time, event, **kwargs)


def test_groups_must_be_complete_and_aligned():
    with pytest.raises(ValueError, match="missing labels"):
        kaplan_meier_by([1, 2], [1, 1], ["Wuzhen", None])
    with pytest.raises(ValueError, match="same length"):
        kaplan_meier_by([1, 2], [1, 1], ["Wuzhen"])


def test_quantile_probabilities_are_checked():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        kaplan_meier([1, 2], [1, 1]).quantile(1.5)


def test_the_overall_curve_from_kaplan_meier_by_equals_kaplan_meier():
    data = _complaint_days(seed=21, n=500)
    groups = np.random.default_rng(1).choice(["a", "b"], 500)
    curves = kaplan_meier_by(data["time"], data["event"], groups, overall="all")
    assert list(curves) == ["all", "a", "b"]
    single = kaplan_meier(data["time"], data["event"])
    np.testing.assert_array_equal(curves["all"].survival, single.survival)
    np.testing.assert_array_equal(curves["all"].n_risk, single.n_risk)
