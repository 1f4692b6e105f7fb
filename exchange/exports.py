"""Exports of responses: streamed CSV, XLSX, SPSS and Stata, each recorded
with its row count and the SHA-256 of the bytes sent.

On PostgreSQL the database writes the CSV itself (:mod:`exchange.export_copy`);
elsewhere, and for the other formats, rows are read in one pass over a cursor
and formatted here through per-column caches of the distinct stored values.
Either way memory does not grow with the number of rows (CSV). Text cells
that a spreadsheet would run as a formula are neutralized with a leading
apostrophe (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Q, TextField
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast
from django.utils import timezone

from analysis.models import Wave
from exchange import columns as cols
from exchange.models import Export
from exchange.readers import NEUTRALIZED
from exchange.weights import WaveWeights, waves_for_surveys
from surveys.models import QuestionKind, Response, ResponseStatus
from surveys.questionnaire import NOT_APPLICABLE, OTHER_SUFFIX, Question
from surveys.selectors import revision_questionnaire

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# ASCII digits, and an optional newline before the end spelled out (Python's
# ``$`` allows one, PostgreSQL's does not): the same text is the regular
# expression of the PostgreSQL export (exchange.export_copy).
PLAIN_NUMBER = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\n?$")
CHUNK_ROWS = 5_000
CACHE_LIMIT = 50_000
# The sample is self-weighting before calibration: every response starts from
# design weight 1; ``weight`` is the calibrated weight of the response's wave.
DESIGN_WEIGHT = 1.0
META_HEADER = [
    cols.RESPONSE_ID,
    cols.SERVICE_POINT,
    "region",
    "sector",
    "wave",
    cols.CHANNEL,
    cols.INTERVIEW_DATE,
    cols.INTERVIEWER,
    cols.LANGUAGE,
    "flags",
    "excluded",
    "design_weight",
    "weight",
]


def neutralize_text(value: Any) -> Any:
    """A string a spreadsheet would evaluate gets a leading apostrophe; plain
    numbers (``-3``, ``+1.5``) and everything else pass unchanged."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_TRIGGERS) and not PLAIN_NUMBER.match(value):
        return "'" + value
    if NEUTRALIZED.match(value):  # already looks neutralized: keep it reversible
        return "'" + value
    return value


@dataclass(frozen=True)
class ExportFilters:
    survey_ids: tuple[int, ...] = ()
    wave: str = ""
    sector_id: int | None = None
    service_point_id: int | None = None
    flags: tuple[str, ...] = ()  # any of these flags
    unflagged_only: bool = False
    include_excluded: bool = False

    def as_dict(self) -> dict:
        return {
            k: list(v) if isinstance(v, tuple) else v for k, v in vars(self).items()
        }


def export_queryset(filters: ExportFilters, *, upto_pk: int | None = None):
    """Submitted responses matching ``filters`` (up to ``upto_pk``), by id."""
    rows = Response.objects.filter(status=ResponseStatus.SUBMITTED)
    if filters.survey_ids:
        rows = rows.filter(survey_id__in=filters.survey_ids)
    if filters.wave:  # the analysis wave: the surveys it assesses
        rows = rows.filter(survey__assessment_waves__slug=filters.wave)
    if filters.sector_id:
        rows = rows.filter(survey__sector_id=filters.sector_id)
    if filters.service_point_id:
        rows = rows.filter(service_point_id=filters.service_point_id)
    if not filters.include_excluded:
        rows = rows.filter(excluded=False)
    if filters.flags:
        any_flag = Q()
        for flag in filters.flags:
            # A flag is a plain identifier: its quoted form matches it in the
            # JSON list on every database (JSON containment is PostgreSQL-only).
            any_flag |= Q(flags__icontains=json.dumps(flag))
        rows = rows.filter(any_flag)
    if filters.unflagged_only:
        rows = rows.filter(flags=[])
    if upto_pk is not None:
        rows = rows.filter(pk__lte=upto_pk)
    return rows.order_by("pk")


def export_questions(filters: ExportFilters, rows) -> list[Question]:
    """The questions of every revision answered, by code, first wording wins."""
    by_code: dict[str, Question] = {}
    revisions = rows.order_by().values_list("revision_id", flat=True).distinct()
    for revision_id in sorted(revisions, reverse=True):
        for question in revision_questionnaire(revision_id)[0].questions:
            by_code.setdefault(question.code, question)
    return list(by_code.values())


