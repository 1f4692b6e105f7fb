"""Submission throughput: gunicorn + PostgreSQL + a loopback load generator.

Creates a scratch PostgreSQL database, migrates it, loads one demo survey,
starts gunicorn (production settings) in a subprocess and posts complete
responses to ``/api/surveys/<id>/responses/`` from 64 concurrent clients, each
with its own Idempotency-Key. Prints submissions per second, p50/p99 latency
and whether the stored count equals the acknowledged count.

    .venv/bin/python benchmarks/submissions.py [--requests 6000] [--clients 64]

Target: at least 300 submissions/s with p99 under 150 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get(
    "BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
DB_NAME = "surveys_submissions_bench"
SETUP = """
from surveys.demo import load_reference_data
from surveys.demo_surveys import WAVES, ensure_survey, ensure_survey_index
from core.demo import ensure_home_page
load_reference_data()
index = ensure_survey_index(ensure_home_page())
survey = ensure_survey(index, "public-transport", WAVES[1])
survey.starts_per_client_per_hour = 10**9  # every client is 127.0.0.1 here
survey.save_revision().publish()
print(survey.pk)
"""


def database_url(name: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def recreate_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def environment() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(DB_NAME),
        "DJANGO_SETTINGS_MODULE": "surveyportal.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_TRUSTED_PROXY_COUNT": "0",
    }


def prepare(env: dict[str, str]) -> int:
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    out = subprocess.run(
        [python, "manage.py", "shell", "-c", SETUP],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return int(out.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, workers: int, threads: int):
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    process = subprocess.Popen(
        [
            gunicorn,
            "surveyportal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--keep-alive",
            "5",
            "--graceful-timeout",
            "10",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline, last = time.monotonic() + 180, None
    while time.monotonic() < deadline and process.poll() is None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            last = conn.getresponse().status
            if last in (200, 503):
                return process
        except (OSError, http.client.HTTPException) as error:
            last = error
        time.sleep(0.5)
    process.terminate()
    raise RuntimeError(f"gunicorn did not start (last answer: {last!r})")


def body(rng_seed: int) -> bytes:
    import random

    rng = random.Random(rng_seed)
    ratings = {
        f"q_{code}": rng.randint(2, 5)
        for code in (
            "on_time",
            "frequency",
            "route_coverage",
            "vehicle_clean",
            "stop_shelter",
            "crowding",
            "driver_courtesy",
            "driving_smooth",
            "help_elderly",
            "realtime_info",
            "payment_easy",
            "fare_fair",
        )
    }
    answers = {
        "q_usage": rng.choice(["daily", "weekly", "rarely"]),
        "q_complained": "no",
        "q_overall": rng.randint(2, 5),
        "q_recommend": rng.randint(0, 10),
        "d_gender": rng.choice(["female", "male"]),
        **ratings,
    }
    return json.dumps(
        {
            "answers": answers,
            "channel": "qr",
            "service_point": "bus-k1",
            "duration_seconds": rng.randint(120, 600),
        }
    ).encode()


def client_loop(port, path, jobs, lock, results, counter):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while True:
        with lock:
            if counter[0] >= jobs:
                break
            counter[0] += 1
            n = counter[0]
        payload = body(n)
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": f"bench-{n:08d}-{secrets.token_hex(6)}",
        }
        started = time.perf_counter()
        try:
            conn.request("POST", path, payload, headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status = 0
        results.append((time.perf_counter() - started, status))
    conn.close()


def load(port: int, survey_id: int, jobs: int, clients: int):
    path = f"/api/surveys/{survey_id}/responses/"
    lock, results, counter = threading.Lock(), [], [0]
    threads = [
        threading.Thread(
            target=client_loop, args=(port, path, jobs, lock, results, counter)
        )
        for _ in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def stored_count(survey_id: int) -> int:
    with psycopg.connect(database_url(DB_NAME)) as conn:
        return conn.execute(
            "SELECT count(*) FROM surveys_response WHERE survey_id = %s", (survey_id,)
        ).fetchone()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) * 2 + 1)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    recreate_database()
    env = environment()
    survey_id = prepare(env)
    port = free_port()
    server = start_gunicorn(env, port, args.workers, args.threads)
    try:
        load(port, survey_id, min(300, args.requests), args.clients)  # warm-up
        warm = stored_count(survey_id)
        results, elapsed = load(port, survey_id, args.requests, args.clients)
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    latencies = sorted(seconds for seconds, _status in results)
    acknowledged = sum(1 for _seconds, status in results if status == 201)
    errors = len(results) - acknowledged
    stored = stored_count(survey_id) - warm
    rate = acknowledged / elapsed
    p50 = statistics.quantiles(latencies, n=100)[49] * 1000
    p99 = statistics.quantiles(latencies, n=100)[98] * 1000
    print(f"clients              {args.clients}")
    print(
        f"gunicorn             {args.workers} workers x {args.threads} threads, "
        f"{os.cpu_count()} CPUs shared with the load generator"
    )
    print(f"submissions          {len(results)} in {elapsed:.1f} s")
    print(f"submissions/s        {rate:.0f}")
    print(f"latency p50          {p50:.1f} ms")
    print(f"latency p99          {p99:.1f} ms")
    print(f"acknowledged (201)   {acknowledged}")
    print(f"errors               {errors}")
    print(f"stored               {stored}")
    print(f"stored == acknowledged: {stored == acknowledged}")
    target = rate >= 300 and p99 < 150 and stored == acknowledged and not errors
    print(
        "target (>= 300/s, p99 < 150 ms, stored == acknowledged): "
        + ("met" if target else "NOT met")
    )
    if not args.keep:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    return 0 if stored == acknowledged else 1


if __name__ == "__main__":
    sys.exit(main())
