"""Settlement statistics for 1M complaints: must finish in under 3 seconds.

Builds a synthetic complaint frame shaped like the one the complaints selector
produces (categorical labels, UTC datetimes), then times everything the
dashboard and the settlement report compute: settlement and on-time rates
overall and per month, scenic area, category and channel; Kaplan–Meier time to
settlement overall and per scenic area with medians; satisfaction with
handling. Prints the wall time (best of ``--repeat``; the budget applies to it),
the CPU time and load average (wall time on a busy machine says little), and the
peak memory the statistics allocate (tracemalloc, measured in a separate run).

Run: ``.venv/bin/python benchmarks/complaints.py [--rows 1000000]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.stats.settlement import (  # noqa: E402
    handling_satisfaction,
    settlement_rates,
    settlement_rates_by,
    with_period,
)
from analysis.stats.settlement_times import (  # noqa: E402
    settlement_durations,
)
from analysis.stats.survival import (  # noqa: E402
    kaplan_meier_by,
    median_table,
)

AS_OF = pd.Timestamp("2026-12-31 23:59:59", tz="UTC")
BUDGET_SECONDS = 3.0
SCENIC_AREAS = [
    "Wuzhen",
    "Xitang",
    "South Lake",
    "Haining Leather City",
    "Yanguan tide-watching",
    "Jiashan chocolate town",
    "Nanbeihu",
    "Moon River",
]
CATEGORIES = ["price", "service", "safety", "hygiene", "transport", "shopping"]
CHANNELS = ["qr", "96345", "12345", "12301", "web"]


def synthetic_complaints(rows: int, seed: int = 2026) -> pd.DataFrame:
    """One year of complaints with realistic outcome shares and durations."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2026-01-01T00:00:00", "s")
    received = start + rng.integers(0, 365 * 86_400, rows).astype("timedelta64[s]")
    status = rng.choice(
        np.array(
            ["settled", "closed_unsettled", "rejected", "in_progress", "accepted"]
        ),
        size=rows,
        p=[0.86, 0.03, 0.05, 0.04, 0.02],
    )
    took = (rng.gamma(2.0, 4.0, rows) * 86_400).astype("timedelta64[s]")
    concluded_at = np.minimum(received + took, AS_OF.tz_localize(None).to_numpy())
    concluded = np.isin(status, ["settled", "closed_unsettled", "rejected"])
    closed = np.where(concluded, concluded_at, np.datetime64("NaT"))
    settled = np.where(status == "settled", concluded_at, np.datetime64("NaT"))

    def utc(values: np.ndarray) -> pd.Series:
        return pd.Series(values.astype("datetime64[ns]")).dt.tz_localize("UTC")

    def labels(choices: list[str]) -> pd.Categorical:
        return pd.Categorical.from_codes(rng.integers(0, len(choices), rows), choices)

    return pd.DataFrame(
        {
            "status": pd.Categorical(status),
            "received_at": utc(received),
            "settled_at": utc(settled),
            "closed_at": utc(closed),
            "settle_by": utc(received + np.timedelta64(21, "D")),
            "scenic_area": labels(SCENIC_AREAS),
            "category": labels(CATEGORIES),
            "channel": labels(CHANNELS),
        }
    )


def follow_up_answers(complaints: pd.DataFrame, seed: int = 7) -> pd.DataFrame:
    """Ratings from the 30% of settled complainants who answer the follow-up."""
    rng = np.random.default_rng(seed)
    settled = complaints.loc[complaints["status"] == "settled", ["scenic_area"]]
    answered = settled.sample(frac=0.3, random_state=seed)
    ratings = rng.choice([1, 2, 3, 4, 5], len(answered), p=[0.05, 0.05, 0.1, 0.4, 0.4])
    return answered.assign(overall=ratings)


def settlement_statistics(
    complaints: pd.DataFrame, answers: pd.DataFrame
) -> dict[str, object]:
    """Everything the dashboard and the settlement report show."""
    monthly = with_period(complaints, freq="M", timezone="Asia/Shanghai")
    rates = settlement_rates_by(monthly, as_of=AS_OF)
    rates["exact"] = settlement_rates(monthly, as_of=AS_OF, method="exact")
    durations = settlement_durations(complaints, as_of=AS_OF)
    curves = kaplan_meier_by(
        durations["days"],
        durations["settled"],
        complaints.loc[durations.index, "scenic_area"],
        overall="all",
    )
    curve = curves["all"]
    return {
        "rates": rates,
        "median": curve.median(),
        "within_15_days": 1 - float(curve.survival_at([15.0])[0]),
        "median_by_area": median_table(curves),
        "satisfaction": handling_satisfaction(answers, by="scenic_area"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    complaints = synthetic_complaints(args.rows)
    answers = follow_up_answers(complaints)
    timings, cpu = [], []
    for _ in range(args.repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = settlement_statistics(complaints, answers)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    tracemalloc.start()
    settlement_statistics(complaints, answers)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    overall = result["rates"]["overall"].iloc[0]
    median, low, high = result["median"]
    best = min(timings)
    print(f"complaints: {args.rows:,}; follow-up answers: {len(answers):,}")
    print(
        f"settlement rate {overall.settlement_rate:.4f} "
        f"[{overall.lower:.4f}, {overall.upper:.4f}] -> {overall.verdict}; "
        f"on time {overall.on_time_rate:.4f}"
    )
    print(
        f"median days to settlement {median:.2f} [{low:.2f}, {high:.2f}]; "
        f"settled within 15 days {result['within_15_days']:.3f}"
    )
    print(
        f"time: best {best:.2f} s of {args.repeat} (all: "
        + ", ".join(f"{t:.2f}" for t in timings)
        + ")"
    )
    print(f"CPU time: best {min(cpu):.2f} s; load average {os.getloadavg()[0]:.1f}")
    print(f"peak memory allocated by the statistics: {peak / 2**20:.0f} MiB")
    verdict = "within" if best < BUDGET_SECONDS else "OVER"
    print(f"{verdict} the {BUDGET_SECONDS:.0f} s budget")
    if best >= BUDGET_SECONDS:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
