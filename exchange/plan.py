"""A response file checked end to end: what each row would become.

:func:`plan_responses` reads nothing but the table and the database's
reference data (service points, keys already imported); it writes nothing.
The loader writes exactly the rows of a plan without errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from exchange import columns as cols
from exchange import meta
from exchange.problems import FileRejected, Problem
from exchange.tables import ChunkedTable
from exchange.validation import AnswerSet, answers_json, validate_answers
from surveys.models import QualityFlag, QuestionKind, Response
from surveys.questionnaire import Questionnaire
from surveys.services import (
    AUTO_EXCLUDED_FLAGS,
    NA_MIN_ITEMS,
    STRAIGHT_LINE_MIN_ITEMS,
)

IMPORT_KEY_PREFIX = "import:"
META_SHEET_SURVEY = "survey_id"


@dataclass
class PlannedRows:
    """Columns ready to load, one entry per file row (of the whole file or of
    a chunk of it)."""

    survey_id: int
    revision_id: int
    sections: int  # all of them: an imported interview is complete
    row_numbers: np.ndarray
    service_point_id: np.ndarray  # int64, 0 when none
    channel: np.ndarray
    language: np.ndarray
    started_at: np.ndarray  # datetime64[us] UTC
    interviewer: np.ndarray
    answers: np.ndarray  # JSON object text per row
    flags: list[list[str]]
    excluded: np.ndarray
    idempotency_key: np.ndarray
    already_imported: np.ndarray

    @property
    def to_create(self) -> np.ndarray:
        return ~self.already_imported


@dataclass
class ResponsePlan(PlannedRows):
    """Every row of a file, plus the verdicts."""

    errors: pd.DataFrame  # row, column, value, message
    dropped: dict[str, int]

    @property
    def total(self) -> int:
        return len(self.row_numbers)

    @property
    def rejected_rows(self) -> int:
        return int(self.errors["row"].nunique()) if len(self.errors) else 0

    def row_outcomes(self, limit: int) -> list[dict]:
        """The first rows' outcomes (all rejected rows first) for the preview."""
        messages = (
            self.errors.groupby("row", sort=True)
            .apply(
                lambda g: [
                    f"{c}: {m}" + (f" [{v}]" if v else "")
                    for c, m, v in zip(
                        g["column"], g["message"], g["value"], strict=True
                    )
                ],
                include_groups=False,
            )
            .to_dict()
            if len(self.errors)
            else {}
        )
        rows = sorted(messages)[:limit]
        rows += [
            int(r) for r in self.row_numbers[: limit - len(rows)] if r not in messages
        ]
        outcomes = []
        position_of = {
            int(r): i for i, r in enumerate(self.row_numbers[: max(rows, default=0)])
        }
        for row in sorted(set(rows)):
            i = position_of.get(row)
            if row in messages:
                outcomes.append({"row": row, "action": "reject", "why": messages[row]})
            elif i is not None and self.already_imported[i]:
                outcomes.append(
                    {"row": row, "action": "skip", "why": [_("already imported")]}
                )
            elif i is not None:
                outcomes.append(
                    {"row": row, "action": "create", "why": list(self.flags[i])}
                )
        return outcomes


def survey_of_template(meta: dict[str, str], survey_id: int, title: str) -> None:
    """A template or export carries its survey's id: refuse another survey's."""
    given = meta.get(META_SHEET_SURVEY)
    if given and given != str(survey_id):
        raise FileRejected(
            Problem(
                _(
                    "This workbook was made for survey #%(given)s, not for "
                    "“%(title)s” (#%(id)s). Choose the survey it belongs to."
                )
                % {"given": given, "title": title, "id": survey_id}
            )
        )


