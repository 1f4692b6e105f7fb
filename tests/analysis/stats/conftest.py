"""Shared fixtures for the statistical core: the api data and R cross-checks.

Each R cross-check sends several designs to one R session (R starts slowly)
and compares, for every block of estimates, eight numbers per domain:
estimate, SE, normal CI, t CI with the design df, deff and df.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.stats import SurveyDesign
from tests.rsupport import run_r

DATA = Path(__file__).parent / "data"
FIELDS = ("estimate", "se", "ci_low", "ci_high", "ci_t_low", "ci_t_high", "deff", "df")

R_HELPERS = r"""
.subset_design <- function(des, by, lev) {
  if (is.null(by)) return(des)
  v <- des$variables[[by]]
  des[!is.na(v) & v == lev, ]
}
.formula <- function(var) as.formula(paste0("~`", var, "`"))
.block <- function(des, kind, var, by = NULL, levels = NULL, den = NULL,
                   method = "logit") {
  levs <- if (is.null(by)) list(NULL) else as.list(levels)
  rows <- lapply(levs, function(lev) {
    sub <- .subset_design(des, by, lev)
    df <- degf(sub)
    f <- .formula(var)
    if (kind == "prop") {
      m <- svymean(f, sub, deff = TRUE, na.rm = TRUE)
      p <- coef(m)[[1]]
      if (method == "wilson") {
        n_eff <- p * (1 - p) / vcov(m)[1, 1]
        q <- qt(0.975, df)
        centre <- p + q^2 / (2 * n_eff)
        half <- q * sqrt(p * (1 - p) / n_eff + q^2 / (4 * n_eff^2))
        ci <- c(centre - half, centre + half) / (1 + q^2 / n_eff)
      } else {
        ci <- attr(svyciprop(f, sub, method = method), "ci")
      }
      return(c(p, SE(m)[[1]], ci[[1]], ci[[2]], ci[[1]], ci[[2]],
               deff(m)[[1]], df))
    }
    s <- switch(kind,
      mean = svymean(f, sub, deff = TRUE, na.rm = TRUE),
      total = svytotal(f, sub, deff = TRUE, na.rm = TRUE),
      ratio = svyratio(f, .formula(den), sub, deff = TRUE, na.rm = TRUE))
    ci <- confint(s)
    cit <- confint(s, df = df)
    c(coef(s)[[1]], as.vector(SE(s))[[1]], ci[1], ci[2], cit[1], cit[2],
      as.vector(deff(s))[[1]], df)
  })
  do.call(rbind, rows)
}
"""


@dataclass(frozen=True)
class Block:
    """One estimate (per domain) to compare: kind in mean/total/ratio/prop."""

    kind: str
    var: str
    by: str | None = None
    den: str | None = None
    method: str = "logit"
    rtol: float | None = None  # when R itself is less precise than 1e-8


@dataclass(frozen=True)
class Case:
    """A design built both in Python and in R, with the blocks to compare."""

    name: str
    frame: str
    build: Callable[[pd.DataFrame], SurveyDesign]
    r_design: str
    blocks: Sequence[Block] = field(default_factory=tuple)


def r_vector(values: Sequence[object]) -> str:
    """An R vector literal of numbers or strings."""
    return f"c({', '.join(json.dumps(v) for v in values)})"


def python_block(design: SurveyDesign, block: Block) -> np.ndarray:
    """The eight compared fields, one row per domain, from our library."""
    if block.kind == "prop":
        result = design.proportion(block.var, by=block.by, method=block.method)
        normal = result
        t_result = result
    else:
        if block.kind == "ratio":
            normal = design.ratio(block.var, block.den, by=block.by)
            t_result = design.ratio(block.var, block.den, by=block.by, ci="t")
        else:
            method = getattr(design, block.kind)
            normal = method(block.var, by=block.by)
            t_result = method(block.var, by=block.by, ci="t")
    if block.by is None:
        normal_frame = pd.DataFrame([normal.as_dict()])
        t_frame = pd.DataFrame([t_result.as_dict()])
    else:
        normal_frame, t_frame = normal, t_result
    return np.column_stack(
        [
            normal_frame["estimate"],
            normal_frame["se"],
            normal_frame["ci_low"],
            normal_frame["ci_high"],
            t_frame["ci_low"],
            t_frame["ci_high"],
            normal_frame["deff"],
            normal_frame["df"],
        ]
    ).astype(float)


def domain_levels(frame: pd.DataFrame, by: str) -> list[object]:
    values = frame[by].dropna().unique().tolist()
    return sorted(values)


def r_blocks(case: Case, frame: pd.DataFrame) -> str:
    """R code assigning the list of block matrices of ``case``."""
    calls = []
    for block in case.blocks:
        args = [f'"{block.kind}"', json.dumps(block.var)]
        if block.by is not None:
            args.append(f"by = {json.dumps(block.by)}")
            args.append(f"levels = {r_vector(domain_levels(frame, block.by))}")
        if block.den is not None:
            args.append(f"den = {json.dumps(block.den)}")
        args.append(f'method = "{block.method}"')
        calls.append(f".block(des, {', '.join(args)})")
    return f"local({{ des <- {case.r_design}\n  list({', '.join(calls)}) }})"


def compare_cases(
    cases: Sequence[Case], frames: dict[str, pd.DataFrame], rtol: float = 1e-8
) -> None:
    """Run all ``cases`` in one R session and compare every block."""
    code = (
        R_HELPERS
        + "result <- list(\n"
        + ",\n".join(
            f"`{case.name}` = {r_blocks(case, frames[case.frame])}" for case in cases
        )
        + ")\n"
    )
    reference = run_r(code, frames=frames, special_values=True)
    for case in cases:
        design = case.build(frames[case.frame])
        for block, expected in zip(case.blocks, reference[case.name], strict=True):
            got = python_block(design, block)
            want = np.atleast_2d(np.asarray(expected, dtype=float))
            # A design with (numerically) zero variance, e.g. one respondent
            # per post-stratum, leaves R's SE at rounding noise; its intervals
            # and deff are noise too. Compare the estimate, the df and that
            # both SEs vanish.
            scale = np.maximum(np.abs(want[:, :1]), 1.0)
            degenerate = (np.abs(want[:, 1:2]) < 1e-10 * scale)[:, 0]
            if degenerate.any():
                assert np.all(np.abs(got[degenerate, 1]) < 1e-9 * scale[degenerate, 0])
                keep = [0, 7]
                np.testing.assert_allclose(
                    got[degenerate][:, keep], want[degenerate][:, keep], rtol=rtol
                )
                got, want = got[~degenerate], want[~degenerate]
            np.testing.assert_allclose(
                got,
                want,
                rtol=block.rtol or rtol,
                atol=1e-12,
                err_msg=f"{case.name}: {block} (columns {FIELDS})",
            )


def _read(name: str) -> pd.DataFrame:
    frame = pd.read_csv(DATA / f"{name}.csv")
    schwide = (frame["sch.wide"] == "Yes").astype(int)
    # A few deterministic gaps, to check the handling of missing answers.
    gaps = frame["api99"].where(np.arange(len(frame)) % 7 != 3)
    return frame.assign(schwide=schwide, api99_gaps=gaps)


@pytest.fixture(scope="session")
def api() -> dict[str, pd.DataFrame]:
    """The api data sets of R's survey package (see data/make_api.R)."""
    return {
        name: _read(name) for name in ("apistrat", "apisrs", "apiclus1", "apiclus2")
    }
