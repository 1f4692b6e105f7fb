"""Import and export speed on a 1M-row, 25-question response file.

Creates (or reuses) a scratch PostgreSQL database, migrates it and builds one
survey of 25 questions and 20 service points. Then, in one run, prints:

- our import: dry run (the file read and validated in chunks, set-based,
  each chunk's rows streamed into an UNLOGGED stage table while the next is
  read and checked) and confirmed run (``INSERT ... SELECT`` from the stage into the
  responses table, one transaction) of the whole file;
- PostgreSQL COPY of the same file into a plain table of text columns;
- django-import-export's default per-row path (``ResponseResource``) on a
  20k-row sample, extrapolated to the whole file;
- the streamed CSV export of the imported rows: time, and the peak memory of
  a process exporting 100k and then all rows (it must not grow with rows).

    .venv/bin/python benchmarks/import_export.py [--rows 1000000] [--sample 20000]

Targets: import under 30 s and within 10x COPY; export under 20 s.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on the path, and this file's
# name would hide the django-import-export package: put the checkout there.
sys.path[:] = [str(ROOT)] + [
    p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent
]
ADMIN_URL = os.environ.get(
    "BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
DB_NAME = os.environ.get("BENCH_IMPORT_DB", "exchange_import_bench")
DB_URL = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
LIKERT = [f"r{i:02d}" for i in range(1, 19)]
POINTS = [f"bench-point-{i}" for i in range(20)]


def ensure_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def setup_django() -> None:
    os.environ["DATABASE_URL"] = DB_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "surveyportal.settings.test")
    import django

    django.setup()
    from django.conf import settings

    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="exchange-bench-"))
    settings.EXCHANGE_BACKGROUND_BYTES = 10**12  # time the work, not a queue
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def body() -> list[dict]:
    def option_list(*values):
        return [{"value": v, "label": f"选项{v}", "label_en": v} for v in values]

    def block(kind, code, **extra):
        value = {
            "code": code,
            "label": f"问题 {code}",
            "label_en": code,
            "required": extra.pop("required", False),
            **extra,
        }
        return {"type": kind, "value": value}

    likert = {
        "scale": "5",
        "low_label": "差",
        "high_label": "好",
        "allow_not_applicable": True,
        "dimension": "overall",
    }
    blocks = [
        {"type": "section", "value": {"title": "一"}},
        block(
            "single_choice", "q_used", required=True, options=option_list("yes", "no")
        ),
        block("number", "q_wait", min_value=0, max_value=600, whole_number=True),
        block(
            "multiple_choice",
            "q_channels",
            allow_other=False,
            options=option_list("web", "phone", "friends", "poster"),
        ),
        {"type": "section", "value": {"title": "二"}},
    ]
    for code in LIKERT:
        condition = {"question": "q_used", "answer": "yes"} if code == "r18" else None
        blocks.append(
            block(
                "likert",
                code,
                required=True,
                **likert,
                condition=condition or {"question": "", "answer": ""},
            )
        )
    blocks += [
        block("nps", "q_nps", required=True),
        block("short_text", "q_note"),
        block("long_text", "q_comment"),
        block(
            "demographic",
            "d_gender",
            variable="gender",
            options=option_list("female", "male"),
        ),
    ]
    return blocks  # 25 questions


def build_survey():
    from django.db import connection

    from core.demo import ensure_home_page
    from surveys.models import SurveyIndexPage, SurveyPage
    from tests.factories.surveys import (
        ServicePointFactory,
        SurveyIndexPageFactory,
        published_survey,
    )

    for code in POINTS:
        ServicePointFactory(code=code)
    existing = SurveyPage.objects.filter(slug="exchange-bench-25").first()
    if existing is not None:
        existing.responses.all().delete()
        # The last run's million dead rows would slow the dry run's look-up
        # of keys already imported (an index scan over dead entries) until
        # autovacuum came by: measure the import, not that.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) surveys_response")
        return existing
    index = SurveyIndexPage.objects.filter(slug="bench-surveys").first()
    index = index or SurveyIndexPageFactory(
        parent=ensure_home_page(), slug="bench-surveys"
    )
    survey = published_survey(index, body=body(), slug="exchange-bench-25")
    assert len(survey.questionnaire.questions) == 25
    return survey


def write_file(path: Path, rows: int) -> None:
    """Answers as an interviewing team would send them (seeded)."""
    rng = np.random.default_rng(8)
    used = rng.choice(["yes", "no"], rows, p=[0.8, 0.2])
    frame = {
        "service_point": rng.choice(POINTS, rows),
        "channel": rng.choice(["phone", "paper", "电话", "纸质"], rows),
        "interview_date": pd.Timestamp("2026-10-01")
        + pd.to_timedelta(rng.integers(0, 40, rows), unit="D"),
        "interviewer_id": np.char.add("A", rng.integers(1, 60, rows).astype(str)),
        "q_used": used,
        "q_wait": rng.integers(0, 90, rows),
        "q_channels": rng.choice(["web", "phone;friends", "poster", ""], rows),
    }
    for code in LIKERT:
        ratings = rng.choice(
            ["1", "2", "3", "4", "5", "na"], rows, p=[0.05, 0.1, 0.2, 0.35, 0.27, 0.03]
        )
        frame[code] = np.where((used == "no") & (code == "r18"), "", ratings)
    frame["q_nps"] = rng.integers(0, 11, rows)
    frame["q_note"] = np.where(
        rng.random(rows) < 0.1,
        np.char.add("意见 ", rng.integers(0, 10**6, rows).astype(str)),
        "",
    )
    frame["q_comment"] = np.where(rng.random(rows) < 0.02, "服务很好，谢谢", "")
    frame["d_gender"] = rng.choice(["female", "male", "女", "男"], rows)
    frame = pd.DataFrame(frame)
    frame["d_gender"] = frame["d_gender"].replace(
        {"女": "选项female", "男": "选项male"}
    )
    frame["interview_date"] = frame["interview_date"].dt.strftime("%Y-%m-%d")
    frame.to_csv(path, index=False)


def backend_cpu(pid: int | None) -> float:
    """CPU seconds a PostgreSQL backend (same machine) has used so far."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # the server runs elsewhere: no figure
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def django_backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def timed(label: str, step, pid: int | None = None):
    """Run ``step``; print wall time and the CPU time of this process and of
    the PostgreSQL backend serving it (others load the machine, so the CPU
    figures are the ones to compare)."""
    start, cpu, db = time.perf_counter(), time.process_time(), backend_cpu(pid)
    result = step()
    elapsed = time.perf_counter() - start
    cpu, db = time.process_time() - cpu, backend_cpu(pid) - db
    print(
        f"  {label:<58} {elapsed:8.2f} s   (CPU: python {cpu:6.2f} s, "
        f"postgres {db:6.2f} s)",
        flush=True,
    )
    TOTALS[label] = (elapsed, cpu + db)
    return result, elapsed


