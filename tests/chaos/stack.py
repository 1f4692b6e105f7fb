"""A throw-away production stack on loopback that a test may break.

A scratch PostgreSQL cluster (initdb in a temporary directory, its own port),
a scratch Redis (its own port, append-only file so a restart keeps the queue),
gunicorn with production settings and a real Celery worker. Nothing here
touches the shared PostgreSQL on 5432 or the shared Redis on 6379: other
engineers and CI use them while a chaos test stops and kills its own.

The database, demo survey and gunicorn come from benchmarks/server.py, so the
chaos tests and the load benchmark measure the same server.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path

import psycopg

from benchmarks import server
from tests.services import celery_worker_command

ROOT = Path(__file__).resolve().parents[2]
# A wave assessing the demo survey, without population margins: the index
# pipeline then weights every respondent equally, whatever the load client
# answered about age or district.
WAVE_SETUP = """
import datetime as dt
from analysis.models import Wave
from surveys.models import SurveyPage
wave, _ = Wave.objects.get_or_create(
    slug="chaos", defaults={"name": "chaos", "name_en": "chaos",
    "period_start": dt.date(2000, 1, 1), "period_end": dt.date(2100, 1, 1)})
wave.surveys.add(*SurveyPage.objects.filter(pk=SURVEY_ID))
"""
# Seconds after which Redis hands a killed worker's unacknowledged task to the
# next worker that starts (CELERY_VISIBILITY_TIMEOUT); short so a test can wait.
VISIBILITY_TIMEOUT_S = 5


def wait_until(
    condition: Callable[[], bool], timeout: float, step: float = 0.2
) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def postgres_bin() -> Path | None:
    """The newest PostgreSQL server binaries installed by Debian, if any."""
    found = sorted(
        glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[4]) if Path(p).parts[4].isdigit() else 0,
    )
    return Path(found[-1]).parent if found else None


def _as_postgres_user() -> list[str]:
    """initdb and postgres refuse to run as root: run them as ``postgres``."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "postgres", "--"]