class ExportHeader(list):
    """The question columns of an export: (column, question, is the "other"
    text) in questionnaire order, and the weights of its rows' waves."""

    weights: WaveWeights | None = None


def question_header(questions: list[Question]) -> ExportHeader:
    """(column, question, is the "other" text) in questionnaire order."""
    header = ExportHeader()
    for question in questions:
        header.append((question.code, question, False))
        if question.kind == QuestionKind.MULTIPLE and question.allow_other:
            header.append((question.code + OTHER_SUFFIX, question, True))
    return header


def cell_text(question: Question, value: Any, *, is_other: bool) -> str:
    """A stored answer as the text the importer reads back."""
    if is_other:
        return neutralize_text(str(value))
    if value is None:
        return NOT_APPLICABLE if question.kind == QuestionKind.LIKERT else ""
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(value)  # keeps 3.0 a float on the way back
    return neutralize_text(str(value))


class _Formatter:
    """JSON text of a stored answer -> cell text, cached per distinct value."""

    def __init__(self, question: Question, is_other: bool):
        self.question, self.is_other = question, is_other
        self.cache: dict[str | None, str] = {None: ""}

    def __call__(self, json_text: str | None) -> str:
        if json_text is None:
            return ""
        found = self.cache.get(json_text)
        if found is None:
            found = cell_text(
                self.question, json.loads(json_text), is_other=self.is_other
            )
            if len(self.cache) < CACHE_LIMIT:
                self.cache[json_text] = found
        return found


def _row_source(rows, header) -> Iterator[tuple]:
    """Meta values, then each answer column's JSON text (None when absent).

    On PostgreSQL the database extracts each code (``answers -> code``), so
    Python never parses whole answer objects.
    """
    meta = [
        "pk",
        "service_point__code",
        "service_point__region__code",
        "survey__sector__code",
        "channel",
        "submitted_at",
        "interviewer",
        "language",
        "flags",
        "excluded",
        "survey_id",
    ]
    if connection.vendor == "postgresql":
        annotations = {
            f"a{i}": Cast(KeyTransform(column, "answers"), TextField())
            for i, (column, _q, _o) in enumerate(header)
        }
        query = rows.annotate(**annotations).values_list(*meta, *annotations)
        yield from query.iterator(chunk_size=CHUNK_ROWS)
        return
    for record in rows.values_list(*meta, "answers").iterator(chunk_size=CHUNK_ROWS):
        answers = record[-1]
        texts = tuple(
            json.dumps(answers[column], ensure_ascii=False)
            if column in answers
            else None
            for column, _q, _o in header
        )
        yield record[:-1] + texts


def export_rows(rows, header) -> Iterator[list]:
    """Each response as a list of cells (strings, numbers), in header order."""
    formatters = [_Formatter(q, o) for _c, q, o in header]
    # Most cells repeat a value seen before: look it up here, and call the
    # formatter only for a new one (a million rows x 25 columns of calls).
    cached = [(f.cache, f) for f in formatters]
    missing = object()
    hours: dict = {}  # submission times are whole hours: few distinct values
    tz = timezone.get_default_timezone()
    weights = getattr(header, "weights", None)
    n_meta = 11
    for record in _row_source(rows, header):
        (
            pk,
            point,
            region,
            sector,
            channel,
            submitted,
            who,
            language,
            flags,
            excluded,
            survey_id,
        ) = record[:n_meta]
        if isinstance(flags, str):
            flags = json.loads(flags)
        when = hours.get(submitted)
        if when is None:
            when = hours[submitted] = (
                timezone.localtime(submitted, tz).strftime("%Y-%m-%d %H:%M")
                if submitted
                else ""
            )
        yield [
            pk,
            point or "",
            region or "",
            sector or "",
            weights.wave_slug(survey_id) if weights is not None else "",
            channel,
            when,
            neutralize_text(who or ""),
            language,
            ";".join(flags),
            int(bool(excluded)),
            DESIGN_WEIGHT,
            _weight(weights, survey_id, record, n_meta) if not excluded else "",
            *[
                text if (text := cache.get(t, missing)) is not missing else f(t)
                for (cache, f), t in zip(cached, record[n_meta:], strict=True)
            ],
        ]


