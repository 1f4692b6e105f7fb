"""Settlement statistics checked against R (binom.test, prop.test, survfit)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.stats.binomial import (
    binomial_interval,
    target_verdict,
)
from analysis.stats.settlement import (
    handling_satisfaction,
    settlement_outcomes,
    settlement_rates,
    settlement_rates_by,
    with_period,
)
from analysis.stats.settlement_times import (
    settlement_durations,
    time_to_settlement,
)
from tests.rsupport import run_r

AS_OF = pd.Timestamp("2026-07-01")

_INTERVALS_IN_R = """
ci <- t(mapply(function(x, n, level) {
  exact <- binom.test(x, n, conf.level = level)$conf.int
  score <- suppressWarnings(
    prop.test(x, n, conf.level = level, correct = FALSE)$conf.int)
  c(exact, score)
}, counts$x, counts$n, counts$level))
result <- list(exact_lower = ci[, 1], exact_upper = ci[, 2],
               wilson_lower = ci[, 3], wilson_upper = ci[, 4])
"""


def _wilson_by_hand(x: np.ndarray, n: np.ndarray, z: float) -> tuple:
    """Wilson (1927) written out independently of the code under test."""
    p = x / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def _check_intervals_against_r(counts: pd.DataFrame) -> None:
    reference = run_r(_INTERVALS_IN_R, {"counts": counts}, packages=())
    for level, rows in counts.groupby("level"):
        x, n = rows["x"].to_numpy(), rows["n"].to_numpy()
        index = rows.index.to_numpy()
        exact = binomial_interval(x, n, method="exact", conf_level=level)
        wilson = binomial_interval(x, n, method="wilson", conf_level=level)
        for ours, key in zip(
            (*exact, *wilson),
            ("exact_lower", "exact_upper", "wilson_lower", "wilson_upper"),
            strict=True,
        ):
            expected = np.atleast_1d(np.array(reference[key], dtype=float))[index]
            np.testing.assert_allclose(ours, expected, rtol=1e-9, atol=1e-12)
        z = {0.95: 1.959963984540054, 0.9: 1.6448536269514722}.get(level)
        if z is not None:
            np.testing.assert_allclose(
                wilson, _wilson_by_hand(x, n, z), rtol=1e-12, atol=1e-15
            )


@pytest.mark.r
def test_intervals_match_binom_test_and_prop_test_at_the_edges():
    x = [0, 1, 0, 1, 5, 29, 30, 999, 1000, 4, 0, 250]
    n = [1, 1, 5, 5, 10, 30, 30, 1000, 1000, 7, 1000, 1000]
    counts = pd.DataFrame({"x": x, "n": n}).assign(level=0.95)
    counts = pd.concat([counts, counts.assign(level=0.9)], ignore_index=True)
    _check_intervals_against_r(counts)


@pytest.mark.r
@settings(max_examples=3, deadline=None)
@given(
    pairs=st.lists(
        st.integers(1, 5000).flatmap(
            lambda n: st.tuples(st.integers(0, n), st.just(n))
        ),
        min_size=15,
        max_size=15,
    ),
    level=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_generated_counts_match_binom_test_and_prop_test(pairs, level):
    counts = pd.DataFrame(pairs, columns=["x", "n"]).assign(level=level)
    _check_intervals_against_r(counts)


@given(
    st.integers(1, 10_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))
)
def test_both_intervals_contain_the_observed_rate(pair):
    x, n = pair
    for method in ("wilson", "exact"):
        lower, upper = binomial_interval(x, n, method=method)
        assert 0 <= lower <= x / n <= upper <= 1
        assert (upper == 1) == (x == n)


def test_an_empty_group_has_no_interval_and_bad_counts_are_refused():
    lower, upper = binomial_interval([0, 3], [0, 4])
    assert np.isnan(lower[0]) and np.isnan(upper[0]) and not np.isnan(lower[1])
    with pytest.raises(ValueError, match="between 0 and trials"):
        binomial_interval(5, 4)
    with pytest.raises(ValueError, match="choose one of"):
        binomial_interval(1, 4, method="wald")
    with pytest.raises(ValueError, match="conf_level"):
        binomial_interval(1, 4, conf_level=95)


def test_a_full_target_is_met_only_when_nothing_is_left_unsettled():
    settled = np.array([10_000, 9_999, 1, 0])
    counted = np.array([10_000, 10_000, 1, 0])
    for method in ("wilson", "exact"):
        lower, upper = binomial_interval(settled, counted, method=method)
        assert lower[0] < 1  # 100% can never be shown "with confidence"
        verdict = target_verdict(settled, counted, lower, upper)
        assert verdict.tolist() == ["met", "not met", "met", "no data"]


def test_a_lower_target_can_be_indistinguishable():
    settled, counted = np.array([9, 19, 96]), np.array([10, 20, 100])
    lower, upper = binomial_interval(settled, counted)
    verdict = target_verdict(settled, counted, lower, upper, target=0.8)
    assert verdict.tolist() == ["not distinguishable", "not distinguishable", "met"]
    with pytest.raises(ValueError, match="target"):
        target_verdict(1, 1, 0.5, 1, target=1.2)


def _complaints(rows: list[tuple]) -> pd.DataFrame:
    """(status, received, settled, closed, deadline, area, category) rows."""
    columns = ["status", "received_at", "settled_at", "closed_at", "settle_by"]
    frame = pd.DataFrame(rows, columns=[*columns, "scenic_area", "category"])
    for column in columns[1:]:
        frame[column] = pd.to_datetime(frame[column])
    return frame


ROWS = [
    # settled on time, settled late, closed unsettled, overdue and open
    ("settled", "2026-05-04", "2026-05-08", "2026-05-08", "2026-05-25", "Wuzhen", "a"),
    ("settled", "2026-05-04", "2026-06-10", "2026-06-10", "2026-05-25", "Wuzhen", "b"),
    ("closed_unsettled", "2026-05-11", None, "2026-06-01", "2026-06-01", "Wuzhen", "a"),
    ("in_progress", "2026-05-11", None, None, "2026-06-01", "Xitang", "a"),
    # pending: open within its deadline; rejected: out of scope
    ("accepted", "2026-06-25", None, None, "2026-07-16", "Xitang", "b"),
    ("rejected", "2026-06-02", None, "2026-06-03", "2026-06-23", "Xitang", "b"),
    ("settled", "2026-06-02", "2026-06-05", "2026-06-05", "2026-06-23", "Xitang", "a"),
]


def test_outcomes_follow_the_documented_definitions():
    outcomes = settlement_outcomes(_complaints(ROWS), as_of=AS_OF)
    assert outcomes["rejected"].tolist() == [0, 0, 0, 0, 0, 1, 0]
    assert outcomes["pending"].tolist() == [0, 0, 0, 0, 1, 0, 0]
    assert outcomes["counted"].tolist() == [1, 1, 1, 1, 0, 0, 1]
    assert outcomes["settled"].tolist() == [1, 1, 0, 0, 0, 0, 1]
    assert outcomes["settled_on_time"].tolist() == [1, 0, 0, 0, 0, 0, 1]


def test_rates_per_scenic_area_count_overdue_open_complaints_as_unsettled():
    table = settlement_rates(_complaints(ROWS), as_of=AS_OF, by="scenic_area")
    wuzhen, xitang = table.to_dict("records")
    assert (wuzhen["received"], wuzhen["counted"], wuzhen["settled"]) == (3, 3, 2)
    assert (xitang["rejected"], xitang["pending"], xitang["counted"]) == (1, 1, 2)
    assert wuzhen["settlement_rate"] == pytest.approx(2 / 3)
    assert wuzhen["on_time_rate"] == pytest.approx(1 / 3)
    assert xitang["unsettled"] == 1 and xitang["verdict"] == "not met"
    lower, upper = binomial_interval(2, 3)
    assert wuzhen["lower"] == pytest.approx(float(lower))
    assert wuzhen["upper"] == pytest.approx(float(upper))


def test_the_report_date_decides_what_was_settled_then():
    frame = _complaints(ROWS)
    frame = frame[frame["received_at"] <= "2026-06-07"]
    early = settlement_rates(frame, as_of=pd.Timestamp("2026-06-07"))
    late = settlement_rates(frame, as_of=AS_OF)
    # On 7 June the late settlement (10 June) was still an overdue open case.
    assert early.loc[0, "settled"] == 2 and late.loc[0, "settled"] == 3
    assert early.loc[0, "counted"] == late.loc[0, "counted"] == 5


def test_a_group_with_only_pending_complaints_has_no_data():
    table = settlement_rates(_complaints(ROWS[4:5]), as_of=AS_OF)
    row = table.iloc[0]
    assert row["counted"] == 0 and np.isnan(row["settlement_rate"])
    assert row["verdict"] == "no data"


def test_rates_by_period_and_several_keys():
    frame = with_period(_complaints(ROWS), freq="M")
    table = settlement_rates(frame, as_of=AS_OF, by=["period", "category"])
    assert table[["period", "category"]].astype(str).values.tolist() == [
        ["2026-05", "a"],
        ["2026-05", "b"],
        ["2026-06", "a"],
        ["2026-06", "b"],
    ]
    assert table["received"].sum() == len(ROWS)


def test_exact_intervals_are_wider_than_wilson_ones():
    frame = _complaints(ROWS)
    wilson = settlement_rates(frame, as_of=AS_OF, by="scenic_area")
    exact = settlement_rates(frame, as_of=AS_OF, by="scenic_area", method="exact")
    assert np.all(exact["lower"] <= wilson["lower"])
    assert np.all(exact["upper"] >= wilson["upper"])


def test_timezone_aware_datetimes_give_the_same_figures():
    naive = _complaints(ROWS)
    aware = naive.assign(
        **{
            column: naive[column].dt.tz_localize("Asia/Shanghai")
            for column in ("received_at", "settled_at", "closed_at", "settle_by")
        }
    )
    as_of = AS_OF.tz_localize("Asia/Shanghai")
    pd.testing.assert_frame_equal(
        settlement_rates(aware, as_of=as_of), settlement_rates(naive, as_of=AS_OF)
    )


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda f: f.drop(columns="settle_by"), ValueError, "lacks column"),
        (lambda f: f.assign(status="lost"), ValueError, "unknown or missing"),
        (lambda f: f.assign(status=None), ValueError, "unknown or missing"),
        (lambda f: f.assign(settle_by="soon"), TypeError, "must hold datetimes"),
        (
            lambda f: f.assign(received_at=pd.Timestamp("2027-01-01")),
            ValueError,
            "after as_of",
        ),
        (lambda f: f.assign(scenic_area=None), ValueError, "'scenic_area'"),
    ],
)
def test_bad_frames_are_refused_naming_the_column(change, error, message):
    with pytest.raises(error, match=message):
        settlement_rates(change(_complaints(ROWS)), as_of=AS_OF, by="scenic_area")


def test_durations_censor_open_complaints_and_keep_unsettled_ones_at_risk():
    durations = settlement_durations(_complaints(ROWS), as_of=AS_OF)
    assert 5 not in durations.index  # rejected
    assert durations.loc[0].tolist() == [4.0, True]
    assert durations.loc[2].tolist() == [51.0, False]  # at risk until as_of
    assert durations.loc[3].tolist() == [51.0, False]  # open: censored
    closing = settlement_durations(
        _complaints(ROWS), as_of=AS_OF, unsettled="censor_at_close"
    )
    assert closing.loc[2].tolist() == [21.0, False]
    with pytest.raises(ValueError, match="choose one of"):
        settlement_durations(_complaints(ROWS), as_of=AS_OF, unsettled="drop")


def test_a_settlement_before_receipt_is_refused():
    rows = [
        ("settled", "2026-05-04", "2026-05-01", "2026-05-01", "2026-05-25", "W", "a")
    ]
    with pytest.raises(ValueError, match="before it was received"):
        settlement_durations(_complaints(rows), as_of=AS_OF)


def _random_complaints(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    received = (
        pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.uniform(0, 170, n), unit="D")
    ).round("s")
    status = rng.choice(
        ["settled", "in_progress", "closed_unsettled", "rejected", "accepted"],
        size=n,
        p=[0.7, 0.1, 0.08, 0.07, 0.05],
    )
    took = pd.to_timedelta(rng.gamma(2.0, 5.0, n).round(2), unit="D")
    concluded = np.isin(status, ["settled", "closed_unsettled", "rejected"])
    closed_at = pd.Series(received + took).where(concluded)
    as_of = pd.Timestamp("2026-06-30")
    closed_at = closed_at.where(closed_at <= as_of, as_of).dt.round("s")
    return pd.DataFrame(
        {
            "status": status,
            "received_at": received,
            "settled_at": closed_at.where(status == "settled"),
            "closed_at": closed_at,
            "settle_by": received + pd.Timedelta(days=21),
            "scenic_area": rng.choice(["Wuzhen", "Xitang", "Nanhu"], n),
        }
    )


@pytest.mark.r
def test_time_to_settlement_matches_survfit_computed_from_the_raw_dates():
    frame = _random_complaints(seed=8, n=400)
    as_of = pd.Timestamp("2026-06-30")
    for_r = frame.assign(
        **{
            column: frame[column].dt.strftime("%Y-%m-%d %H:%M:%S")
            for column in ("received_at", "settled_at", "closed_at")
        }
    )
    reference = run_r(
        """
        t <- function(x) as.POSIXct(x, tz = "UTC", format = "%Y-%m-%d %H:%M:%S")
        d <- subset(complaints, status != "rejected")
        as_of <- t("2026-06-30 00:00:00")
        end <- ifelse(d$status == "settled", t(d$settled_at), as_of)
        d$days <- as.numeric(difftime(as.POSIXct(end, origin = "1970-01-01",
                                                 tz = "UTC"),
                                      t(d$received_at), units = "days"))
        d$settled <- as.integer(d$status == "settled")
        f <- survfit(Surv(days, settled) ~ 1, data = d)
        g <- survfit(Surv(days, settled) ~ scenic_area, data = d)
        m <- quantile(f, 0.5)
        result <- list(time = f$time, surv = f$surv, lower = f$lower,
                       upper = f$upper, median = unname(m$quantile),
                       median_lower = unname(m$lower),
                       median_upper = unname(m$upper),
                       by_median = unname(quantile(g, 0.5)$quantile[, 1]))
        """,
        {"complaints": for_r},
        packages=("survival",),
    )
    curve = time_to_settlement(frame, as_of=as_of)
    np.testing.assert_allclose(curve.time, reference["time"], rtol=1e-9)
    np.testing.assert_allclose(curve.survival, reference["surv"], rtol=1e-10)
    np.testing.assert_allclose(curve.lower, reference["lower"], rtol=1e-9)
    np.testing.assert_allclose(curve.upper, reference["upper"], rtol=1e-9)
    median = curve.median()
    expected = (reference["median"], reference["median_lower"])
    assert median[:2] == pytest.approx(expected, rel=1e-9)
    curves = time_to_settlement(frame, as_of=as_of, by="scenic_area")
    np.testing.assert_allclose(
        [c.median()[0] for c in curves.values()], reference["by_median"], rtol=1e-9
    )


@pytest.mark.r
def test_handling_satisfaction_matches_t_test_and_prop_test():
    rng = np.random.default_rng(4)
    answers = pd.DataFrame(
        {
            "overall": rng.choice([1, 2, 3, 4, 5, np.nan], 300),
            "channel": rng.choice(["12345", "12301", "qr"], 300),
        }
    )
    reference = run_r(
        """
        per <- lapply(split(answers, answers$channel), function(d) {
          r <- d$overall[!is.na(d$overall)]
          tt <- t.test(r)$conf.int
          pt <- prop.test(sum(r >= 4), length(r), correct = FALSE)$conf.int
          c(mean(r), tt, pt)
        })
        result <- list(values = unname(do.call(rbind, per)))
        """,
        {"answers": answers},
        packages=(),
    )
    table = handling_satisfaction(answers, by="channel")
    expected = np.array(reference["values"], dtype=float)
    ours = table[
        ["mean", "mean_lower", "mean_upper", "satisfied_lower", "satisfied_upper"]
    ]
    np.testing.assert_allclose(ours.to_numpy(), expected, rtol=1e-9)
    assert table["answers"].sum() == answers["overall"].notna().sum()


def test_handling_satisfaction_refuses_ratings_off_the_scale():
    with pytest.raises(ValueError, match="outside 1..5"):
        handling_satisfaction(pd.DataFrame({"overall": [1, 6]}))
    with pytest.raises(TypeError, match="numeric"):
        handling_satisfaction(pd.DataFrame({"overall": ["good"]}))
    with pytest.raises(ValueError, match="no column 'speed'"):
        handling_satisfaction(pd.DataFrame({"overall": [1]}), rating="speed")


def test_one_answer_has_a_share_but_no_mean_interval():
    row = handling_satisfaction(pd.DataFrame({"overall": [5.0]})).iloc[0]
    assert row["mean"] == 5 and np.isnan(row["mean_lower"])
    assert row["satisfied_share"] == 1 and row["satisfied_upper"] == 1


def test_inputs_are_not_modified():
    frame = _complaints(ROWS)
    before = frame.copy()
    settlement_rates(with_period(frame), as_of=AS_OF, by="period")
    time_to_settlement(frame, as_of=AS_OF, by="scenic_area")
    pd.testing.assert_frame_equal(frame, before)


def test_counts_per_group_agree_with_a_plain_group_by():
    frame = _random_complaints(seed=12, n=2000)
    as_of = pd.Timestamp("2026-06-30")
    outcomes = settlement_outcomes(frame, as_of=as_of).astype(int)
    expected = (
        outcomes.assign(received=1, scenic_area=frame["scenic_area"])
        .groupby("scenic_area")
        .sum()
    )
    tables = settlement_rates_by(frame, as_of=as_of, dimensions=["scenic_area"])
    table = tables["scenic_area"].set_index("scenic_area")
    for column in ("received", "rejected", "pending", "counted", "settled"):
        assert table[column].tolist() == expected[column].tolist(), column
    assert table["settled_on_time"].tolist() == expected["settled_on_time"].tolist()
    assert tables["overall"]["counted"].iloc[0] == expected["counted"].sum()
