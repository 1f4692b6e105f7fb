"""Write a checked response file in one transaction, never one save per row.

The dry run leaves the rows exactly as they will be stored (answers as JSON,
service point ids, hours in UTC). On PostgreSQL it streams them, while it is
still building them, into an UNLOGGED *stage* table of its own
(``exchange_prepared_<job>``): PostgreSQL parses them (the answers' JSON
above all) on the second core while Python works, and confirming is then
``INSERT ... SELECT`` from the stage, with nothing left to parse. Elsewhere
the dry run writes a *prepared* file in COPY text format, loaded by batched
multi-row INSERTs. Each response carries its provenance (job, row,
interviewer) in its own columns. The database still enforces every key and
constraint.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta

import numpy as np
import pandas as pd
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import Copy
from psycopg.copy import QueuedLibpqWriter

from exchange.models import ImportJob, ImportStatus
from exchange.plan import PlannedRows, ResponsePlan
from exchange.problems import FileRejected, Problem
from surveys.models import Response, ResponseStatus

INSERT_BATCH = 2_000
STAGE_PREFIX = "exchange_prepared_"
STAGE_SLICES = 20
STAGE_KEEP = timedelta(days=7)
NULL = "\\N"
FOREIGN_KEY_VIOLATION = "23503"
Progress = Callable[[int], None]
# The same for every row of a job; they end each line.
CONSTANT_COLUMNS = [
    "survey_id",
    "revision_id",
    "status",
    "duration_seconds",
    "sections_done",
    "import_job",
]
# The prepared file holds whole rows of the responses table, in these
# columns, so that confirming inserts them as they are.
PREPARED_COLUMNS = [
    "import_row",
    "idempotency_key",
    "service_point_id",
    "channel",
    "language",
    "started_at",
    "saved_at",
    "submitted_at",
    "answers",
    "flags",
    "excluded",
    "interviewer",
    *CONSTANT_COLUMNS,
]
# An interview is saved and submitted in the hour it started: the stage holds
# that hour once (PostgreSQL, which the dry run waits for, parses a third of
# the timestamps), and confirming inserts it into all three columns.
SAME_AS_STARTED = ("saved_at", "submitted_at")
STAGE_COLUMNS = [c for c in PREPARED_COLUMNS if c not in SAME_AS_STARTED]
# Files in an earlier layout (named .csv) must be checked again.
PREPARED_SUFFIX = ".rows.tsv"


def _escape(text: str) -> str:
    """A value in PostgreSQL's COPY text format."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t")
        text = text.replace("\n", "\\n").replace("\r", "\\r")
    return text


def _unescape(text: str) -> str | None:
    if text == NULL:
        return None
    if "\\" not in text:
        return text
    return (
        text.replace("\\\\", "\0")
        .replace("\\t", "\t")
        .replace("\\n", "\n")
        .replace("\\r", "\r")
        .replace("\0", "\\")
    )


def _lines(
    rows: PlannedRows, positions: np.ndarray, *, job_id: int, columns: list[str]
) -> bytes:
    """The rows at ``positions`` in ``columns`` of the responses table (those
    of a prepared file or of the stage, both ending with the constant ones),
    in COPY text format. Columns are built by distinct value where they
    repeat; each line is then one C-level join of its fields (measured faster
    than pandas' or numpy's column-wise string operations, which copy every
    growing prefix once per column)."""
    codes, hours = pd.factorize(rows.started_at[positions])
    hour = np.asarray(
        pd.DatetimeIndex(hours).strftime("%Y-%m-%d %H:00:00+00"), dtype=object
    )[codes]
    points = rows.service_point_id[positions]
    interviewer_codes, interviewers = pd.factorize(rows.interviewer[positions])
    varying = {
        "import_row": rows.row_numbers[positions].astype(str).astype(object),
        "idempotency_key": rows.idempotency_key[positions],
        "service_point_id": np.where(points > 0, points.astype(str), NULL).astype(
            object
        ),
        "channel": rows.channel[positions],
        "language": rows.language[positions],
        "started_at": hour,
        "saved_at": hour,
        "submitted_at": hour,
        "answers": map(_escape, rows.answers[positions]),
        "flags": _flag_texts(rows, positions),
        "excluded": np.where(rows.excluded[positions], "t", "f").astype(object),
        "interviewer": np.array([_escape(text) for text in interviewers], dtype=object)[
            interviewer_codes
        ],
    }
    fields = [varying[name] for name in columns if name not in CONSTANT_COLUMNS]
    # The same for every row: survey, revision, status, duration, sections,
    # job; it ends the line.
    constant = "\t".join(
        str(value)
        for value in (
            rows.survey_id,
            rows.revision_id,
            ResponseStatus.SUBMITTED.value,
            0,
            rows.sections,
            job_id,
        )
    )
    fields.append([constant + "\n"] * len(positions))
    return "".join(map("\t".join, zip(*fields, strict=True))).encode("utf-8")