def plan_responses(
    *,
    survey,
    questionnaire: Questionnaire,
    revision_id: int,
    table: ChunkedTable,
    on_chunk: Callable[[PlannedRows], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ResponsePlan:
    """Check every row of ``table`` against ``survey``; writes nothing.

    ``FileRejected`` for problems with the file as a whole (columns, blank
    rows, formulas); row problems are in ``plan.errors``. The file is read,
    and its rows checked, a chunk at a time; while no row so far is rejected,
    each chunk's rows go to ``on_chunk`` as soon as they are built, so that
    PostgreSQL parses one chunk while the next is read and checked. Every
    database read happens before the first chunk: ``on_chunk`` may hold the
    connection (a COPY) until the end. ``on_progress`` hears the number of
    rows checked after each chunk.
    """
    column_map = _column_map(table, survey, questionnaire)
    read_interview = meta.interview_reader(column_map)
    done = frozenset(
        Response.objects.filter(
            survey=survey, idempotency_key__startswith=IMPORT_KEY_PREFIX
        ).values_list("idempotency_key", flat=True)
    )
    seen = SeenContent()
    chunks: list[PlannedRows] = []
    answer_errors: list[pd.DataFrame] = []
    meta_errors: list[pd.DataFrame] = []
    dropped: dict[str, int] = {}
    rejected, checked = False, 0
    for chunk in table.chunks():
        chunk_meta_errors: list[pd.DataFrame] = []
        interview = read_interview(chunk.frame, chunk_meta_errors)
        answer_set = validate_answers(questionnaire, column_map, chunk.frame)
        answer_errors.append(_at_rows(answer_set.errors, chunk.row_numbers))
        meta_errors += [_at_rows(e, chunk.row_numbers) for e in chunk_meta_errors]
        for code, count in answer_set.dropped.items():
            dropped[code] = dropped.get(code, 0) + count
        planned = _plan_rows(
            survey=survey,
            questionnaire=questionnaire,
            revision_id=revision_id,
            answer_set=answer_set,
            interview=interview,
            row_numbers=chunk.row_numbers,
            done=done,
            seen=seen,
        )
        chunks.append(planned)
        rejected = rejected or bool(chunk_meta_errors) or len(answer_set.errors) > 0
        if on_chunk is not None and not rejected:
            on_chunk(planned)
        checked += len(chunk)
        if on_progress is not None:
            on_progress(checked)
    headers = table.finish()
    if headers != table.headers:  # a column without a header holds something
        raise FileRejected(_column_problems(headers, survey, questionnaire))
    # Answer problems first, then the interview columns', row by row, as the
    # whole file checked at once lists them.
    errors = pd.concat([*answer_errors, *meta_errors], ignore_index=True)
    errors = errors.sort_values(["row"], kind="stable").reset_index(drop=True)
    return ResponsePlan(
        **_end_to_end(chunks),
        errors=errors,
        dropped={k: v for k, v in dropped.items() if v},
    )


def _column_map(table: ChunkedTable, survey, questionnaire) -> cols.ColumnMap:
    """What each column holds, or the file's refusal: the reading problems
    (found only by reading it all) come first, as a whole read finds them."""
    try:
        survey_of_template(table.meta, survey.pk, survey.title)
        column_map, problems = cols.map_columns(
            table.headers, questionnaire, survey_title=survey.title
        )
        if problems:
            raise FileRejected(problems)
    except FileRejected:
        headers = table.finish()
        survey_of_template(table.meta, survey.pk, survey.title)
        raise FileRejected(_column_problems(headers, survey, questionnaire)) from None
    return column_map


def _column_problems(headers: list[str], survey, questionnaire) -> list[Problem]:
    return cols.map_columns(headers, questionnaire, survey_title=survey.title)[1]


def _at_rows(errors: pd.DataFrame, row_numbers: np.ndarray) -> pd.DataFrame:
    """A chunk's problems, their positions in it turned into row numbers."""
    rows = row_numbers[errors["position"].to_numpy(dtype=np.int64)]
    return errors.drop(columns=["position"]).assign(row=rows)


def _plan_rows(
    *,
    survey,
    questionnaire: Questionnaire,
    revision_id: int,
    answer_set: AnswerSet,
    interview: meta.Interview,
    row_numbers: np.ndarray,
    done: frozenset[str],
    seen: SeenContent,
) -> PlannedRows:
    """What the rows of one chunk would become: answers' JSON, flags, keys."""
    n = len(row_numbers)
    answers = answers_json(questionnaire, answer_set, n)
    flags, excluded = _quality(survey, questionnaire, answer_set, n)
    keys, occurrence = _keys(
        survey.pk,
        answers,
        interview.point_ids,
        interview.channel,
        interview.started,
        interview.interviewer,
        seen=seen,
    )
    duplicate = occurrence > 0
    for i in np.flatnonzero(duplicate).tolist():  # a few rows, if any
        flags[i] = sorted({*flags[i], QualityFlag.DUPLICATE.value})
    excluded = excluded | (duplicate & (QualityFlag.DUPLICATE in AUTO_EXCLUDED_FLAGS))
    return PlannedRows(
        survey_id=survey.pk,
        revision_id=revision_id,
        sections=len(questionnaire.sections),
        row_numbers=row_numbers,
        service_point_id=interview.point_ids,
        channel=interview.channel,
        language=interview.language,
        started_at=interview.started,
        interviewer=interview.interviewer,
        answers=answers,
        flags=flags,
        excluded=excluded,
        idempotency_key=keys,
        already_imported=np.fromiter(map(done.__contains__, keys), bool, n),
    )


def _end_to_end(parts: list[PlannedRows]) -> dict[str, Any]:
    """The fields of ``parts`` (chunks of one file, in order) end to end."""
    first = parts[0]
    joined: dict[str, Any] = {
        name: getattr(first, name) for name in ("survey_id", "revision_id", "sections")
    }
    for spec in fields(PlannedRows):
        if spec.name not in joined:
            values = [getattr(part, spec.name) for part in parts]
            joined[spec.name] = (
                list(chain.from_iterable(values))
                if spec.name == "flags"
                else np.concatenate(values)
            )
    return joined


def _quality(survey, questionnaire, answer_set, n):
    """Straight-lining and too many "not applicable", as
    :func:`surveys.services.answer_flags` computes them for the web, over the
    rating grid of every row at once. Imports carry no answering time, so the
    time-based checks (speeders, suspected bots) do not apply.
    tests/imports/test_equivalence.py checks this equals ``answer_flags`` row by row.
    """
    ratings = [
        answer_set.verdicts[q.code]
        for q in questionnaire.questions
        if q.kind == QuestionKind.LIKERT and q.code in answer_set.verdicts
    ]
    if not ratings:
        return [[]] * n, np.zeros(n, dtype=bool)  # one shared, never mutated, list
    answered = np.column_stack([answer_set.kept[v.question.code] for v in ratings])
    grid = np.column_stack(
        [
            np.array(
                [v if isinstance(v, int) else -1 for v in verdict.values] + [-1],
                dtype=np.int64,
            )[verdict.codes]
            for verdict in ratings
        ]
    )
    given = answered & (grid >= 0)
    n_given = given.sum(axis=1)
    n_answered = answered.sum(axis=1)
    high = np.where(given, grid, np.iinfo(np.int64).min).max(axis=1)
    low = np.where(given, grid, np.iinfo(np.int64).max).min(axis=1)
    straight = (n_given >= STRAIGHT_LINE_MIN_ITEMS) & (high == low)
    share = np.divide(
        n_answered - n_given, n_answered, out=np.zeros(n), where=n_answered > 0
    )
    too_many_na = (n_answered >= NA_MIN_ITEMS) & (
        share > survey.max_not_applicable_share
    )
    # Four possible combinations: one shared (never mutated) list for each.
    table = [
        [],
        [QualityFlag.STRAIGHT_LINER.value],
        [QualityFlag.TOO_MANY_NA.value],
        sorted([QualityFlag.STRAIGHT_LINER.value, QualityFlag.TOO_MANY_NA.value]),
    ]
    combination = straight.astype(int) + 2 * too_many_na.astype(int)
    flags = [table[c] for c in combination.tolist()]
    excluded = np.zeros(n, dtype=bool)
    return flags, excluded


@dataclass
class SeenContent:
    """The content hashes of the rows planned so far, so that identical rows
    in different chunks are found as they would be in one."""

    first: list[np.ndarray] = field(default_factory=list)
    second: list[np.ndarray] = field(default_factory=list)
    firsts: set[int] = field(default_factory=set)

    def occurrence(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """How many rows before each (in earlier chunks or this one) have the
        same content, that is the same pair of hashes; then remember them."""
        pairs = pd.DataFrame({"a": first, "b": second})
        hits = self.firsts.intersection(first.tolist())
        if hits:  # only earlier rows with one of these first hashes can match
            earlier_first = np.concatenate(self.first)
            same = np.isin(earlier_first, np.fromiter(hits, np.uint64, len(hits)))
            earlier = pd.DataFrame(
                {"a": earlier_first[same], "b": np.concatenate(self.second)[same]}
            )
            pairs = pd.concat([earlier, pairs], ignore_index=True)
        counts = pairs.groupby(["a", "b"], sort=False).cumcount().to_numpy()
        self.first.append(first)
        self.second.append(second)
        self.firsts.update(first.tolist())
        return counts[len(counts) - len(first) :]


def _keys(
    survey_id,
    answers,
    point_ids,
    channel,
    started,
    interviewer,
    *,
    seen: SeenContent | None = None,
):
    """An idempotency key per row from its content, with the occurrence of
    identical rows (counting those ``seen`` in earlier chunks): re-importing
    a file creates nothing twice, and the second of two identical rows is a
    suspected duplicate, as on the web."""
    content = pd.DataFrame(
        {
            "answers": answers,
            "point": point_ids,
            "channel": channel,
            "started": started.astype("int64"),
            "interviewer": interviewer,
        }
    )
    # categorize=False gives the same hashes (pandas only factorizes first to
    # save work on repeated values) without factorizing answer texts that are
    # nearly all distinct: a third of the time. Each row's hash depends on
    # that row alone, so a chunk gets the hashes the whole file would.
    first, second = (
        pd.util.hash_pandas_object(
            content, index=False, hash_key=hash_key, categorize=False
        ).to_numpy()
        for hash_key in ("jx-import-key-01", "jx-import-key-02")
    )
    occurrence = (seen or SeenContent()).occurrence(first, second)
    digests = (np.column_stack([first, second]).astype(">u8").tobytes()).hex()
    prefix = f"{IMPORT_KEY_PREFIX}{survey_id}:"
    keys = [
        f"{prefix}{digests[32 * i : 32 * i + 32]}:{count}"
        for i, count in enumerate(occurrence.tolist())
    ]
    return np.array(keys, dtype=object), occurrence
