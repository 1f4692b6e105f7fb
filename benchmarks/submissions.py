"""Submission throughput: gunicorn + PostgreSQL + a loopback load generator.

Creates a scratch PostgreSQL database with the demo public-transport survey,
starts gunicorn (production settings, the repository's gunicorn.conf.py) and
posts complete responses to ``/api/surveys/<id>/responses/`` with
:func:`benchmarks.loadgen.run_load`, in two runs:

- closed loop: 64 clients, no think time: the saturation throughput;
- open loop: 300 submissions/s spread over 64 clients (each citizen's app
  submitting about every 0.2 s), latency counted from the scheduled time.

For each it prints submissions/s, p50/p95/p99 latency, errors, whether every
acknowledged Idempotency-Key is stored, and CPU per submission of the server
(gunicorn workers + their PostgreSQL backends) and of the load generator: on a
shared machine, CPU per submission is the figure that does not depend on what
the neighbours do.

    .venv/bin/python benchmarks/submissions.py [--seconds 20] [--clients 64]

Target (issue #3 acceptance 8, issue #9 acceptance 3): at least 300
submissions/s with p99 under 150 ms, zero errors, stored == acknowledged.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import server
from benchmarks.loadgen import LoadResult, run_load

DATABASE = "surveys_submissions_bench"
TARGET_RATE, TARGET_P99_MS = 300.0, 150.0


@dataclass
class Measured:
    name: str
    result: LoadResult
    stored: int
    server_cpu_s: float
    database_cpu_s: float
    client_cpu_s: float
    offered_rate: float | None = None

    @property
    def rate_held(self) -> bool:
        """Closed loop: the saturation throughput reaches the target. Open
        loop: every request sent at the offered rate (>= target) was answered
        (the measured rate then equals the offered one, give or take the last
        reply's flight time)."""
        r = self.result
        if self.offered_rate is None:
            return r.throughput >= TARGET_RATE
        return self.offered_rate >= TARGET_RATE and len(r.acknowledged) == r.sent

    @property
    def meets_target(self) -> bool:
        r = self.result
        return (
            self.rate_held
            and r.percentile(99) < TARGET_P99_MS
            and not r.errors
            and self.stored == len(r.acknowledged)
        )


def measured_run(
    served: server.Served, name: str, clients: int, seconds: float, rate: float | None
) -> Measured:
    """One load run with the CPU of server, database backends and client."""
    gunicorn = server.cpu_sample(server.tree_pids(served.process.pid))
    backends = server.cpu_sample(server.backend_pids(served.database))
    client_before = time.process_time()
    result = run_load(served.base_url, served.survey_id, clients, seconds, rate)
    client_cpu = time.process_time() - client_before
    server_cpu = server.cpu_spent(
        gunicorn, server.cpu_sample(server.tree_pids(served.process.pid))
    )
    database_cpu = server.cpu_spent(
        backends, server.cpu_sample(server.backend_pids(served.database))
    )
    stored = server.stored_of(served.database, result.acknowledged)
    return Measured(name, result, stored, server_cpu, database_cpu, client_cpu, rate)


def report(run: Measured) -> None:
    r = run.result
    done = max(len(r.latencies_ms), 1)
    print(f"--- {run.name}")
    print(f"requests             {r.sent} in {r.elapsed_s:.1f} s")
    print(f"submissions/s        {r.throughput:.0f}")
    print(
        "latency p50/p95/p99  "
        f"{r.percentile(50):.1f} / {r.percentile(95):.1f} / {r.percentile(99):.1f} ms"
    )
    print(f"acknowledged (201)   {len(r.acknowledged)}")
    print(f"errors               {sum(r.errors.values())} {dict(r.errors) or ''}")
    print(
        f"stored               {run.stored}  (== acknowledged: "
        f"{run.stored == len(r.acknowledged)})"
    )
    print(
        f"CPU per submission   gunicorn {run.server_cpu_s / done * 1000:.2f} ms, "
        f"PostgreSQL backends {run.database_cpu_s / done * 1000:.2f} ms, "
        f"load generator {run.client_cpu_s / done * 1000:.2f} ms"
    )
    verdict = "MEETS" if run.meets_target else "does NOT meet"
    print(
        f"target (>= {TARGET_RATE:.0f}/s, p99 < {TARGET_P99_MS:.0f} ms, no errors, "
        f"stored == acknowledged): {verdict}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--rate", type=float, default=TARGET_RATE)
    parser.add_argument(
        "--gunicorn", default="", help="extra gunicorn arguments, e.g. '--workers 3'"
    )
    parser.add_argument(
        "--runs", default="closed,open", help="which runs: closed, open or both"
    )
    args = parser.parse_args()
    wanted = set(args.runs.split(","))

    with server.served(DATABASE, args.gunicorn.split()) as served:
        run_load(served.base_url, served.survey_id, args.clients, 3.0)  # warm-up
        runs = []
        if "closed" in wanted:
            runs.append(
                measured_run(
                    served, "closed loop (saturation)", args.clients, args.seconds, None
                )
            )
        if "open" in wanted:
            runs.append(
                measured_run(
                    served,
                    f"open loop at {args.rate:.0f}/s",
                    args.clients,
                    args.seconds,
                    args.rate,
                )
            )
    print(
        f"machine              {os.cpu_count()} CPUs, load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} after the runs"
    )
    print(f"clients              {args.clients}; gunicorn.conf.py {args.gunicorn}")
    cache = server.CACHE_URL if server.redis_reachable() else "one per worker"
    print(f"cache                {cache}")
    for run in runs:
        report(run)
    lost = any(run.stored != len(run.result.acknowledged) for run in runs)
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
