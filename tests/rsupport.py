"""Run R code on pandas frames and read back its results, for cross-checks.

R is the reference our estimators are checked against. A test writes its frames
to CSV, R reads them as ``<name>`` data frames, and the script ends by assigning
a named list to ``result``; the list is written as JSON with full precision.
When R (or a package) is missing the test skips locally and fails under
``CI=true``, so CI can never pass by silently not comparing.
"""

from __future__ import annotations

import functools
import json
import math
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

RSCRIPT = shutil.which("Rscript")

_PRELUDE = """
suppressPackageStartupMessages({{ {libraries} }})
{reads}
"""

_EPILOGUE = """
writeLines(jsonlite::toJSON(result, digits = NA, auto_unbox = TRUE,
                            na = "{na}", null = "null"), "{out}")
"""

_SPECIAL = {"Inf": math.inf, "-Inf": -math.inf, "NaN": math.nan, "NA": math.nan}


def _decode_special(value: Any) -> Any:
    """Turn jsonlite's "Inf"/"-Inf"/"NaN"/"NA" strings back into floats."""
    if isinstance(value, str) and value in _SPECIAL:
        return _SPECIAL[value]
    if isinstance(value, list):
        return [_decode_special(v) for v in value]
    if isinstance(value, dict):
        return {k: _decode_special(v) for k, v in value.items()}
    return value


@functools.cache
def _missing_r_packages(packages: tuple[str, ...]) -> tuple[str, ...]:
    """Packages R cannot load, probed once per session (R starts slowly)."""
    if not RSCRIPT:
        return ("Rscript",)
    vector = ", ".join(f"'{p}'" for p in packages)
    probe = subprocess.run(  # noqa: S603
        [
            RSCRIPT,
            "-e",
            f"p <- c({vector}); ok <- vapply(p, requireNamespace, TRUE, "
            "quietly = TRUE); cat(p[!ok], sep = '\\n')",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode:
        return packages
    return tuple(line for line in probe.stdout.splitlines() if line.strip())


def require_r(*packages: str) -> None:
    """Skip (fail under CI) unless Rscript and every named package exist."""
    missing = _missing_r_packages(tuple(sorted({"jsonlite", *packages})))
    if missing:
        message = f"R reference unavailable: missing {', '.join(missing)}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def run_r(
    code: str,
    frames: dict[str, pd.DataFrame] | None = None,
    packages: tuple[str, ...] = ("survey",),
    timeout: float = 600,
    special_values: bool = False,
) -> dict[str, Any]:
    """Run ``code`` in R with ``frames`` loaded under their names; return ``result``.

    Numbers come back as JSON numbers with 15+ significant digits (``digits=NA``),
    enough for comparisons at a relative 1e-8. R's NA, NaN and Inf come back as
    None, unless ``special_values`` is true: then Inf/-Inf are float infinities
    and NA/NaN are float NaN (numeric vectors only; character NA also becomes
    NaN).
    """
    require_r(*packages)
    frames = frames or {}
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        reads = []
        for name, frame in frames.items():
            path = tmpdir / f"{name}.csv"
            frame.to_csv(path, index=False, float_format="%.17g")
            reads.append(
                f'{name} <- read.csv("{path}", stringsAsFactors = FALSE, '
                f"check.names = FALSE)"
            )
        out = tmpdir / "result.json"
        libraries = "; ".join(f"library({p})" for p in packages)
        script = (
            _PRELUDE.format(libraries=libraries, reads="\n".join(reads))
            + code
            + _EPILOGUE.format(out=out, na="string" if special_values else "null")
        )
        (tmpdir / "script.R").write_text(script)
        proc = subprocess.run(  # noqa: S603
            [RSCRIPT, "--vanilla", str(tmpdir / "script.R")],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if proc.returncode:
            raise RuntimeError(f"R failed:\n{proc.stderr[-4000:]}")
        result = json.loads(out.read_text())
        return _decode_special(result) if special_values else result
