"""Server CPU of one JSON-API submission, in process, without HTTP or a client.

A scratch PostgreSQL database with the demo survey (as ``benchmarks/server.py``
prepares it for gunicorn), production settings and the shared Redis cache when
it is reachable; the WSGI handler is called directly, so the figure is the
Django + redis-py + psycopg CPU of one ``POST /api/surveys/<id>/responses/``,
free of the load generator and of gunicorn. Reported with the Redis round trips
and SQL queries per submission, and as a ratio to a reference loop (hashing a
payload) run in the same process, which absorbs some of a loaded machine's
noise.

    .venv/bin/python benchmarks/submission_cpu.py [--submissions 500]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    # The repository, not benchmarks/, first: benchmarks/import_export.py would
    # hide the import_export package from the apps.
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks import server
from benchmarks.loadgen import public_transport_answers

DATABASE = "surveys_submission_cpu_bench"


def _environ(path: str, payload: bytes, key: str) -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(payload)),
        "HTTP_ACCEPT_LANGUAGE": "en",
        "HTTP_IDEMPOTENCY_KEY": key,
        "wsgi.input": io.BytesIO(payload),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }


def _reference(rounds: int) -> float:
    """CPU seconds of a fixed amount of pure-Python work, for the ratio."""
    begin = time.process_time()
    data = b"x" * 2048
    for _ in range(rounds):
        hashlib.sha256(json.dumps({"a": list(range(50))}).encode() + data).digest()
    return time.process_time() - begin


def measure(survey_id: int, count: int) -> dict[str, float]:
    from django.core.cache import cache
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    application = get_wsgi_application()
    path = f"/api/surveys/{survey_id}/responses/"
    rng = random.Random(7)
    statuses: dict[str, int] = {}

    def submit(n: int) -> None:
        payload = json.dumps(
            {"answers": public_transport_answers(rng), "duration_seconds": 300}
        ).encode()
        body = application(
            _environ(path, payload, f"cpu-bench-{os.getpid()}-{n:08d}"),
            lambda status, headers: statuses.update(
                {status: statuses.get(status, 0) + 1}
            ),
        )
        b"".join(body)
        body.close()

    for n in range(50):  # warm-up: imports, field caches, connections
        submit(-n - 1)
    redis = _count_redis_calls(cache)
    executed = [0]

    def count_query(execute, sql, params, many, context):
        executed[0] += 1
        return execute(sql, params, many, context)

    # Not connection.queries: every request_started empties it.
    with connection.execute_wrapper(count_query):
        begin_cpu, begin_wall = time.process_time(), time.perf_counter()
        for n in range(count):
            submit(n)
        cpu, wall = time.process_time() - begin_cpu, time.perf_counter() - begin_wall
    queries = executed[0]
    reference = _reference(20_000)
    print(f"statuses             {statuses}")
    return {
        "cpu_ms": cpu / count * 1000,
        "wall_ms": wall / count * 1000,
        "ratio": cpu / reference,
        "queries": queries / count,
        "redis": redis() / count,
    }


def _count_redis_calls(cache) -> callable:
    """Count round trips to Redis (each command or pipeline execution) from now."""
    try:
        from redis.client import Pipeline, Redis
    except ImportError:
        return lambda: 0
    calls = [0]
    single, piped = Redis.execute_command, Pipeline.execute

    def counted_single(self, *args, **kwargs):
        calls[0] += 1
        return single(self, *args, **kwargs)

    def counted_pipeline(self, *args, **kwargs):
        calls[0] += 1
        return piped(self, *args, **kwargs)

    Redis.execute_command = counted_single
    # A pipeline's own commands are buffered through Pipeline.execute_command,
    # which does not reach Redis.execute_command.
    Pipeline.execute = counted_pipeline
    return lambda: calls[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=500)
    args = parser.parse_args()
    server.recreate_database(DATABASE)
    env = server.environment(DATABASE)
    try:
        survey_id, _path = server.prepare(env)
        os.environ.update(env)
        import django

        django.setup()
        figures = measure(survey_id, args.submissions)
    finally:
        from django.db import connections

        connections.close_all()
        if not os.environ.get("BENCH_KEEP_DATABASE"):
            server.drop_database(DATABASE)
    print(f"cache                {env['DJANGO_CACHE_URL'] or 'locmem per process'}")
    print(f"submissions          {args.submissions}")
    print(
        f"CPU per submission   {figures['cpu_ms']:.2f} ms "
        f"(wall {figures['wall_ms']:.2f} ms; {figures['ratio']:.2f} x reference loop)"
    )
    print(
        f"round trips          {figures['redis']:.1f} Redis, "
        f"{figures['queries']:.1f} SQL per submission"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
