"""Time the whole satisfaction-index pipeline on a large simulated survey.

1M respondents, 7 sectors, 7 regions (strata), 500 service points (PSUs):
scores, domain indexes and satisfied rates, roll-ups, target verdicts,
Cronbach's alphas, key drivers with jackknife intervals and Fay-Herriot
service-point estimates. Prints each step's wall time and the peak memory.

Run: ``.venv/bin/python -m benchmarks.indexes [respondents] [points]``
"""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from analysis.stats.design import SurveyDesign
from analysis.stats.drivers import relative_importance
from analysis.stats.indexes import (
    PLAN_ROLLUPS,
    domain_indexes,
    point_direct_estimates,
    rollup_indexes,
    satisfied_rates,
)
from analysis.stats.quadrants import importance_performance
from analysis.stats.reliability import reliability_table
from analysis.stats.respondents import IndexConfig, score_respondents
from analysis.stats.smallarea import small_area_estimates
from analysis.stats.sufficient import aggregate
from analysis.stats.targets import target_verdicts
from tests.analysis.stats.simulated_survey import ITEMS, survey

DIMENSIONS = ["staff", "waiting", "facilities", "information"]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(
    label: str, timings: dict[str, tuple[float, float]], step: Callable[[], Any]
) -> Any:
    start, cpu = time.perf_counter(), time.process_time()
    result = step()
    timings[label] = (time.perf_counter() - start, time.process_time() - cpu)
    wall, used = timings[label]
    print(f"  {label:<38} {wall:7.3f} s wall {used:7.3f} s CPU")
    return result


def run(
    respondents: int = 1_000_000, points: int = 500
) -> dict[str, tuple[float, float]]:
    """Run every step once and return the wall time of each."""
    start = time.perf_counter()
    raw = survey(points, respondents // points, seed=1, scored=False)
    # domain labels as categoricals, as a selector would hand them over
    labels = ["sector", "region", "channel", "age_group"]
    raw = raw.astype(dict.fromkeys(labels, "category"))
    print(f"simulated {len(raw):,} respondents in {time.perf_counter() - start:.1f} s")
    print(f"peak memory after simulation: {_peak_mb():,.0f} MB")
    t: dict[str, tuple[float, float]] = {}
    print("  (CPU time is the fairer figure when other jobs share the machine)")

    config = IndexConfig(items=ITEMS, overall="overall")
    keep = ["sector", "region", "service_point", "channel", "age_group"]

    def scores() -> pd.DataFrame:
        keep_all = [*keep, "weight", "overall"]
        return score_respondents(raw, config, keep=keep_all, include_items=True)

    frame = _timed("scores (items, dimensions, index)", t, scores)
    domains = ["sector", "region", "service_point", "channel", "age_group"]
    keys = list(dict.fromkeys(["weight", *domains]))  # region: strata, point: PSU
    design = _timed(
        "design from one GROUP BY",
        t,
        lambda: SurveyDesign.from_sufficient(
            aggregate(frame, keys, ["index", "satisfied", *DIMENSIONS]),
            weights="weight",
            strata="region",
            psu="service_point",
        ),
    )
    _timed("domain indexes", t, lambda: domain_indexes(design, domains=domains))
    _timed("satisfied rates", t, lambda: satisfied_rates(design, domains=domains))
    microdata = _timed(
        "design on microdata (for roll-ups)",
        t,
        lambda: SurveyDesign(
            frame, weights="weight", strata="region", psu="service_point"
        ),
    )
    rollups = _timed(
        "roll-ups", t, lambda: rollup_indexes(frame, microdata, PLAN_ROLLUPS)
    )
    _timed("verdicts", t, lambda: target_verdicts(rollups))
    _timed(
        "alphas (weighted and unweighted)",
        t,
        lambda: reliability_table(frame, ITEMS, weights=frame["weight"]),
    )
    drivers = _timed(
        "drivers (LMG, jackknife by PSU)",
        t,
        lambda: relative_importance(
            frame[DIMENSIONS],
            frame["overall"],
            weights=frame["weight"],
            interval="jackknife",
            clusters=frame["service_point"],
            strata=frame["region"],
        ),
    )

    def quadrants() -> pd.DataFrame:
        means = design.mean(DIMENSIONS).set_index("variable")["estimate"]
        return importance_performance(
            drivers.table.set_index("dimension")["share"], means
        )

    _timed("importance-performance (design means)", t, quadrants)
    direct = _timed(
        "service-point direct estimates",
        t,
        lambda: point_direct_estimates(frame, weights="weight"),
    )
    _timed(
        "Fay-Herriot + rank intervals",
        t,
        lambda: small_area_estimates(direct, "sector", min_n=10),
    )
    wall, used = (sum(v[k] for v in t.values()) for k in (0, 1))
    print(f"  {'total':<38} {wall:7.3f} s wall {used:7.3f} s CPU")
    print(f"peak memory (RSS): {_peak_mb():,.0f} MB")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average {load} on {os.cpu_count()} CPUs (wall time inflates above 1)")
    return t


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    np.seterr(all="ignore")
    run(*args)