TOTALS: dict[str, tuple[float, float]] = {}


def our_import(survey, path: Path) -> tuple[float, int]:
    from django.core.files import File

    from exchange.models import ImportJob, ImportStatus
    from exchange.services import import_check, import_confirm

    with open(path, "rb") as handle:
        job = ImportJob.objects.create(
            kind="responses",
            survey=survey,
            upload=File(handle, name="bench.csv"),
            original_name="bench.csv",
            size_bytes=path.stat().st_size,
        )
    pid = django_backend_pid()
    job, check = timed(
        "our import: dry run (read, validate, stage every row)",
        lambda: import_check(job_id=job.pk),
        pid,
    )
    assert job.status == ImportStatus.READY, job.message
    job, run = timed(
        "our import: confirmed (stage into responses, one transaction)",
        lambda: import_confirm(job_id=job.pk, user=None),
        pid,
    )
    assert job.status == ImportStatus.DONE, job.message
    print(
        f"  {'our import: total, dry run + confirmed':<58} {check + run:8.2f} s"
        f"   ({job.created_count} rows created)"
    )
    return check + run, job.created_count, job


def confirm_breakdown(job) -> None:
    """Where a confirmed import's database time goes: the imported rows
    (under other keys) loaded step by step into tables with more and more of
    what the responses table has (heap, JSON parsing, its indexes and the
    trigger that checks its references), in a transaction that is rolled
    back."""
    from exchange.loaders import PREPARED_COLUMNS

    with psycopg.connect(DB_URL) as conn, conn.cursor() as cursor:
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        columns = ", ".join(PREPARED_COLUMNS)
        rows = bytearray()
        # the same rows under other keys: the real ones are in the table
        renamed = columns.replace("idempotency_key", "'bench:' || import_row")
        with cursor.copy(
            f"COPY (SELECT {renamed} FROM surveys_response "  # noqa: S608
            f"WHERE import_job = {int(job.pk)} ORDER BY id) TO STDOUT"
        ) as copy:
            for block in copy:
                rows += block
        for table, label in (
            ("bench_heap_text", "heap only (answers as text)"),
            ("bench_heap_jsonb", "heap + parsing the answers' JSON"),
            ("surveys_response", "responses (+ indexes, reference check)"),
        ):
            if table != "surveys_response":
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {table} (LIKE surveys_response "
                    "INCLUDING DEFAULTS INCLUDING IDENTITY)"
                )
            if table == "bench_heap_text":
                cursor.execute(
                    f"ALTER TABLE {table} ALTER answers TYPE text, "
                    "ALTER flags TYPE text"
                )

            def load(table=table):
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    copy.write(bytes(rows))

            timed(f"  breakdown: COPY into {label}", load, pid)
        conn.rollback()


