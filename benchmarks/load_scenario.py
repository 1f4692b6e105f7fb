"""Citizens answering a survey at a realistic mix, bounded in time (issue #9).

Virtual citizens, each with its own cookies, against gunicorn + PostgreSQL on
loopback (the scratch server of :mod:`benchmarks.server`), in this mix:

- ``web`` (45 %): open the survey's introduction, start, answer every section
  through the HTML form (CSRF token, "shown" stamp and all), review, submit;
- ``api`` (40 %): ask the JSON API for a start stamp, then submit a complete
  response with it (an app or a kiosk);
- ``results`` (15 %): look up the public results page.

Each citizen thinks ``--think`` seconds between steps. The report prints
throughput, p50/p95/p99 per kind of request, errors, and checks that every
acknowledged submission (web: the redirect to the thank-you page; API: 201) is
stored. ``--summary`` writes the report to a file (benchmarks/RESULTS.md keeps
the last run's).

    .venv/bin/python benchmarks/load_scenario.py [--users 64] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.loadgen import (
    TIMEOUT_S,
    Connection,
    Reply,
    percentile,
    public_transport_answers,
    run_coroutine,
)

MIX = (("web", 0.45), ("api", 0.40), ("results", 0.15))
MAX_SECTIONS = 20  # a flow that never reaches the review is an error, not a hang


@dataclass
class ScenarioResult:
    """What the citizens saw; ``acknowledged_*`` are the submissions the server
    confirmed, to be compared with the rows stored."""

    latencies_ms: dict[str, list[float]] = field(
        default_factory=lambda: defaultdict(list)
    )
    errors: Counter = field(default_factory=Counter)
    flows: Counter = field(default_factory=Counter)
    acknowledged_web: int = 0
    acknowledged_api: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def acknowledged(self) -> int:
        return self.acknowledged_web + len(self.acknowledged_api)

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.latencies_ms.values())

    def report(self, stored: int | None = None) -> str:
        every = [v for values in self.latencies_ms.values() for v in values]
        lines = [
            f"duration             {self.elapsed_s:.1f} s",
            f"requests             {self.requests} "
            f"({self.requests / self.elapsed_s:.0f}/s)",
            f"submissions          {self.acknowledged} acknowledged "
            f"({self.acknowledged / self.elapsed_s:.1f}/s): "
            f"{self.acknowledged_web} web form, {len(self.acknowledged_api)} API",
            f"flows completed      {dict(self.flows)}",
            "latency ms           p50 / p95 / p99",
            f"  all requests       {_quantiles(every)}",
        ]
        lines += [
            f"  {kind:<18} {_quantiles(values)}"
            for kind, values in sorted(self.latencies_ms.items())
        ]
        lines.append(
            f"errors               {sum(self.errors.values())} "
            f"{dict(self.errors) or ''}"
        )
        if stored is not None:
            lines.append(
                f"stored               {stored} "
                f"(== acknowledged: {stored == self.acknowledged})"
            )
        return "\n".join(lines)


def _quantiles(values: list[float]) -> str:
    return " / ".join(f"{percentile(values, q):.1f}" for q in (50, 95, 99))


class _FormParser(HTMLParser):
    """The POST forms of a page: action and fields (the honeypot left empty)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(
                {
                    "action": attributes.get("action", ""),
                    "method": attributes.get("method", "get").lower(),
                    "fixed": [],
                    "choices": defaultdict(list),
                    "multiple": defaultdict(list),
                }
            )
            return
        if not self.forms:
            return
        form, name = self.forms[-1], attributes.get("name", "")
        if tag == "input" and name:
            kind = attributes.get("type", "text").lower()
            value = attributes.get("value", "")
            if kind == "hidden":
                form["fixed"].append((name, value))
            elif kind == "radio":
                form["choices"][name].append(value)
            elif kind == "checkbox" and name.startswith("q_"):
                form["multiple"][name].append(value)
            elif kind == "number":
                form["fixed"].append((name, attributes.get("min") or "1"))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and attributes.get("value"):
            form["choices"][self._select].append(attributes["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def _answer_form(html: str, rng: random.Random) -> tuple[str, list[tuple[str, str]]]:
    """The page's survey form filled in as a citizen would: one answer per
    question, "not applicable" never, the honeypot and contact details empty."""
    parser = _FormParser()
    parser.feed(html)
    forms = [
        f for f in parser.forms if f["method"] == "post" and "i18n" not in f["action"]
    ]
    if not forms:
        raise _FlowError("no-form")
    form = forms[0]
    fields = list(form["fixed"])
    for name, values in form["choices"].items():
        usable = [v for v in values if v not in ("", "na")] or values
        fields.append((name, rng.choice(usable)))
    for name, values in form["multiple"].items():
        fields.append((name, rng.choice([v for v in values if v != "other"] or values)))
    return form["action"], fields


class _FlowError(Exception):
    """A step answered something a citizen could not go on from."""


class Citizen:
    """One virtual citizen: a connection, cookies and a random generator."""

    def __init__(self, base_url: str, result: ScenarioResult, rng: random.Random):
        parts = urlsplit(base_url)
        self.host_header = parts.netloc
        self.connection = Connection(parts.hostname or "127.0.0.1", parts.port or 80)
        self.cookies: dict[str, str] = {}
        self.result = result
        self.rng = rng

    async def request(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        form: list[tuple[str, str]] | None = None,
        json_body: dict | None = None,
        headers: dict[str, str] | None = None,
        expect: tuple[int, ...] = (200,),
    ) -> Reply:
        body, content_type = b"", None
        if form is not None:
            body = urlencode(form).encode()
            content_type = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            content_type = "application/json"
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host_header}"]
        if self.cookies:
            lines.append(
                "Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            )
        if content_type:
            lines.append(f"Content-Type: {content_type}")
            # Django's CSRF check wants a same-origin Referer or Origin.
            lines.append(f"Origin: http://{self.host_header}")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        lines.append(f"Content-Length: {len(body)}")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        started = time.perf_counter()
        try:
            reply = await asyncio.wait_for(self.connection.send(data), TIMEOUT_S)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as e:
            self.result.errors[f"{kind}:{type(e).__name__}"] += 1
            raise _FlowError(type(e).__name__) from e
        self.result.latencies_ms[kind].append((time.perf_counter() - started) * 1000)
        for name, value in reply.headers:
            if name == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        if reply.status not in expect:
            self.result.errors[f"{kind}:{reply.status}"] += 1
            raise _FlowError(str(reply.status))
        return reply

    async def think(self, seconds: float) -> None:
        if seconds > 0:
            await asyncio.sleep(self.rng.uniform(0.5, 1.5) * seconds)

    async def web(self, survey_path: str, think: float) -> None:
        """Intro, start, every section, review, submit, thank-you page."""
        intro = await self.request("web intro", "GET", survey_path)
        action, fields = _answer_form(intro.body.decode(), self.rng)
        await self.think(think)
        step = await self.request(
            "web start",
            "POST",
            urljoin(survey_path, action) or survey_path,
            form=fields,
            expect=(302,),
        )
        location = step.header("location") or ""
        for _ in range(MAX_SECTIONS):
            page = await self.request("web section", "GET", location)
            action, fields = _answer_form(page.body.decode(), self.rng)
            await self.think(think)
            is_review = "/review/" in location
            step = await self.request(
                "web submit" if is_review else "web section",
                "POST",
                urljoin(location, action) if action else location,
                form=fields,
                expect=(302,),
            )
            location = step.header("location") or ""
            if is_review:
                break
        else:
            self.result.errors["web:no-review"] += 1
            raise _FlowError("no-review")
        if "/thanks/" not in location:
            self.result.errors["web:not-thanked"] += 1
            raise _FlowError("not-thanked")
        self.result.acknowledged_web += 1
        await self.request("web thanks", "GET", location)

    async def api(self, survey_id: int, think: float) -> None:
        """A start stamp, some time answering, then one complete submission."""
        started = await self.request(
            "api start", "POST", f"/api/surveys/{survey_id}/starts/", expect=(201,)
        )
        await self.think(think * 3)
        key = f"scenario-{secrets.token_hex(12)}"
        await self.request(
            "api submit",
            "POST",
            f"/api/surveys/{survey_id}/responses/",
            json_body={
                "answers": public_transport_answers(self.rng),
                "channel": "web",
                "language": "en",
                "started": json.loads(started.body)["started"],
            },
            headers={"Idempotency-Key": key},
            expect=(201,),
        )
        self.result.acknowledged_api.append(key)

    async def results(self) -> None:
        await self.request("results page", "GET", "/en/results/")


async def _citizen_loop(
    citizen: Citizen, survey_id: int, survey_path: str, stop: float, think: float
) -> None:
    kinds, weights = zip(*MIX, strict=True)
    try:
        while time.perf_counter() < stop:
            kind = citizen.rng.choices(kinds, weights)[0]
            try:
                if kind == "web":
                    await citizen.web(survey_path, think)
                elif kind == "api":
                    await citizen.api(survey_id, think)
                else:
                    await citizen.results()
                citizen.result.flows[kind] += 1
            except _FlowError:
                citizen.connection.close()
                await asyncio.sleep(0.1)
            await citizen.think(think)
    finally:
        citizen.connection.close()


async def _run(base_url, survey_id, survey_path, users, duration_s, think, seed):
    result = ScenarioResult()
    started = time.perf_counter()
    stop = started + duration_s
    await asyncio.gather(
        *(
            _citizen_loop(
                Citizen(base_url, result, random.Random(f"{seed}-{n}")),
                survey_id,
                survey_path,
                stop,
                think,
            )
            for n in range(users)
        )
    )
    result.elapsed_s = time.perf_counter() - started
    return result


def run_scenario(
    base_url: str,
    survey_id: int,
    survey_path: str,
    users: int,
    duration_s: float,
    think_s: float = 0.5,
    seed: str = "scenario",
) -> ScenarioResult:
    """Run the citizens' mix for ``duration_s`` seconds (flows under way finish)."""
    if users < 1 or duration_s <= 0 or think_s < 0:
        raise ValueError("users and duration_s must be positive, think_s not negative")
    return run_coroutine(
        _run(base_url, survey_id, survey_path, users, duration_s, think_s, seed)
    )


def main() -> int:
    from benchmarks import server

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=0.5)
    parser.add_argument("--summary", type=Path, help="also write the report here")
    args = parser.parse_args()
    with server.served("surveys_load_scenario") as served:
        before = server.submitted_count(served.database, served.survey_id)
        result = run_scenario(
            served.base_url,
            served.survey_id,
            served.survey_path,
            args.users,
            args.seconds,
            args.think,
        )
        stored = server.submitted_count(served.database, served.survey_id) - before
    header = (
        f"{args.users} citizens, {args.seconds:.0f} s, think time ~{args.think} s; "
        "gunicorn.conf.py + PostgreSQL on loopback"
    )
    text = header + "\n" + result.report(stored)
    print(text)
    if args.summary:
        args.summary.write_text(text + "\n")
    ok = not result.errors and stored == result.acknowledged
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
