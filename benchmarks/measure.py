"""CPU and memory of one benchmark phase, this process and its PostgreSQL side.

The machine is shared, so wall times are noisy: the CPU seconds spent by this
process and by the PostgreSQL processes serving it (its backend and the
parallel workers the backend starts) are the figures to compare between
versions. PostgreSQL must run on the same machine (``/proc``); otherwise the
database figure is 0.
"""

from __future__ import annotations

import os
import resource
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _cpu(fields: list[str]) -> float:
    return (int(fields[11]) + int(fields[12])) / TICK


def _parallel_workers(postmaster: int, backend: int) -> list[int]:
    try:
        children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text()
    except OSError:
        return []
    marker = f"parallel worker for PID {backend}".encode()
    found = []
    for pid in map(int, children.split()):
        try:
            if marker in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            continue
    return found


@dataclass
class DatabaseCpu:
    """CPU seconds of a backend and of its parallel workers while running.

    Parallel workers live for one query, so a thread samples them every
    ``interval`` seconds and keeps each worker's last figure (a worker's last
    ``interval`` may be missed).
    """

    backend: int
    interval: float = 0.05
    _start: float = 0.0
    _workers: dict[int, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> DatabaseCpu:
        fields = _stat(self.backend)
        self._postmaster = int(fields[1]) if fields else 0
        self._start = _cpu(fields) if fields else 0.0
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            for pid in _parallel_workers(self._postmaster, self.backend):
                fields = _stat(pid)
                if fields:
                    self._workers[pid] = _cpu(fields)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        fields = _stat(self.backend)
        self.backend_seconds = (_cpu(fields) - self._start) if fields else 0.0
        self.worker_seconds = sum(self._workers.values())
        self.workers = len(self._workers)


def backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def peak_rss_mb() -> float:
    """This process's own peak resident memory (run each phase in a fresh
    process, so it is the phase's peak plus the interpreter and imports)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measured(step) -> tuple[object, dict]:
    """Run ``step``; its result and wall, Python CPU, PostgreSQL CPU
    (backend + parallel workers) and peak RSS of this process."""
    rss_before = peak_rss_mb()
    with DatabaseCpu(backend_pid()) as db:
        start, cpu = time.perf_counter(), time.process_time()
        result = step()
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return result, {
        "wall_s": wall,
        "python_cpu_s": cpu,
        "db_backend_cpu_s": db.backend_seconds,
        "db_workers_cpu_s": db.worker_seconds,
        "db_workers": db.workers,
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak_rss_mb(),
    }