def plain_copy(path: Path) -> float:
    header = path.open(encoding="utf-8").readline().strip().split(",")
    columns = ", ".join(f'"{c}" text' for c in header)
    with psycopg.connect(DB_URL) as conn:
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        conn.execute("DROP TABLE IF EXISTS bench_plain_copy")
        conn.execute(f"CREATE TABLE bench_plain_copy ({columns})")

        def copy():
            with (
                conn.cursor().copy(
                    "COPY bench_plain_copy FROM STDIN WITH (FORMAT csv, HEADER true)"
                ) as copy,
                path.open("rb") as handle,
            ):
                while block := handle.read(1 << 20):
                    copy.write(block)
            conn.commit()

        _result, elapsed = timed(
            "PostgreSQL COPY of the same file into a plain table", copy, pid
        )
        conn.execute("DROP TABLE bench_plain_copy")
        conn.commit()
    return elapsed


def per_row_sample(survey, path: Path, sample: int, rows: int) -> float:
    import tablib

    from exchange.response_resource import ResponseResource
    from surveys.selectors import revision_questionnaire

    frame = pd.read_csv(path, nrows=sample, dtype=str, keep_default_na=False)
    dataset = tablib.Dataset(
        *frame.itertuples(index=False, name=None), headers=list(frame.columns)
    )
    questionnaire = revision_questionnaire(survey.live_revision_id)[0]
    resource = ResponseResource(
        survey=survey, questionnaire=questionnaire, revision_id=survey.live_revision_id
    )
    result, elapsed = timed(
        f"django-import-export per-row path, {sample:,} rows",
        lambda: resource.import_data(dataset, dry_run=False, use_transactions=True),
        django_backend_pid(),
    )
    assert not result.has_errors(), (result.base_errors, result.row_errors()[:1])
    survey.responses.filter(idempotency_key__startswith="rows:").delete()
    estimate = elapsed * rows / sample
    print(f"  {'  extrapolated to the whole file':<58} {estimate:8.2f} s")
    return estimate


