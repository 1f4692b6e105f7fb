"""Write a checked response file in one transaction, never one save per row.

The dry run leaves a *prepared* file: the rows exactly as they will be
stored (answers as JSON, service point ids, hours in UTC). Confirming loads
that file, without validating again: on PostgreSQL it is COPied straight into
the responses table (through a staging table and one ``INSERT ... SELECT``
that skips them when rows were imported meanwhile); elsewhere multi-row
INSERTs in batches. Each response
carries its provenance (job, row, interviewer) in its own columns. The
database still enforces every key and constraint.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction

from exchange.models import ImportJob
from exchange.plan import ResponsePlan
from surveys.models import Response, ResponseStatus

CHUNK_BYTES = 8 << 20
INSERT_BATCH = 2_000
STAGE = "exchange_stage"
NULL = "\\N"
Progress = Callable[[int], None]
# The prepared file holds whole rows of the responses table, in these columns,
# so that confirming can COPY it straight in.
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
    "survey_id",
    "revision_id",
    "status",
    "duration_seconds",
    "sections_done",
    "import_job",
]
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


def prepared_file(plan: ResponsePlan, *, job_id: int) -> ContentFile:
    """The rows to create (not those imported before) as rows of the responses
    table, in COPY text format: one line per row, built column by column."""
    create = plan.to_create
    codes, hours = pd.factorize(plan.started_at[create])
    hour = np.asarray(
        pd.DatetimeIndex(hours).strftime("%Y-%m-%d %H:00:00+00"), dtype=object
    )[codes]
    flag_texts: dict[int, str] = {}  # the plan shares one list per combination
    flags = [
        flag_texts.get(id(f)) or flag_texts.setdefault(id(f), json.dumps(f))
        for f, c in zip(plan.flags, create, strict=True)
        if c
    ]
    points = plan.service_point_id[create]
    # The same for every row: survey, revision, status, duration, sections, job.
    constant = "\t".join(
        str(value)
        for value in (
            plan.survey_id,
            plan.revision_id,
            ResponseStatus.SUBMITTED.value,
            0,
            plan.sections,
            job_id,
        )
    )
    columns = [
        plan.row_numbers[create].astype(str).astype(object),
        plan.idempotency_key[create],
        np.where(points > 0, points.astype(str), NULL).astype(object),
        plan.channel[create],
        plan.language[create],
        hour,
        hour,
        hour,
        [_escape(text) for text in plan.answers[create]],
        flags,
        np.where(plan.excluded[create], "t", "f").astype(object),
        [_escape(text) for text in plan.interviewer[create]],
    ]
    lines = [
        "\t".join(fields) + "\t" + constant for fields in zip(*columns, strict=True)
    ]
    return ContentFile(("\n".join(lines) + "\n" if lines else "").encode("utf-8"))


@transaction.atomic
def load_prepared(*, job: ImportJob, progress: Progress) -> int:
    """Insert the prepared rows of ``job`` not imported meanwhile; all or
    nothing. Returns the number of responses created."""
    if connection.vendor == "postgresql":
        return _load_postgresql(job, progress)
    return _load_batches(job, progress)


def _load_postgresql(job: ImportJob, progress: Progress) -> int:
    """COPY the prepared rows straight into the responses table. Should one of
    them have been imported since the dry run (the unique key on survey and
    idempotency key refuses it), go back to a savepoint and load through a
    staging table instead, skipping those: the common case pays for neither
    the staging table nor the anti-join."""
    try:
        with transaction.atomic():
            return _copy_prepared(job, Response._meta.db_table, progress)
    except IntegrityError as error:
        if _constraint(error) != "response_one_per_idempotency_key":
            raise
    return _load_through_stage(job, progress)


def _constraint(error: IntegrityError) -> str | None:
    diagnostics = getattr(error.__cause__, "diag", None)
    return getattr(diagnostics, "constraint_name", None)


def _copy_prepared(job: ImportJob, table: str, progress: Progress) -> int:
    quote = connection.ops.quote_name
    columns = ", ".join(PREPARED_COLUMNS)
    done = 0
    # wrap_database_errors: psycopg's errors as Django's, as cursor.execute does
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        job.prepared.open("rb") as handle,
        cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy,
    ):
        while block := handle.read(CHUNK_BYTES):
            copy.write(block)
            done += block.count(b"\n")
            progress(done)
    return done


def _load_through_stage(job: ImportJob, progress: Progress) -> int:
    quote = connection.ops.quote_name
    stage = f"{STAGE}_{job.pk}"
    response = quote(Response._meta.db_table)
    columns = ", ".join(PREPARED_COLUMNS)
    with connection.cursor() as cursor:
        # Dropped at commit, and here too in case an outer transaction is open.
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        # The prepared columns with their types, and no constraint.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {columns} FROM {response} WITH NO DATA"
        )
        _copy_prepared(job, stage, progress)
        # Rows imported since the dry run (same survey and key) are skipped;
        # ids follow the file's row order.
        cursor.execute(
            f"""
            INSERT INTO {response} ({columns})
            SELECT {columns} FROM {stage} s
            WHERE NOT EXISTS (
                SELECT 1 FROM {response} r
                WHERE r.survey_id = s.survey_id
                  AND r.idempotency_key = s.idempotency_key)
            ORDER BY s.import_row
            """  # noqa: S608 - table and column names from model meta and constants
        )
        created = cursor.rowcount
        cursor.execute(f"DROP TABLE {stage}")
        return created


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
