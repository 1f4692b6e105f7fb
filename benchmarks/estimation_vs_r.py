"""Time design-based estimation: analysis.stats against R's survey package.

A synthetic city-wide survey: 7 strata (Jiaxing's districts and county-level
cities), 40 PSUs each (280 in all), respondents with age group and gender,
20 five-point satisfaction items and 5 service sectors. Weights are constant
within PSU x age x gender (design weight times a nonresponse adjustment), as
in a real survey. Both sides do the same work on the same frame: build the
design, rake to the age and gender margins, mean of the 20 items overall and
by sector (with SEs). Reading the data is excluded on both sides.

Usage: ``.venv/bin/python benchmarks/estimation_vs_r.py [--rows 1000000]
[--no-r] [--scaling 100000,1000000,10000000]``
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.stats import SurveyDesign  # noqa: E402

STRATA = ("Nanhu", "Xiuzhou", "Jiashan", "Haiyan", "Haining", "Pinghu", "Tongxiang")
PSUS_PER_STRATUM = 40
AGES = ("18-29", "30-39", "40-49", "50-59", "60-69", "70+")
GENDERS = ("f", "m")
SECTORS = ("education", "public transport", "medical", "elderly care", "tourism")
ITEMS = tuple(f"q{i:02d}" for i in range(1, 21))
POP_AGE = dict(zip(AGES, (8.1e5, 8.4e5, 8.9e5, 9.3e5, 7.2e5, 5.6e5), strict=True))
TOTAL = sum(POP_AGE.values())
POP_GENDER = {"f": TOTAL * 0.497, "m": TOTAL * 0.503}
TOL = 1e-10


def make_frame(n: int, seed: int = 2017) -> pd.DataFrame:
    """Synthetic respondents (vectorized; ~1 s per million rows)."""
    rng = np.random.default_rng(seed)
    n_psu = len(STRATA) * PSUS_PER_STRATUM
    psu = rng.integers(0, n_psu, n)
    stratum = psu // PSUS_PER_STRATUM
    age = rng.choice(len(AGES), n, p=[0.14, 0.17, 0.19, 0.2, 0.17, 0.13])
    gender = rng.integers(0, 2, n)
    sector = rng.integers(0, len(SECTORS), n)
    design_weight = rng.uniform(2.0, 9.0, n_psu)[psu] * (1e6 / n)
    adjustment = rng.uniform(0.8, 1.25, (n_psu, len(AGES), 2))[psu, age, gender]
    latent = rng.normal(0, 1, n) + 0.3 * rng.normal(0, 1, n_psu)[psu]
    latent = latent + 0.1 * sector - 0.05 * age
    items = {}
    for k, item in enumerate(ITEMS):
        raw = 3.4 + 0.02 * k + 0.9 * latent + rng.normal(0, 0.8, n)
        items[item] = np.clip(np.rint(raw), 1, 5)
    return pd.DataFrame(
        {
            "stratum": pd.Categorical.from_codes(stratum, STRATA),
            "psu": psu,
            "w": design_weight * adjustment,
            "age": pd.Categorical.from_codes(age, AGES),
            "gender": pd.Categorical.from_codes(gender, GENDERS),
            "sector": pd.Categorical.from_codes(sector, SECTORS),
            **items,
        }
    )


def run_python(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The measured work: design, rake, overall and by-sector means."""
    design = SurveyDesign(frame, weights="w", strata="stratum", psu="psu", nest=True)
    raked = design.rake({"age": POP_AGE, "gender": POP_GENDER}, tol=TOL)
    overall = raked.mean(list(ITEMS))
    by_sector = raked.mean(list(ITEMS), by="sector")
    return overall, by_sector


R_SCRIPT = r"""
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]; n <- as.integer(args[2])
meta <- jsonlite::fromJSON(file.path(dir, "meta.json"))
num <- function(name) readBin(file.path(dir, name), "double", n)
code <- function(name, labels) factor(labels[readBin(file.path(dir, name),
                                                     "integer", n) + 1], labels)
df <- data.frame(stratum = code("stratum.bin", meta$strata),
                 psu = num("psu.bin"), w = num("w.bin"),
                 age = code("age.bin", meta$ages),
                 gender = code("gender.bin", meta$genders),
                 sector = code("sector.bin", meta$sectors))
for (item in meta$items) df[[item]] <- num(paste0(item, ".bin"))
items <- as.formula(paste("~", paste(meta$items, collapse = " + ")))
pop_age <- data.frame(age = meta$ages, Freq = meta$pop_age)
pop_gender <- data.frame(gender = meta$genders, Freq = meta$pop_gender)
start <- proc.time()
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = df)
raked <- rake(des, list(~age, ~gender), list(pop_age, pop_gender),
              control = list(maxit = 100, epsilon = meta$tol))
overall <- svymean(items, raked)
by_sector <- svyby(items, ~sector, raked, svymean)
used <- proc.time() - start
seconds <- used[["elapsed"]]
cpu <- used[["user.self"]] + used[["sys.self"]]
se_by <- as.matrix(SE(by_sector))
est_by <- as.matrix(coef(by_sector))
jsonlite::write_json(list(seconds = seconds, cpu = cpu,
  overall = unname(coef(overall)), overall_se = unname(SE(overall)),
  by_levels = as.character(by_sector$sector),
  by = unname(as.matrix(by_sector[, meta$items])),
  by_se = unname(se_by)), file.path(dir, "result.json"), digits = NA, auto_unbox = TRUE)
"""