def _flag_texts(rows: PlannedRows, positions: np.ndarray) -> np.ndarray:
    """The flags of the rows at ``positions`` as JSON. Rows share one list per
    combination of flags: each list is serialized once."""
    lists = np.fromiter(map(id, rows.flags), np.uint64, len(rows.flags))[positions]
    _ids, first, combination = np.unique(lists, return_index=True, return_inverse=True)
    return np.array(
        [json.dumps(rows.flags[i]) for i in positions[first].tolist()], dtype=object
    )[combination]


def prepared_file(plan: ResponsePlan, *, job_id: int) -> ContentFile:
    """The rows to create (not those imported before), in file order, as a
    file of COPY text lines (databases other than PostgreSQL)."""
    lines = _lines(
        plan, np.flatnonzero(plan.to_create), job_id=job_id, columns=PREPARED_COLUMNS
    )
    return ContentFile(lines)


def stage_name(job_id: int) -> str:
    return f"{STAGE_PREFIX}{int(job_id)}"


@contextmanager
def stage_writer(*, job_id: int) -> Iterator[Callable[[PlannedRows], None]]:
    """PostgreSQL: a function that streams the rows to create of each checked
    chunk into the job's stage table; the stage is complete when the block
    ends without an exception, and absent if it ends with one.

    The dry run hands each chunk on as soon as it is checked: a writer thread
    sends it, and PostgreSQL parses it (the answers' JSON above all) on the
    other core while Python checks the next. The COPY starts with the first
    chunk, as the check still reads reference data before it. Rows keep the
    file's order, and so will their ids: an export lists them as the file
    did. The table is UNLOGGED: it is scratch work, not data (a crash empties
    it, and confirming then asks for a new check).
    """
    with ExitStack() as stack:
        copy: Copy | None = None

        def send(rows: PlannedRows) -> None:
            nonlocal copy
            if copy is None:
                copy = stack.enter_context(_stage_copy(job_id))
            positions = np.flatnonzero(rows.to_create)
            copy.write(_lines(rows, positions, job_id=job_id, columns=STAGE_COLUMNS))

        yield send


@contextmanager
def _stage_copy(job_id: int) -> Iterator[Copy]:
    """The job's new stage table and a COPY into it, in a transaction (a
    savepoint inside one): a check that fails half-way leaves no stage."""
    quote = connection.ops.quote_name
    stage = stage_name(job_id)
    columns = ", ".join(STAGE_COLUMNS)
    with (
        transaction.atomic(),
        connection.wrap_database_errors,
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(
            f"CREATE UNLOGGED TABLE {stage} AS "  # noqa: S608
            f"SELECT {columns} FROM {quote(Response._meta.db_table)} WITH NO DATA"
        )
        writer = QueuedLibpqWriter(cursor.cursor)
        sql = f"COPY {stage} ({columns}) FROM STDIN"
        with cursor.cursor.copy(sql, writer=writer) as copy:
            yield copy


def prepared_discard(job: ImportJob) -> None:
    """Drop what a dry run prepared for ``job`` (after its import, or when it
    can no longer be confirmed)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {stage_name(job.pk)}")
    if job.prepared:
        job.prepared.delete(save=False)


def stages_prune() -> None:
    """Drop the stage tables no job can still confirm: jobs gone, done,
    failed, or checked more than ``STAGE_KEEP`` ago and never confirmed."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename LIKE %s",
            [STAGE_PREFIX.replace("_", "\\_") + "%"],
        )
        staged = {name: int(name.removeprefix(STAGE_PREFIX)) for (name,) in cursor}
        live = set(
            ImportJob.objects.filter(pk__in=staged.values())
            .filter(
                Q(status=ImportStatus.IMPORTING)
                | Q(
                    status=ImportStatus.READY,
                    created_at__gte=timezone.now() - STAGE_KEEP,
                )
            )
            .values_list("pk", flat=True)
        )
        for name, job_id in staged.items():
            if job_id not in live:
                cursor.execute(f"DROP TABLE IF EXISTS {name}")


def _check_again() -> FileRejected:
    return FileRejected(Problem(_("Check the file again before importing it.")))


@transaction.atomic
def load_prepared(*, job: ImportJob, progress: Progress) -> int:
    """Insert the prepared rows of ``job`` not imported meanwhile; all or
    nothing. Returns the number of responses created. ``FileRejected`` when
    the dry run's rows are gone (a file checked before an upgrade, a stage
    emptied by a database crash): the file must be checked again."""
    if connection.vendor == "postgresql":
        return _load_postgresql(job, progress)
    if not job.prepared or not job.prepared.name.endswith(PREPARED_SUFFIX):
        raise _check_again()
    return _load_batches(job, progress)


