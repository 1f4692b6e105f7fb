"""A light load client for the survey submission API, importable by tests.

``run_load`` drives ``POST /api/surveys/<id>/responses/`` from ``clients``
keep-alive connections for ``duration_s`` seconds, each request with its own
Idempotency-Key, and returns what the server acknowledged. It runs on asyncio
with raw sockets (no HTTP library, no thread per client) so that on a small
machine the generator leaves the CPU to the server it measures.

Two modes:

- closed loop (``rate_per_s=None``): every client sends its next request as
  soon as the previous answer arrived; this finds the saturation throughput.
- open loop (``rate_per_s`` given): requests are *scheduled* at a fixed total
  arrival rate spread evenly over the clients, and latency is measured from the
  scheduled time, so a slow server cannot hide its queueing (no coordinated
  omission).

The default body answers the demo "public-transport" survey (see
``surveys/demo_surveys.py``); pass ``answers=`` for another questionnaire.
"""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")

__all__ = [
    "Connection",
    "LoadResult",
    "Reply",
    "percentile",
    "public_transport_answers",
    "run_coroutine",
    "run_load",
]

RATING_CODES = (
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
TIMEOUT_S = 30.0


@dataclass
class LoadResult:
    """What a load run saw. ``acknowledged`` holds the Idempotency-Keys the
    server answered with 201, so a caller can check each one is stored."""

    acknowledged: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    statuses: Counter = field(default_factory=Counter)
    elapsed_s: float = 0.0
    sent: int = 0

    @property
    def throughput(self) -> float:
        """Acknowledged submissions per second of the run."""
        return len(self.acknowledged) / self.elapsed_s if self.elapsed_s else 0.0

    def percentile(self, q: float) -> float:
        return percentile(self.latencies_ms, q)

    def error(self, name: str) -> None:
        self.errors[name] = self.errors.get(name, 0) + 1


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def public_transport_answers(rng: random.Random) -> dict[str, Any]:
    """A complete, valid answer set for the demo public-transport survey."""
    return {
        "q_usage": rng.choice(["daily", "weekly", "rarely"]),
        "q_complained": "no",
        "q_overall": rng.randint(2, 5),
        "q_recommend": rng.randint(0, 10),
        "d_gender": rng.choice(["female", "male"]),
        **{f"q_{code}": rng.randint(2, 5) for code in RATING_CODES},
    }


@dataclass
class _Target:
    host: str
    port: int
    path: str
    host_header: str


def _target(base_url: str, survey_id: int) -> _Target:
    parts = urlsplit(base_url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"run_load needs an http:// base URL, got {base_url!r}")
    port = parts.port or 80
    prefix = parts.path.rstrip("/")
    return _Target(
        host=parts.hostname,
        port=port,
        path=f"{prefix}/api/surveys/{survey_id}/responses/",
        host_header=parts.netloc,
    )


def _request(target: _Target, key: str, payload: bytes) -> bytes:
    head = (
        f"POST {target.path} HTTP/1.1\r\n"
        f"Host: {target.host_header}\r\n"
        "Content-Type: application/json\r\n"
        "Accept-Language: en\r\n"
        f"Idempotency-Key: {key}\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode("ascii") + payload


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k == name), None)