def _weight(weights: WaveWeights | None, survey_id: int, record, n_meta: int):
    """The calibrated weight of an analysed response ("" for the others)."""
    if weights is None:
        return ""
    return weights.weight(
        survey_id=survey_id,
        sector=record[3],
        point=record[1],
        region=record[2],
        channel=record[4],
        answers=record[n_meta:],
    )


def export_begin(*, filters: ExportFilters, file_format: str, user) -> tuple:
    """Record an export and fix its snapshot: the rows up to the current
    highest id, their count and the columns. Returns (export, rows, header)."""
    base = export_queryset(filters)
    upto = base.aggregate(top=Max("pk"))["top"] or 0
    rows = export_queryset(filters, upto_pk=upto)
    header = question_header(export_questions(filters, rows))
    survey_ids = list(rows.order_by().values_list("survey_id", flat=True).distinct())
    wave = Wave.objects.filter(slug=filters.wave).first() if filters.wave else None
    header.weights = WaveWeights(
        wave_for_survey=waves_for_surveys(survey_ids, wave),
        column_of_code={column: i for i, (column, _q, _o) in enumerate(header)},
    )
    export = Export.objects.create(
        survey_id=filters.survey_ids[0] if len(filters.survey_ids) == 1 else None,
        file_format=file_format,
        filters={**filters.as_dict(), "upto_pk": upto},
        expected_rows=rows.count(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    return export, rows, header


def export_finish(
    *, export: Export, row_count: int, checksum: str, expected_rows: int | None = None
) -> None:
    """Record what went out; ``expected_rows`` when the count was taken again
    in the snapshot the rows were read in."""
    done = {"row_count": row_count, "checksum": checksum}
    if expected_rows is not None:
        done["expected_rows"] = expected_rows
    Export.objects.filter(pk=export.pk).update(**done, finished_at=timezone.now())


def column_names(header) -> list[str]:
    return META_HEADER + [column for column, _q, _o in header]


def csv_header_bytes(header) -> bytes:
    """The BOM (for Excel) and the header line."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer, lineterminator="\r\n").writerow(column_names(header))
    return buffer.getvalue().encode("utf-8")


def python_csv_body(rows, header) -> Iterator[tuple[bytes, int]]:
    """The data lines formatted in Python, as (bytes, rows in them), a chunk
    of rows at a time: the path on SQLite, and the reference the PostgreSQL
    path is tested against."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    count = 0
    for row in export_rows(rows, header):
        writer.writerow(row)
        count += 1
        if count == CHUNK_ROWS:
            yield buffer.getvalue().encode("utf-8"), count
            buffer.seek(0)
            buffer.truncate()
            count = 0
    yield buffer.getvalue().encode("utf-8"), count


@contextmanager
def _snapshot() -> Iterator[None]:
    """One transaction for the count and the rows, so they agree. On
    PostgreSQL it is REPEATABLE READ (one snapshot) unless the caller already
    holds a transaction, whose isolation is then theirs to choose."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def stream_csv(export: Export, rows, header) -> Iterator[bytes]:
    """UTF-8 (with BOM, for Excel) CSV in chunks; records the row count, the
    database's count in the same snapshot and the digest at the end.

    Memory stays flat: one chunk at a time. On PostgreSQL the database writes
    the lines (:mod:`exchange.export_copy`), byte for byte what
    :func:`python_csv_body` writes; the transaction stays open while the
    download runs.
    """
    # Imported here: export_copy builds on this module's definitions.
    from exchange.export_copy import copy_csv_body

    body = copy_csv_body if connection.vendor == "postgresql" else python_csv_body
    digest, count = hashlib.sha256(), 0
    with _snapshot():
        expected = rows.count()
        chunk = csv_header_bytes(header)
        digest.update(chunk)
        yield chunk
        for chunk, lines in body(rows, header):
            digest.update(chunk)
            count += lines
            yield chunk
    export_finish(
        export=export,
        row_count=count,
        checksum=digest.hexdigest(),
        expected_rows=expected,
    )
