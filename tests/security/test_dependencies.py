"""Known vulnerabilities in the runtime dependencies (pip-audit)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def pip_audit() -> dict:
    executable = shutil.which("pip-audit", path=str(Path(sys.executable).parent))
    if executable is None:
        pytest.fail("pip-audit is not installed: pip install -r requirements-dev.txt")
    result = subprocess.run(
        [
            executable,
            "-r",
            "requirements.txt",
            "-f",
            "json",
            "--progress-spinner",
            "off",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode not in (0, 1) or not result.stdout.strip():
        pytest.fail(f"pip-audit failed to run:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout)


def test_no_runtime_dependency_has_a_known_vulnerability():
    report = pip_audit()
    dependencies = report["dependencies"]
    audited = [d for d in dependencies if "skip_reason" not in d]
    skipped = [
        f"{d['name']}: {d['skip_reason']}" for d in dependencies if d not in audited
    ]
    if not audited:
        # Every package skipped: no vulnerability database answered (a machine
        # whose package index does not serve the per-version JSON API, or no
        # network). Nothing was checked, so this is a skip, never a pass.
        pytest.skip(
            "pip-audit reached no vulnerability database; first reason: "
            + (skipped[0] if skipped else "no dependencies listed")
        )
    vulnerable = [
        f"{d['name']} {d['version']}: "
        + ", ".join(
            f"{v['id']} (fixed in {', '.join(v['fix_versions']) or '?'})"
            for v in d["vulns"]
        )
        for d in audited
        if d["vulns"]
    ]
    assert vulnerable == [], (
        "Raise the lower bound in requirements.txt past the fixed version:\n"
        + "\n".join(vulnerable)
    )
    assert skipped == [], "pip-audit could not audit:\n" + "\n".join(skipped)