def run_r(frame: pd.DataFrame) -> dict:
    """R's survey on the same frame; returns its timing and estimates."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        raise SystemExit("Rscript not found; use --no-r")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in ("stratum", "age", "gender", "sector"):
            frame[name].cat.codes.to_numpy(np.int32).tofile(folder / f"{name}.bin")
        for name in ("psu", "w", *ITEMS):
            frame[name].to_numpy(np.float64).tofile(folder / f"{name}.bin")
        meta = {
            "strata": STRATA,
            "ages": AGES,
            "genders": GENDERS,
            "sectors": SECTORS,
            "items": ITEMS,
            "pop_age": [POP_AGE[a] for a in AGES],
            "pop_gender": [POP_GENDER[g] for g in GENDERS],
            "tol": TOL,
        }
        (folder / "meta.json").write_text(json.dumps(meta))
        (folder / "bench.R").write_text(R_SCRIPT)
        subprocess.run(
            [
                rscript,
                "--vanilla",
                str(folder / "bench.R"),
                str(folder),
                str(len(frame)),
            ],
            check=True,
        )
        result = json.loads((folder / "result.json").read_text())
        # Scalars as plain numbers even if R wrote length-one arrays.
        return {
            k: v[0]
            if isinstance(v, list) and len(v) == 1 and k in ("seconds", "cpu")
            else v
            for k, v in result.items()
        }


def time_python(frame: pd.DataFrame, repeats: int = 3) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds of ``run_python`` over ``repeats``."""
    best_wall = best_cpu = np.inf
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        run_python(frame)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best_wall, best_cpu


def peak_memory(frame: pd.DataFrame) -> float:
    """Peak bytes allocated by the estimation, beyond the frame itself."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    baseline, _ = tracemalloc.get_traced_memory()
    run_python(frame)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak - baseline


def largest_difference(frame: pd.DataFrame, reference: dict) -> tuple[float, float]:
    overall, by_sector = run_python(frame)

    def rel(ours: np.ndarray, theirs: np.ndarray) -> float:
        return float(np.max(np.abs(ours - theirs) / np.abs(theirs)))

    by_sector = by_sector.assign(sector=by_sector["sector"].astype(str)).set_index(
        ["sector", "variable"]
    )
    levels = reference["by_levels"]
    est = np.array([[by_sector.loc[(s, i), "estimate"] for i in ITEMS] for s in levels])
    se = np.array([[by_sector.loc[(s, i), "se"] for i in ITEMS] for s in levels])
    d_est = max(
        rel(overall["estimate"].to_numpy(), np.array(reference["overall"])),
        rel(est, np.array(reference["by"])),
    )
    d_se = max(
        rel(overall["se"].to_numpy(), np.array(reference["overall_se"])),
        rel(se, np.array(reference["by_se"])),
    )
    return d_est, d_se


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-r", action="store_true", help="skip the R side")
    parser.add_argument("--scaling", default="100000,1000000,10000000")
    args = parser.parse_args()

    frame = make_frame(args.rows)
    frame_mb = frame.memory_usage(deep=True).sum() / 2**20
    wall, cpu = time_python(frame)
    peak = peak_memory(frame) / 2**20
    print(
        f"rows: {args.rows:,}  strata: {len(STRATA)}  PSUs: "
        f"{len(STRATA) * PSUS_PER_STRATUM}  items: {len(ITEMS)}  "
        f"frame: {frame_mb:.0f} MiB"
    )
    # On a shared machine wall time measures the neighbours too; CPU time is
    # the fair comparison (both sides are single-threaded).
    print(f"analysis.stats: {wall:.3f} s wall, {cpu:.3f} s CPU (best of 3)")
    print(f"peak memory above the frame: {peak:.0f} MiB")
    if not args.no_r:
        reference = run_r(frame)
        print(
            f"R survey:       {reference['seconds']:.3f} s wall, "
            f"{reference['cpu']:.3f} s CPU"
        )
        print(
            f"speed-up:       {reference['cpu'] / cpu:.1f}x CPU, "
            f"{reference['seconds'] / wall:.1f}x wall"
        )
        d_est, d_se = largest_difference(frame, reference)
        print(f"largest relative difference: estimates {d_est:.2e}, SEs {d_se:.2e}")
    if args.scaling:
        print("scaling (analysis.stats, CPU seconds):")
        for n in (int(v) for v in args.scaling.split(",")):
            scaled = frame if n == args.rows else make_frame(n)
            wall, cpu = time_python(scaled, repeats=2 if n <= 2_000_000 else 1)
            print(
                f"  {n:>11,} rows: {cpu:7.3f} s CPU ({cpu / n * 1e6:.3f} us/row), "
                f"{wall:7.3f} s wall"
            )
            del scaled


if __name__ == "__main__":
    main()