def export_in_subprocess(survey_id: int, limit: int) -> dict:
    """Export in a fresh process, so its peak memory is the export's own."""
    out = (
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--export-only",
                str(survey_id),
                "--limit",
                str(limit),
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    return json.loads(out)


def peak_resident_mb() -> float:
    """This program's peak resident memory. ru_maxrss would do, but Linux
    carries the parent's peak over into a child it spawns, and the parent
    here is the process that just imported the whole file; VmHWM belongs to
    this program's own address space."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export_only(survey_id: int, limit: int) -> None:
    """Stream a CSV export of ``limit`` rows to nowhere; print one JSON line:
    seconds, CPU, peak resident MB, rows written, and whether the rows (their
    ids, in order) and the SHA-256 recorded match the database and the bytes."""
    os.environ["DATABASE_URL"] = DB_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "surveyportal.settings.test")
    import django

    django.setup()
    from django.db import connection, transaction

    from exchange.exports import ExportFilters, export_begin, stream_csv

    with transaction.atomic():  # a server-side cursor lives in a transaction
        export, rows, header = export_begin(
            filters=ExportFilters(survey_ids=(survey_id,)), file_format="csv", user=None
        )
        rows = rows[:limit]
        pid = django_backend_pid()
        start, cpu, db = time.perf_counter(), time.process_time(), backend_cpu(pid)
        # md5 compares ids, it protects nothing
        digest, ids, tail = hashlib.sha256(), hashlib.md5(), b""  # noqa: S324
        header_line = True
        for chunk in stream_csv(export, rows, header):
            digest.update(chunk)
            # the first cell of each line after the header is the response id
            lines = (tail + chunk).split(b"\r\n")
            tail = lines.pop()
            if header_line and lines:
                lines, header_line = lines[1:], False
            for line in lines:
                ids.update(line.split(b",", 1)[0] + b",")
        elapsed = time.perf_counter() - start
        cpu, db = time.process_time() - cpu, backend_cpu(pid) - db
        with connection.cursor() as cursor:
            sql, params = rows.values_list("pk").query.sql_with_params()
            cursor.execute(
                f"SELECT count(*), md5(string_agg(pk::text || ',', '' ORDER BY pk))"  # noqa: S608
                f" FROM ({sql}) AS exported(pk)",
                params,
            )
            db_count, db_ids = cursor.fetchone()
    export.refresh_from_db()
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "cpu": cpu + db,
                "peak_mb": peak_resident_mb(),
                "rows": export.row_count,
                "db_rows": db_count,
                "checksum_ok": export.checksum == digest.hexdigest(),
                "ids_match": ids.hexdigest() == db_ids,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--export-only", type=int)
    parser.add_argument("--limit", type=int)
    parser.add_argument(
        "--breakdown", action="store_true", help="where the confirm's time goes"
    )
    parser.add_argument(
        "--import-only",
        action="store_true",
        help="our import and COPY only (no per-row sample, no export)",
    )
    args = parser.parse_args()
    if args.export_only:
        export_only(args.export_only, args.limit)
        return
    ensure_database()
    setup_django()
    survey = build_survey()
    path = Path(tempfile.mkdtemp(prefix="exchange-bench-")) / "responses.csv"
    write_file(path, args.rows)
    size = path.stat().st_size / 1024 / 1024
    print(f"{args.rows:,} rows x 25 questions, {size:.0f} MB CSV, PostgreSQL {DB_NAME}")
    print(f"  machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    # The per-row path first, on an empty table, so that it is not slowed by
    # the million rows ours writes.
    per_row = (
        float("nan")
        if args.import_only
        else per_row_sample(survey, path, args.sample, args.rows)
    )
    ours, created, job = our_import(survey, path)
    if args.breakdown:
        confirm_breakdown(job)
    copy = plain_copy(path)
    for limit in [] if args.import_only else sorted({min(250_000, created), created}):
        export = export_in_subprocess(survey.pk, limit)
        peak = export["peak_mb"]
        label = f"CSV export, {limit:,} rows (peak memory {peak:.0f} MB)"
        print(
            f"  {label:<58}"
            f" {export['seconds']:8.2f} s   (CPU {export['cpu']:6.2f} s; "
            f"{export['rows']:,} rows written, database {export['db_rows']:,}; "
            f"ids {'=' if export['ids_match'] else '!='} database; "
            f"SHA-256 {'=' if export['checksum_ok'] else '!='} bytes sent)"
        )
    cpu_ours = sum(
        cpu for label, (_wall, cpu) in TOTALS.items() if label.startswith("our")
    )
    cpu_copy = TOTALS["PostgreSQL COPY of the same file into a plain table"][1]
    print(
        f"import {ours:.1f} s = {ours / copy:.1f} x COPY ({copy:.1f} s); "
        f"CPU {cpu_ours:.1f} s = {cpu_ours / max(cpu_copy, 0.01):.1f} x COPY's "
        f"({cpu_copy:.1f} s); per-row path {per_row:.0f} s "
        f"({per_row / ours:.0f} x ours); "
        f"targets: import < 30 s and < 10 x COPY, export < 20 s"
    )
    print(f"  load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
