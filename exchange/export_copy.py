"""The CSV export of responses written by PostgreSQL: ``COPY (SELECT ...) TO
STDOUT``.

Formatting a million rows of 25 answers in Python took 30 s of CPU. Here the
query extracts each answer, formats and neutralizes it, and joins the wave's
weights; Python only passes the bytes through, turning PostgreSQL's LF row
ends into the CRLF of :func:`exchange.exports.python_csv_body` and counting
them. Each SQL expression below is the twin of a Python one
(:func:`~exchange.exports.cell_text`,
:func:`~exchange.exports.neutralize_text`, the meta columns of
:func:`~exchange.exports.export_rows`); ``tests/imports/test_export_copy.py``
holds the two paths byte-identical.

Both writers quote a field only when it holds a comma, a quote, CR or LF.
PostgreSQL also quotes an empty string (it is how it tells one from NULL),
so every empty text is made NULL first.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.db.models.fields.json import KeyTextTransform
from psycopg import sql

from analysis.compute import NO_SERVICE_POINT
from analysis.sql import UNKNOWN_REGION
from exchange.exports import (
    DESIGN_WEIGHT,
    FORMULA_TRIGGERS,
    PLAIN_NUMBER,
    ExportHeader,
)
from exchange.readers import NEUTRALIZED
from surveys.models import QuestionKind
from surveys.questionnaire import NOT_APPLICABLE

BLOCK_BYTES = 1 << 18
APOSTROPHE = "'"
# jsonb writes a list of strings as ["a", "b"]; a backslash would mean escapes.
PLAIN_LIST = r'^\["[^"\\]*"(, "[^"\\]*")*\]$'
LIST_SEPARATOR = '", "'
META = {
    "m_pk": F("pk"),
    "m_point": F("service_point__code"),
    "m_region": F("service_point__region__code"),
    "m_sector": F("survey__sector__code"),
    "m_channel": F("channel"),
    "m_submitted_at": F("submitted_at"),
    "m_interviewer": F("interviewer"),
    "m_language": F("language"),
    "m_flags": F("flags"),
    "m_excluded": F("excluded"),
    "m_survey_id": F("survey_id"),
    "m_answers": F("answers"),
}


class Sql:
    """SQL text with its parameters, in order."""

    def __init__(self, text: str = "", params: list | None = None):
        self.text, self.params = text, list(params or [])

    def __add__(self, other: Sql | str) -> Sql:
        other = other if isinstance(other, Sql) else Sql(other)
        return Sql(self.text + other.text, self.params + other.params)


def neutralized(text: str) -> Sql:
    """``neutralize_text`` of a text expression, which it reads several times
    (a column is cheapest). ``ascii`` (the first character's code) sends most
    texts past the regular expressions."""
    return Sql(
        f"CASE WHEN ascii({text}) = ANY(%s::int[]) AND ({text} ~ %s"
        f" OR (ascii({text}) <> {ord(APOSTROPHE)} AND {text} !~ %s))"
        f" THEN '''' || {text} ELSE {text} END",
        [
            [ord(c) for c in (*FORMULA_TRIGGERS, APOSTROPHE)],
            NEUTRALIZED.pattern,
            PLAIN_NUMBER.pattern,
        ],
    )


def python_number(text: str) -> str:
    """``str(json.loads(text))`` of a JSON number's text: digits alone are an
    int and stay as they are; anything else is a float, written as Python's
    shortest repr. PostgreSQL's float8 output has the same digits
    (``extra_float_digits`` 1) but writes 1e15 to 1e16 with an exponent and
    whole numbers without ".0"."""
    as_float = f"({text})::float8::text"
    return (
        f"CASE WHEN strpos({text}, '.') = 0 THEN {text}"
        f" WHEN {as_float} ~ '^-?[0-9]+$' THEN {as_float} || '.0'"
        f" WHEN {as_float} ~ 'e\\+1[0-5]$' THEN"
        f" regexp_replace({as_float}::numeric::text, '^(-?[0-9]+)$', '\\1.0')"
        f" ELSE {as_float} END"
    )


def _list_text(value: str) -> str:
    """``";".join(str(item) ...)`` of a JSON array (``value`` is jsonb)."""
    item = "(item #>> '{}')"
    return (
        "(SELECT string_agg(CASE jsonb_typeof(item)"  # noqa: S608 - our own SQL; values are parameters
        f" WHEN 'string' THEN {item} WHEN 'number' THEN {python_number(item)}"
        f" WHEN 'boolean' THEN initcap({item}) WHEN 'null' THEN 'None'"
        " ELSE item::text END, ';' ORDER BY position)"
        f" FROM jsonb_array_elements({value}) WITH ORDINALITY AS e(item, position))"
    )


def _plain_list(text: str) -> str:
    """The CASE branch for a list of strings without escapes (``["web",
    "phone"]``, the usual multiple-choice answer): its items are what lies
    between the quotes, no JSON parsing needed."""
    pattern = sql.Literal(PLAIN_LIST).as_string()
    separator = sql.Literal(LIST_SEPARATOR).as_string()
    return (
        f" WHEN ascii({text}) = 91 AND {text} ~ {pattern}"
        f" THEN replace(substr({text}, 3, length({text}) - 4), {separator}, ';')"
    )


def answer_cell(code: str, text: str, kind: str, *, is_other: bool) -> Sql:
    """``cell_text`` of the answer to ``code``, whose ``->>`` text the inner
    query extracted as the column ``text``: "" when absent, "na" for a
    Likert question's null, a list's items joined with ";", text
    neutralized. Objects, and lists as other text, which no answer validation
    lets through, are written as their JSON.

    Only a text that could be a formula, a list, a boolean or a float needs
    the answer's JSON type: most cells (ratings, codes, Chinese text) are
    written as extracted after a test of their first character.
    """
    literal = sql.Literal(code).as_string()
    value = f"(r.m_answers -> {literal})"
    if is_other:
        null = "'None'"
    elif kind == QuestionKind.LIKERT:
        null = f"'{NOT_APPLICABLE}'"
    else:
        null = "NULL"
    if null != "NULL":  # JSON null and no answer differ: is the key there?
        null = f"CASE WHEN r.m_answers ? {literal} THEN {null} END"
    first = f"ascii({text})"
    return (
        Sql(
            f"CASE WHEN {text} IS NULL THEN {null}"
            f" WHEN {first} BETWEEN 48 AND 57 AND strpos({text}, '.') = 0"
            f" THEN {text}"
            f" WHEN {first} > 64 AND {first} NOT IN (91, 123)"
            f" AND {text} NOT IN ('true', 'false') THEN {text}"
            + ("" if is_other else _plain_list(text))
            + f" ELSE CASE jsonb_typeof({value}) WHEN 'string' THEN "
        )
        + neutralized(text)
        + f" WHEN 'number' THEN {python_number(text)}"
        f" WHEN 'boolean' THEN initcap({text})"
        + ("" if is_other else f" WHEN 'array' THEN {_list_text(value)}")
        + f" ELSE {text} END END"
    )


def _weight_lookup(header: ExportHeader) -> tuple[Sql, Sql]:
    """(wave slug, weight) of a row: the weights of each wave's groups, looked
    up by the row's group key (wave, sector, service point, region, channel,
    weighting answers) as :meth:`WaveWeights.weight` does, in one jsonb object
    built once per query."""
    weights = header.weights
    if weights is None:
        return Sql("NULL"), Sql("NULL")
    slugs, keys, groups = {}, [], {}
    for survey_id, wave in weights.wave_for_survey.items():
        if wave is None:
            continue
        slugs[str(survey_id)] = wave.slug
        group = weights.weights(wave)
        if not group.by_group:
            continue
        answers = [
            f"r.t{weights.column_of_code[code]}"
            if code in weights.column_of_code
            else "NULL"
            for code in group.codes_by_survey.get(survey_id, ())
        ]
        keys.append(
            Sql(
                f" WHEN %s THEN jsonb_build_array(%s, r.m_sector,"
                f" COALESCE(NULLIF(r.m_point, ''), %s),"
                f" COALESCE(NULLIF(r.m_region, ''), %s),"
                f" r.m_channel{''.join(', ' + a for a in answers)})::text",
                [survey_id, wave.pk, NO_SERVICE_POINT, UNKNOWN_REGION],
            )
        )
        groups[wave.pk] = [
            {"key": [wave.pk, *key], "weight": repr(weight)}
            for key, weight in group.by_group.items()
        ]
    slug = Sql("(%s::jsonb ->> r.m_survey_id::text)", [json.dumps(slugs)])
    if not keys:
        return slug, Sql("NULL")
    table = json.dumps([row for rows in groups.values() for row in rows])
    weight = (
        Sql(  # noqa: S608 - our own SQL; values are parameters
            "CASE WHEN NOT r.m_excluded THEN (SELECT jsonb_object_agg(key::text,"
            " weight) FROM jsonb_to_recordset(%s::jsonb) AS w(key jsonb, weight"
            " text)) ->> (CASE r.m_survey_id",
            [table],
        )
        + sum(keys, Sql())
        + " END) END"
    )
    return slug, weight


def copy_query(rows, header: ExportHeader) -> Sql:
    """The COPY statement writing the data lines of ``rows`` (a queryset of
    responses in export order) with the columns of ``header``.

    The responses' own query (filters, order, limit) is Django's; each answer
    is extracted once in it, behind an ``OFFSET 0`` fence, so the formatting
    layer reads every extracted value without extracting it again.
    """
    answers = {
        f"t{i}": KeyTextTransform(column, "answers")
        for i, (column, _q, _o) in enumerate(header)
    }
    inner = rows.values(**META, **answers)
    inner_sql, inner_params = inner.query.sql_with_params()
    slug, weight = _weight_lookup(header)
    select = (
        Sql(
            "SELECT r.m_pk, NULLIF(r.m_point, ''), NULLIF(r.m_region, ''),"
            " NULLIF(r.m_sector, ''), "
        )
        + slug
        + Sql(
            ", NULLIF(r.m_channel, ''),"
            " to_char(r.m_submitted_at AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI'), ",
            [settings.TIME_ZONE],
        )
        + neutralized("NULLIF(r.m_interviewer, '')")
        + ", NULLIF(r.m_language, ''),"
        " CASE WHEN r.m_flags <> '[]' THEN NULLIF(array_to_string(ARRAY("
        "SELECT jsonb_array_elements_text(r.m_flags)), ';'), '') END,"
        " CASE WHEN r.m_excluded THEN 1 ELSE 0 END, "
        + Sql("%s, ", [repr(DESIGN_WEIGHT)])
        + weight
    )
    for i, (column, question, is_other) in enumerate(header):
        select += (
            Sql(", NULLIF(")
            + answer_cell(column, f"r.t{i}", question.kind, is_other=is_other)
            + ", '')"
        )
    return (
        Sql("COPY (")  # noqa: S608 - Django compiled it; values are parameters
        + select
        + Sql(f" FROM ({inner_sql} OFFSET 0) AS r", list(inner_params))
        + ") TO STDOUT WITH (FORMAT csv)"
    )


class RowEnds:
    """Turns the LF that ends each CSV line into CRLF and counts the lines,
    across blocks. A quote character opens or closes a quoted field (a
    doubled quote does both), and a newline inside one is data, left alone."""

    def __init__(self) -> None:
        self.quoted = False
        self.rows = 0

    def __call__(self, block: bytes) -> bytes:
        parts = block.split(b'"')
        for i in range(1 if self.quoted else 0, len(parts), 2):
            lines = parts[i].count(b"\n")
            if lines:
                self.rows += lines
                parts[i] = parts[i].replace(b"\n", b"\r\n")
        self.quoted ^= len(parts) % 2 == 0
        return b'"'.join(parts)


def copy_csv_body(rows, header: ExportHeader) -> Iterator[tuple[bytes, int]]:
    """The data lines as PostgreSQL writes them, in blocks of about
    ``BLOCK_BYTES``, as (bytes, lines in them). Runs in the caller's
    transaction (its settings are ``SET LOCAL``), which the COPY holds open
    until the last block has been read."""
    statement = copy_query(rows, header)
    ends = RowEnds()
    with connection.cursor() as cursor:
        # Python's float repr has the shortest digits that read back; so
        # does PostgreSQL's float8 output at this setting (its default). JIT
        # compiling the many cell expressions took seconds and saved nothing.
        cursor.execute("SET LOCAL extra_float_digits = 1; SET LOCAL jit = off")
        with cursor.cursor.copy(statement.text, statement.params) as copy:
            pending, size = [], 0
            for data in copy:
                pending.append(data)
                size += len(data)
                if size >= BLOCK_BYTES:
                    yield _counted(ends, pending)
                    pending, size = [], 0
            yield _counted(ends, pending)


def _counted(ends: RowEnds, pending: list) -> tuple[bytes, int]:
    before = ends.rows
    block = ends(b"".join(pending))
    return block, ends.rows - before