def _load_postgresql(job: ImportJob, progress: Progress) -> int:
    """INSERT the staged rows, a slice of the stage's pages per statement (so
    the progress bar moves, and each slice's references are checked at its
    end, once for the slice: surveys migration 0009). Should one of them have
    been imported since the dry run (the unique key on survey and idempotency
    key refuses it), go back to a savepoint and insert again, skipping those:
    the common case pays for no anti-join. A reference refused (a service
    point deleted since) means the file must be checked again."""
    stage = stage_name(job.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [stage])
        if not cursor.fetchone()[0]:
            raise _check_again()
        # A crash loses nothing acknowledged: the job is marked done later in
        # a synchronous commit, which flushes this one's WAL too.
        cursor.execute("SET LOCAL synchronous_commit = off")
    try:
        with transaction.atomic():
            created = _insert_staged(stage, progress, skip_imported=False)
    except IntegrityError as error:
        if _sqlstate(error) == FOREIGN_KEY_VIOLATION:
            # A service point (or the survey) deleted since the dry run.
            raise _check_again() from error
        if _constraint(error) != "response_one_per_idempotency_key":
            raise
        created = _insert_staged(stage, progress, skip_imported=True)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {stage}")  # noqa: S608
            staged = cursor.fetchone()[0]
    else:
        staged = created
    if staged != job.created_count:  # the unlogged stage was emptied
        raise _check_again()
    return created


def _constraint(error: IntegrityError) -> str | None:
    diagnostics = getattr(error.__cause__, "diag", None)
    return getattr(diagnostics, "constraint_name", None)


def _sqlstate(error: IntegrityError) -> str | None:
    return getattr(error.__cause__, "sqlstate", None)


def _insert_staged(stage: str, progress: Progress, *, skip_imported: bool) -> int:
    response = connection.ops.quote_name(Response._meta.db_table)
    columns = ", ".join(PREPARED_COLUMNS)
    staged = ", ".join(
        "started_at" if name in SAME_AS_STARTED else name for name in PREPARED_COLUMNS
    )
    # Rows imported since the dry run (same survey and key) are skipped.
    skip = (
        f"AND NOT EXISTS (SELECT 1 FROM {response} r "  # noqa: S608
        "WHERE r.survey_id = s.survey_id AND r.idempotency_key = s.idempotency_key)"
        if skip_imported
        else ""
    )
    done = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_relation_size(%s) / current_setting('block_size')::int",
            [stage],
        )
        pages = cursor.fetchone()[0]
        step = max(1, -(-pages // STAGE_SLICES))
        # A TID range scan reads only the slice's pages, in the order written.
        for first in range(0, max(pages, 1), step):
            cursor.execute(
                f"INSERT INTO {response} ({columns}) "  # noqa: S608
                f"SELECT {staged} FROM {stage} s "
                "WHERE s.ctid >= %s::tid AND s.ctid < %s::tid " + skip,
                [f"({first},0)", f"({first + step},0)"],
            )
            done += cursor.rowcount
            progress(done)
    return done


def _load_batches(job: ImportJob, progress: Progress) -> int:
    with job.prepared.open("rb") as handle:
        rows = [
            [_unescape(field) for field in line.split("\t")]
            for line in handle.read().decode("utf-8").splitlines()
        ]
    frame = pd.DataFrame(rows, columns=PREPARED_COLUMNS, dtype=object)
    taken = set(
        Response.objects.filter(
            survey_id=job.survey_id, idempotency_key__in=frame["idempotency_key"]
        ).values_list("idempotency_key", flat=True)
    )
    frame = frame[~frame["idempotency_key"].isin(taken)]
    created = 0
    for start in range(0, len(frame), INSERT_BATCH):
        batch = frame.iloc[start : start + INSERT_BATCH]
        responses = Response.objects.bulk_create(
            [_response(record) for record in batch.itertuples()]
        )
        created += len(responses)
        progress(start + len(batch))
    return created


def _response(record) -> Response:
    hour = pd.Timestamp(record.started_at).to_pydatetime()
    return Response(
        survey_id=int(record.survey_id),
        revision_id=int(record.revision_id),
        status=record.status,
        idempotency_key=record.idempotency_key,
        service_point_id=int(record.service_point_id)
        if record.service_point_id
        else None,
        channel=record.channel,
        language=record.language,
        started_at=hour,
        saved_at=hour,
        submitted_at=hour,
        duration_seconds=int(record.duration_seconds),
        sections_done=int(record.sections_done),
        answers=json.loads(record.answers),
        flags=json.loads(record.flags),
        excluded=record.excluded == "t",
        import_job=int(record.import_job),
        import_row=int(record.import_row),
        interviewer=record.interviewer or "",
    )