async def _read_reply(reader: asyncio.StreamReader) -> tuple[Reply, bool]:
    """One HTTP/1.1 response (Content-Length framed, as Django and gunicorn
    send) and whether the server keeps the connection open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers, length = [], 0
    keep_alive = not lines[0].startswith("HTTP/1.0")
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        headers.append((name, value))
        if name == "content-length":
            length = int(value)
        elif name == "connection":
            keep_alive = value.lower() != "close"
    body = await reader.readexactly(length) if length else b""
    return Reply(status, headers, body), keep_alive


class Connection:
    """One keep-alive HTTP/1.1 connection, reopened after an error or a close."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, data: bytes) -> Reply:
        """Send one complete request (head and body) and read its reply."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(
                self.host, self.port
            )
        try:
            self.writer.write(data)
            reply, keep_alive = await _read_reply(self.reader)
        except BaseException:
            self.close()
            raise
        if not keep_alive:
            self.close()
        return reply

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _client_loop(
    index: int,
    target: _Target,
    result: LoadResult,
    *,
    start: float,
    stop: float,
    interval: float | None,
    offset: float,
    answers: Callable[[random.Random], dict[str, Any]],
    run_id: str,
) -> None:
    client = Connection(target.host, target.port)
    rng = random.Random(f"{run_id}-{index}")
    n = 0
    try:
        while True:
            scheduled = time.perf_counter() if interval is None else start + offset
            if interval is not None:
                offset += interval
                if scheduled >= stop:
                    break
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            elif scheduled >= stop:
                break
            n += 1
            key = f"lg-{run_id}-{index:04d}-{n:07d}"
            payload = json.dumps(
                {
                    "answers": answers(rng),
                    "channel": "web",
                    "language": "en",
                    "duration_seconds": rng.randint(120, 600),
                },
                separators=(",", ":"),
            ).encode()
            result.sent += 1
            try:
                reply = await asyncio.wait_for(
                    client.send(_request(target, key, payload)), TIMEOUT_S
                )
            except (
                TimeoutError,
                OSError,
                asyncio.IncompleteReadError,
                ValueError,
                IndexError,
            ) as error:
                # A refused, reset or half-answered request is an error, never
                # retried here: a retry would hide what the server did.
                client.close()
                result.error(type(error).__name__)
                if interval is None:
                    await asyncio.sleep(0.05)  # a down server is not hammered
                continue
            result.latencies_ms.append((time.perf_counter() - scheduled) * 1000)
            result.statuses[reply.status] += 1
            if reply.status == 201:
                result.acknowledged.append(key)
            else:
                result.error(str(reply.status))
    finally:
        client.close()


async def _run(
    target: _Target,
    clients: int,
    duration_s: float,
    rate_per_s: float | None,
    answers: Callable[[random.Random], dict[str, Any]],
) -> LoadResult:
    result = LoadResult()
    run_id = secrets.token_hex(4)
    start = time.perf_counter() + 0.05
    stop = start + duration_s
    interval = None if rate_per_s is None else clients / rate_per_s
    tasks = [
        _client_loop(
            i,
            target,
            result,
            start=start,
            stop=stop,
            interval=interval,
            # Clients are staggered so the arrivals are evenly spread.
            offset=0.0 if interval is None else i / rate_per_s,
            answers=answers,
            run_id=run_id,
        )
        for i in range(clients)
    ]
    await asyncio.gather(*tasks)
    result.elapsed_s = time.perf_counter() - start
    return result


def run_load(
    base_url: str,
    survey_id: int,
    clients: int,
    duration_s: float,
    rate_per_s: float | None = None,
    *,
    answers: Callable[[random.Random], dict[str, Any]] = public_transport_answers,
) -> LoadResult:
    """Submit complete responses to one survey for ``duration_s`` seconds.

    Closed loop when ``rate_per_s`` is None, else open loop at that total rate.
    Safe to call from inside a running event loop (it then uses a thread).
    """
    if clients < 1 or duration_s <= 0 or (rate_per_s is not None and rate_per_s <= 0):
        raise ValueError("clients, duration_s and rate_per_s must be positive")
    coroutine = _run(
        _target(base_url, survey_id), clients, duration_s, rate_per_s, answers
    )
    return run_coroutine(coroutine)


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coroutine)``, in a thread of its own when this thread
    already runs an event loop (Playwright's sync API keeps one in tests)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    box: dict[str, T] = {}
    thread = threading.Thread(target=lambda: box.update(r=asyncio.run(coroutine)))
    thread.start()
    thread.join()
    return box["r"]
