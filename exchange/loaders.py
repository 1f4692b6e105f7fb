"""Write a checked response plan in one transaction: COPY on PostgreSQL,
multi-row INSERTs elsewhere. Never one ORM save per row."""

from __future__ import annotations

import io
import json
import secrets
from collections.abc import Callable

import numpy as np
import pandas as pd
from django.db import connection, transaction

from exchange.models import ImportedResponse, ImportJob
from exchange.plan import ResponsePlan
from surveys.models import Response, ResponseStatus

CHUNK_ROWS = 100_000
INSERT_BATCH = 2_000
Progress = Callable[[int], None]


def _random_digests(n: int) -> np.ndarray:
    """Resume digests nobody holds a token for (imports cannot be resumed)."""
    text = secrets.token_bytes(32 * n).hex()
    return np.array([text[i : i + 64] for i in range(0, 64 * n, 64)], dtype=object)


def response_columns(plan: ResponsePlan, *, sections: int) -> pd.DataFrame:
    """The rows to create, as a frame whose columns are ``Response`` fields."""
    create = plan.to_create
    n = int(create.sum())
    hour = pd.Series(plan.started_at[create]).dt.tz_localize("UTC")
    points = pd.Series(plan.service_point_id[create], dtype="Int64").replace(0, pd.NA)
    return pd.DataFrame(
        {
            "survey_id": plan.survey_id,
            "revision_id": plan.revision_id,
            "status": ResponseStatus.SUBMITTED.value,
            "resume_digest": _random_digests(n),
            "idempotency_key": plan.idempotency_key[create],
            "service_point_id": points.to_numpy(),
            "channel": plan.channel[create],
            "language": plan.language[create],
            "started_at": hour.to_numpy(),
            "saved_at": hour.to_numpy(),
            "submitted_at": hour.to_numpy(),
            "duration_seconds": 0,
            "sections_done": sections,
            "answers": plan.answers[create],
            "flags": [
                json.dumps(f) for f, c in zip(plan.flags, create, strict=True) if c
            ],
            "excluded": plan.excluded[create],
            "row_number": plan.row_numbers[create],
            "interviewer": plan.interviewer[create],
        }
    )


@transaction.atomic
def load_responses(
    *, plan: ResponsePlan, job: ImportJob, sections: int, progress: Progress
) -> int:
    """Insert every row of ``plan`` not imported before, and its provenance;
    all or nothing. Returns the number of responses created."""
    rows = response_columns(plan, sections=sections)
    if rows.empty:
        return 0
    if connection.vendor == "postgresql":
        _copy(rows, job, progress)
    else:
        _insert(rows, job, progress)
    return len(rows)


def _column(model, name: str) -> str:
    return model._meta.get_field(name).column


def _copy(rows: pd.DataFrame, job: ImportJob, progress: Progress) -> None:
    table = Response._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
            "FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        ids = np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)
    rows = rows.assign(id=ids, job_id=job.pk)
    response_fields = [
        "id",
        "survey_id",
        "revision_id",
        "status",
        "resume_digest",
        "idempotency_key",
        "service_point_id",
        "channel",
        "language",
        "started_at",
        "saved_at",
        "submitted_at",
        "duration_seconds",
        "sections_done",
        "answers",
        "flags",
        "excluded",
    ]
    _copy_frame(
        Response,
        [_column(Response, f.removesuffix("_id")) for f in response_fields],
        rows[response_fields],
        progress,
    )
    source = rows[["id", "job_id", "row_number", "interviewer"]]
    _copy_frame(
        ImportedResponse,
        [
            _column(ImportedResponse, "response"),
            _column(ImportedResponse, "job"),
            "row_number",
            "interviewer",
        ],
        source,
        None,
    )


def _copy_frame(model, columns, frame, progress) -> None:
    """COPY ``frame`` into ``model``'s table; an empty text cell is "" (not
    NULL) in the columns that may not be NULL."""
    quote = connection.ops.quote_name
    text_not_null = [
        quote(f.column)
        for f in model._meta.concrete_fields
        if f.column in columns
        and not f.null
        and f.get_internal_type() in ("CharField", "TextField", "SlugField")
    ]
    options = "FORMAT csv"
    if text_not_null:
        options += f", FORCE_NOT_NULL ({', '.join(text_not_null)})"
    quoted = ", ".join(quote(c) for c in columns)
    sql = f"COPY {quote(model._meta.db_table)} ({quoted}) FROM STDIN WITH ({options})"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for start in range(0, len(frame), CHUNK_ROWS):
            buffer = io.StringIO()
            frame.iloc[start : start + CHUNK_ROWS].to_csv(
                buffer, header=False, index=False, date_format="%Y-%m-%d %H:%M:%S+00"
            )
            copy.write(buffer.getvalue())
            if progress:
                progress(min(len(frame), start + CHUNK_ROWS))


def _insert(rows: pd.DataFrame, job: ImportJob, progress: Progress) -> None:
    created: list[int] = []
    for start in range(0, len(rows), INSERT_BATCH):
        batch = rows.iloc[start : start + INSERT_BATCH]
        responses = Response.objects.bulk_create(
            [
                Response(
                    survey_id=record.survey_id,
                    revision_id=record.revision_id,
                    status=record.status,
                    resume_digest=record.resume_digest,
                    idempotency_key=record.idempotency_key,
                    service_point_id=(
                        None
                        if pd.isna(record.service_point_id)
                        else int(record.service_point_id)
                    ),
                    channel=record.channel,
                    language=record.language,
                    started_at=record.started_at,
                    saved_at=record.saved_at,
                    submitted_at=record.submitted_at,
                    duration_seconds=0,
                    sections_done=record.sections_done,
                    answers=json.loads(record.answers),
                    flags=json.loads(record.flags),
                    excluded=bool(record.excluded),
                )
                for record in batch.itertuples(index=False)
            ]
        )
        created += [r.pk for r in responses]
        progress(start + len(batch))
    ImportedResponse.objects.bulk_create(
        [
            ImportedResponse(
                response_id=pk, job=job, row_number=int(row), interviewer=who
            )
            for pk, row, who in zip(
                created, rows["row_number"], rows["interviewer"], strict=True
            )
        ],
        batch_size=INSERT_BATCH,
    )
