"""Write a checked response file in one transaction, never one save per row.

The dry run leaves a *prepared* file: the rows exactly as they will be
stored (answers as JSON, service point ids, hours in UTC). Confirming loads
that file, without validating again: on PostgreSQL it is COPied into a
temporary table and moved with one ``INSERT ... SELECT`` that skips rows
imported meanwhile and records each row's provenance; elsewhere multi-row
INSERTs in batches. The database still enforces every key and constraint.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd
from django.core.files.base import ContentFile
from django.db import connection, transaction

from exchange.models import ImportedResponse, ImportJob
from exchange.plan import ResponsePlan
from surveys.models import Response, ResponseStatus

CHUNK_BYTES = 8 << 20
INSERT_BATCH = 2_000
STAGE = "exchange_stage"
NULL = "\\N"
Progress = Callable[[int], None]
PREPARED_COLUMNS = [
    "row_number",
    "idempotency_key",
    "service_point_id",
    "channel",
    "language",
    "hour",
    "answers",
    "flags",
    "excluded",
    "interviewer",
]


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


def prepared_file(plan: ResponsePlan) -> ContentFile:
    """The rows to create (not those imported before), in COPY text format:
    one line per row, tab-separated, built column by column."""
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
    columns = [
        plan.row_numbers[create].astype(str).astype(object),
        plan.idempotency_key[create],
        np.where(points > 0, points.astype(str), NULL).astype(object),
        plan.channel[create],
        plan.language[create],
        hour,
        [_escape(text) for text in plan.answers[create]],
        flags,
        np.where(plan.excluded[create], "t", "f").astype(object),
        [_escape(text) for text in plan.interviewer[create]],
    ]
    lines = ["\t".join(fields) for fields in zip(*columns, strict=True)]
    return ContentFile(("\n".join(lines) + "\n" if lines else "").encode("utf-8"))


def resume_digest(job_id: int, row_number: int) -> str:
    """Not hexadecimal, so never the digest of a resume token: an imported
    response cannot be resumed. Ordered, so the unique index grows at its end."""
    return f"import:{job_id:010d}:{row_number:09d}"


@transaction.atomic
def load_prepared(*, job: ImportJob, sections: int, progress: Progress) -> int:
    """Insert the prepared rows of ``job`` not imported meanwhile, and their
    provenance; all or nothing. Returns the number of responses created."""
    if connection.vendor == "postgresql":
        return _load_postgresql(job, sections, progress)
    return _load_batches(job, sections, progress)


def _load_postgresql(job: ImportJob, sections: int, progress: Progress) -> int:
    quote = connection.ops.quote_name
    stage = f"{STAGE}_{job.pk}"
    with connection.cursor() as cursor:
        # Dropped at commit, and here too in case an outer transaction is open.
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {stage} ("
            "row_number integer, idempotency_key varchar(64), "
            "service_point_id bigint, channel varchar(8), language varchar(8), "
            "hour timestamptz, answers jsonb, flags jsonb, excluded boolean, "
            "interviewer varchar(40)) ON COMMIT DROP"
        )
        copy_sql = f"COPY {stage} ({', '.join(PREPARED_COLUMNS)}) FROM STDIN"
        done = 0
        with job.prepared.open("rb") as handle, cursor.cursor.copy(copy_sql) as copy:
            while block := handle.read(CHUNK_BYTES):
                copy.write(block)
                done += block.count(b"\n")
                progress(done)
        response = Response._meta.db_table
        provenance = ImportedResponse._meta.db_table
        # Rows imported since the dry run (same survey and key) are skipped;
        # ids follow the file's row order.
        cursor.execute(
            f"""
            WITH fresh AS (
                SELECT s.* FROM {stage} s
                WHERE NOT EXISTS (
                    SELECT 1 FROM {quote(response)} r
                    WHERE r.survey_id = %(survey)s
                      AND r.idempotency_key = s.idempotency_key)
                ORDER BY s.row_number
            ), created AS (
                INSERT INTO {quote(response)} (
                    survey_id, revision_id, status, resume_digest, idempotency_key,
                    service_point_id, channel, language, started_at, saved_at,
                    submitted_at, duration_seconds, sections_done, answers, flags,
                    excluded)
                SELECT %(survey)s, %(revision)s, %(status)s,
                    'import:' || lpad(%(job)s::text, 10, '0') || ':'
                        || lpad(row_number::text, 9, '0'),
                    idempotency_key, service_point_id, channel, language, hour, hour,
                    hour, 0, %(sections)s, answers, flags, excluded
                FROM fresh
                RETURNING id, idempotency_key
            )
            INSERT INTO {quote(provenance)} (response_id, job_id, row_number,
                interviewer)
            SELECT c.id, %(job)s, s.row_number, s.interviewer
            FROM created c JOIN {stage} s USING (idempotency_key)
            """,  # noqa: S608 - table names from model meta, values as parameters
            {
                "survey": job.survey_id,
                "revision": job.revision_id,
                "status": ResponseStatus.SUBMITTED.value,
                "job": job.pk,
                "sections": sections,
            },
        )
        created = cursor.rowcount
        cursor.execute(f"DROP TABLE {stage}")
        return created


def _load_batches(job: ImportJob, sections: int, progress: Progress) -> int:
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
            [_response(job, sections, record) for record in batch.itertuples()]
        )
        ImportedResponse.objects.bulk_create(
            ImportedResponse(
                response_id=response.pk,
                job=job,
                row_number=int(record.row_number),
                interviewer=record.interviewer,
            )
            for response, record in zip(responses, batch.itertuples(), strict=True)
        )
        created += len(responses)
        progress(start + len(batch))
    return created


def _response(job: ImportJob, sections: int, record) -> Response:
    hour = pd.Timestamp(record.hour).to_pydatetime()
    return Response(
        survey_id=job.survey_id,
        revision_id=job.revision_id,
        status=ResponseStatus.SUBMITTED,
        resume_digest=resume_digest(job.pk, int(record.row_number)),
        idempotency_key=record.idempotency_key,
        service_point_id=int(record.service_point_id)
        if record.service_point_id
        else None,
        channel=record.channel,
        language=record.language,
        started_at=hour,
        saved_at=hour,
        submitted_at=hour,
        duration_seconds=0,
        sections_done=sections,
        answers=json.loads(record.answers),
        flags=json.loads(record.flags),
        excluded=record.excluded == "t",
    )