class ScratchPostgres:
    """A PostgreSQL cluster of its own, in a temporary directory."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.port = server.free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="chaos-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.dir, account.pw_uid, account.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        )

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(  # noqa: S603
            [*_as_postgres_user(), str(self.bin_dir / tool), *args],
            check=True,
            capture_output=True,
            cwd=self.dir,
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        # fsync off: a chaos test kills PostgreSQL's processes, not the kernel,
        # so what was written stays in the page cache, and the cluster is
        # thrown away anyway; crash recovery from the WAL still runs.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} "
            "-c fsync=off -c full_page_writes=off -c max_connections=100"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def crash(self) -> None:
        """Stop at once, as a power cut would: no checkpoint, WAL replay on start."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def is_up(self) -> bool:
        try:
            with psycopg.connect(self.url(), connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


class ScratchRedis:
    """A Redis of its own that persists its queue across a restart."""

    def __init__(self) -> None:
        self.port = server.free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="chaos-redis-"))
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.dir),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not wait_until(lambda: server_answers(self.port), 20):
            raise RuntimeError("the scratch redis-server did not start")

    def stop(self) -> None:
        """A clean stop: Redis writes its append-only file and exits."""
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
            self.process = None

    def destroy(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def server_answers(port: int) -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class Stack:
    """The running stack and the handles a test needs to break it."""

    postgres: ScratchPostgres
    redis: ScratchRedis
    env: dict[str, str]
    base_url: str
    survey_id: int
    gunicorn: subprocess.Popen
    worker: subprocess.Popen | None = None
    worker_logs: list[Path] = field(default_factory=list)

    # -- the Celery worker -------------------------------------------------
    def start_worker(self) -> None:
        log = self.postgres.dir / f"worker-{len(self.worker_logs)}.log"
        self.worker_logs.append(log)
        with log.open("wb") as out:
            self.worker = subprocess.Popen(  # noqa: S603
                [
                    *celery_worker_command(
                        f"chaos-{len(self.worker_logs)}", loglevel="INFO"
                    ),
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        ready = wait_until(lambda: b"ready." in log.read_bytes(), 90, 0.3)
        if not ready:
            raise RuntimeError("the Celery worker did not start:\n" + self.worker_log())

    def kill_worker(self) -> None:
        """SIGKILL: no clean-up, no acknowledgement, no requeue by the worker."""
        if self.worker is not None:
            self.worker.kill()
            self.worker.wait()
            self.worker = None

    def freeze_worker(self) -> None:
        if self.worker is not None:
            self.worker.send_signal(signal.SIGSTOP)

    def thaw_worker(self) -> None:
        if self.worker is not None:
            self.worker.send_signal(signal.SIGCONT)

    def stop_worker(self) -> None:
        if self.worker is not None:
            self.worker.terminate()
            try:
                self.worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.worker.kill()
                self.worker.wait()
            self.worker = None

    def worker_log(self, tail: int | None = 3000) -> str:
        """The workers' output, the last ``tail`` characters of each."""
        return "".join(
            log.read_text(errors="replace")[-(tail or 0) :] for log in self.worker_logs
        )

    # -- sending work as beat would ------------------------------------------
    def send_task(self, name: str, *args) -> None:
        """Send a task by name through the scratch Redis, as beat does."""
        from celery import Celery

        # set_as_current=False: the test process's own tasks (shared_task)
        # must keep resolving to the project's app, not to this one.
        with Celery(broker=self.redis.url, set_as_current=False) as producer:
            # Celery prefers the CELERY_BROKER_URL variable (set in CI, to the
            # shared Redis) to the broker argument; the write URL wins over both.
            producer.conf.broker_write_url = self.redis.url
            producer.conf.broker_connection_retry_on_startup = False
            producer.send_task(name, args=list(args))

    # -- reading the scratch database ------------------------------------------
    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with psycopg.connect(self.postgres.url("chaos"), connect_timeout=5) as conn:
            return conn.execute(sql, params).fetchall()

    def stored_keys(self, keys: list[str]) -> set[str]:
        rows = self.query(
            "SELECT idempotency_key FROM surveys_response "
            "WHERE idempotency_key = ANY(%s)",
            (keys,),
        )
        return {row[0] for row in rows}

    def healthy(self) -> bool:
        return self.postgres.is_up() and server_answers(self.redis.port)


def copy_database(bin_dir: Path, source_url: str, target_url: str) -> None:
    """Copy a migrated database (schema, migration history, roles) by dump.

    Migrating from nothing takes a minute or more on a loaded two-core box;
    restoring the test session's already migrated database takes a second, and
    ``migrate`` afterwards applies whatever is missing.
    """
    dump = subprocess.run(  # noqa: S603
        [str(bin_dir / "pg_dump"), "--format=custom", "--no-owner", source_url],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(  # noqa: S603
        [str(bin_dir / "pg_restore"), "--no-owner", "--no-acl", "-d", target_url],
        input=dump,
        check=True,
        capture_output=True,
    )


def build_stack(template_url: str | None = None) -> Stack:
    """Start everything; the caller tears it down with ``destroy_stack``.

    ``template_url``: a migrated PostgreSQL database to start from (the test
    session's), instead of migrating the scratch one from nothing.
    """
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql")
    postgres = ScratchPostgres(bin_dir)
    redis = ScratchRedis()
    try:
        postgres.start()
        with psycopg.connect(postgres.url(), autocommit=True) as conn:
            conn.execute('CREATE DATABASE "chaos"')
        if template_url:
            copy_database(bin_dir, template_url, postgres.url("chaos"))
        redis.start()
        env = {
            **server.environment("chaos"),
            "DATABASE_URL": postgres.url("chaos"),
            "CELERY_BROKER_URL": redis.url,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_S),
        }
        survey_id, _path = server.prepare(env)
        subprocess.run(  # noqa: S603
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                f"SURVEY_ID = {survey_id}\n{WAVE_SETUP}",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        port = server.free_port()
        gunicorn = server.start_gunicorn(env, port)
    except BaseException:
        redis.destroy()
        postgres.destroy()
        raise
    stack = Stack(postgres, redis, env, f"http://127.0.0.1:{port}", survey_id, gunicorn)
    try:
        stack.start_worker()
    except BaseException:
        destroy_stack(stack)
        raise
    return stack


def destroy_stack(stack: Stack) -> None:
    if stack.worker is not None:
        stack.worker.send_signal(signal.SIGCONT)
    stack.kill_worker()
    server.stop(stack.gunicorn)
    stack.redis.destroy()
    stack.postgres.destroy()
