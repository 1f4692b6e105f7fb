"""What key drivers, alphas and shrinkage estimates add to a wave's recompute.

On the 1M-response wave that ``benchmarks.pipeline`` leaves in PostgreSQL:

1. the wave's aggregates (statistics and cross-product sums, one GROUP BY per
   survey), with and without the moment sets, to show what the extra sums
   cost inside the database;
2. the core's finishing step from the aggregates, without and with the
   moments (drivers with jackknife, alphas, Fay-Herriot shrinkage);
3. for one sector, the naive reference in the same process: its responses
   loaded into pandas, scored, then ``relative_importance`` (jackknife over
   service points) and ``reliability_table`` on the respondents; the ratio
   and the largest difference from the aggregate path.

Prints wall and CPU time (the machine is shared: CPU time is the steadier
figure; the database's own CPU is not in this process's figure, so step 1 is
judged by wall time) and the peak memory.

Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
.venv/bin/python -m benchmarks.insights`` (after ``benchmarks.pipeline``).
"""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "surveyportal.settings.test")
django.setup()

import numpy as np  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(label: str, step: Callable[[], Any]) -> tuple[Any, float, float]:
    start, cpu = time.perf_counter(), time.process_time()
    result = step()
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    print(f"  {label:<52} {wall:7.2f} s wall {used:7.2f} s CPU (this process)")
    return result, wall, used


def _wave():
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database (see the docstring).")
    setup_test_environment()
    # serialize=False: never dump the kept 1M-response database to a string
    connection.creation.create_test_db(verbosity=0, keepdb=True, serialize=False)
    from analysis.models import Wave

    wave = Wave.objects.filter(slug="bench").first()
    if wave is None:
        sys.exit("No bench wave: run benchmarks.pipeline first.")
    return wave


def _spec(wave, margins):
    from analysis.compute import WaveSpec
    from analysis.selectors import wave_rollup_weights
    from surveys.models import Sector

    return WaveSpec(
        sector_classes=dict(Sector.objects.values_list("code", "service_class")),
        margins=margins,
        rollup_weights=wave_rollup_weights(wave),
        confidence=wave.confidence,
    )


def _naive_sector(wave, survey, variables, weights_of):
    """Drivers and alphas of one sector from its respondents in pandas."""
    from analysis.frames import _scored, responses_microdata
    from analysis.insights import DRIVERS
    from analysis.selectors import survey_responses, survey_scoring
    from analysis.sql_moments import moment_sets
    from analysis.stats.drivers import relative_importance
    from analysis.stats.reliability import reliability_table
    from analysis.stats.scoring import Item

    scoring = survey_scoring(survey)
    frame = responses_microdata(survey_responses(survey), scoring)
    items, scores, dims, _index, _sat = _scored(frame, scoring)
    weights = weights_of(frame, scoring)
    rated = [name for name, _ in moment_sets(scoring)[DRIVERS]][:-1]
    drivers = relative_importance(
        dims[rated],
        scores[scoring.overall_item.code],
        weights=weights,
        interval="jackknife",
        clusters=frame["service_point"].to_numpy(),
    )
    kept = [Item(i.code, i.dimension, i.scale_min, i.scale_max) for i in items]
    alphas, _ = reliability_table(scores[[i.code for i in kept]], kept, weights)
    return drivers, alphas, len(frame)


def main() -> None:
    from analysis.calibration import calibrated_design
    from analysis.compute import wave_results
    from analysis.selectors import (
        survey_scoring,
        wave_aggregates,
        wave_margins,
        wave_statistics,
        wave_surveys,
    )

    wave = _wave()
    margins = wave_margins(wave)
    variables = sorted({v for m in margins for v in m.variables})
    spec = _spec(wave, margins)
    print("1. database: GROUP BY per survey")
    _table, wall_plain, _ = _timed(
        "statistics only", lambda: wave_statistics(wave, variables)
    )
    (table, moments), wall_moments, _ = _timed(
        "statistics + cross-product sums (one pass)",
        lambda: wave_aggregates(wave, variables),
    )
    print(f"  respondents {table['_count'].sum():,.0f}, groups {len(table):,}")
    print(f"  the moment sums add {wall_moments / wall_plain - 1:+.0%} wall time")
    print("2. core: from the aggregates to the result rows")
    plain, _, cpu_plain = _timed(
        "indexes, grid, shrinkage (no moments)", lambda: wave_results(table, spec)
    )
    full, _, cpu_full = _timed(
        "the same + drivers and alphas", lambda: wave_results(table, spec, moments)
    )
    extra = len(full[0]) - len(plain[0])
    shrunk = int((full[0]["kind"] == "shrunk_index").sum())
    print(
        f"  {shrunk} shrinkage rows; drivers and alphas: {extra} more rows, "
        f"{cpu_full - cpu_plain:.2f} s CPU"
    )

    print("3. one sector: respondents in pandas (the naive path) vs aggregates")
    survey = wave_surveys(wave)[0]
    sector = survey_scoring(survey).sector
    _design, weighted, _ = calibrated_design(table, margins)
    keys = ["sector", "service_point", "region", "channel"]
    keys += [c for c in table.columns if c.startswith("w__")]
    lookup = table[keys].assign(_w=weighted["_weight"].to_numpy())

    def weights_of(frame, scoring):
        rows = frame.assign(
            **{
                f"w__{v}": frame.get(scoring.weighting_codes.get(v, ""))
                for v in variables
            }
        )
        return rows[keys].merge(lookup, on=keys, how="left")["_w"].to_numpy()

    (drivers, alphas, n), naive_wall, naive_cpu = _timed(
        f"sector {sector}: load, score, drivers, alphas",
        lambda: _naive_sector(wave, survey, variables, weights_of),
    )
    stored = full[0]
    mine = stored[(stored.kind == "driver") & (stored.domain == sector)].set_index(
        "dimension"
    )
    reference = drivers.table.set_index("dimension")
    diff = np.max(
        np.abs(mine["estimate"] - reference["importance"].reindex(mine.index))
    )
    alpha_rows = stored[(stored.kind == "alpha") & (stored.domain == sector)]
    alpha_ref = alphas.set_index("dimension")["weighted_alpha"]
    alpha_diff = np.max(
        np.abs(alpha_rows.set_index("dimension")["estimate"] - alpha_ref)
    )
    print(
        f"  {n:,} respondents; largest difference: importance {diff:.1e}, "
        f"alpha {alpha_diff:.1e}"
    )
    finishing = max(cpu_full - cpu_plain, 1e-9)
    print(
        f"  naive, one sector: {naive_wall:.2f} s wall {naive_cpu:.2f} s CPU; "
        f"the whole wave's finishing from aggregates: {finishing:.2f} s CPU "
        f"(ratio {naive_cpu / finishing:.0f}x)"
    )
    print(f"peak memory {_peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
