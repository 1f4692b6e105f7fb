"""A response file checked end to end: what each row would become.

:func:`plan_responses` reads nothing but the table and the database's
reference data (service points, keys already imported); it writes nothing.
The loader writes exactly the rows of a plan without errors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from exchange import columns as cols
from exchange import meta
from exchange.problems import FileRejected, Problem
from exchange.readers import RawTable
from exchange.validation import answers_json, validate_answers
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
class ResponsePlan:
    """Columns ready to load, one entry per file row, plus the verdicts."""

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
    errors: pd.DataFrame  # row, column, value, message
    dropped: dict[str, int]

    @property
    def total(self) -> int:
        return len(self.row_numbers)

    @property
    def rejected_rows(self) -> int:
        return int(self.errors["row"].nunique()) if len(self.errors) else 0

    @property
    def to_create(self) -> np.ndarray:
        return ~self.already_imported

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


def survey_of_template(table: RawTable, survey_id: int, title: str) -> None:
    """A template or export carries its survey's id: refuse another survey's."""
    given = table.meta.get(META_SHEET_SURVEY)
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
    *, survey, questionnaire: Questionnaire, revision_id: int, table: RawTable
) -> ResponsePlan:
    """Check every row of ``table`` against ``survey``; writes nothing.

    ``FileRejected`` for problems with the file as a whole (columns); row
    problems are in ``plan.errors``.
    """
    survey_of_template(table, survey.pk, survey.title)
    column_map, problems = cols.map_columns(
        table.headers, questionnaire, survey_title=survey.title
    )
    if problems:
        raise FileRejected(problems)
    frame, n = table.frame, len(table)
    answer_set = validate_answers(questionnaire, column_map, frame)
    meta_errors: list[pd.DataFrame] = []
    point_ids = meta.service_points(column_map, frame, meta_errors)
    channel = meta.channels(column_map, frame, meta_errors)
    started = meta.dates(column_map, frame, meta_errors)
    language = meta.languages(column_map, frame, meta_errors)
    interviewer = meta.interviewers(column_map, frame, meta_errors)
    errors = pd.concat([answer_set.errors, *meta_errors], ignore_index=True)
    errors["row"] = table.row_numbers[errors["position"].to_numpy(dtype=np.int64)]
    errors = errors.sort_values(["row"], kind="stable").reset_index(drop=True)
    answers = answers_json(questionnaire, answer_set, n)
    flags, excluded = _quality(survey, questionnaire, answer_set, n)
    keys, occurrence = _keys(
        survey.pk, answers, point_ids, channel, started, interviewer
    )
    duplicate = occurrence > 0
    flag_lists = [
        sorted({*f, QualityFlag.DUPLICATE.value}) if d else f
        for f, d in zip(flags, duplicate, strict=True)
    ]
    excluded = excluded | (duplicate & (QualityFlag.DUPLICATE in AUTO_EXCLUDED_FLAGS))
    done = set(
        Response.objects.filter(
            survey=survey, idempotency_key__startswith=IMPORT_KEY_PREFIX
        ).values_list("idempotency_key", flat=True)
    )
    return ResponsePlan(
        survey_id=survey.pk,
        revision_id=revision_id,
        sections=len(questionnaire.sections),
        row_numbers=table.row_numbers,
        service_point_id=point_ids,
        channel=channel,
        language=language,
        started_at=started,
        interviewer=interviewer,
        answers=answers,
        flags=flag_lists,
        excluded=excluded,
        idempotency_key=keys,
        already_imported=pd.Series(keys).isin(done).to_numpy()
        if done
        else np.zeros(n, bool),
        errors=errors.drop(columns=["position"]),
        dropped={k: v for k, v in answer_set.dropped.items() if v},
    )


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
        return [[] for _i in range(n)], np.zeros(n, dtype=bool)
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


def _keys(survey_id, answers, point_ids, channel, started, interviewer):
    """An idempotency key per row from its content, with the occurrence of
    identical rows: re-importing a file creates nothing twice, and the second
    of two identical rows is a suspected duplicate, as on the web."""
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
    # nearly all distinct: a third of the time.
    first, second = (
        pd.util.hash_pandas_object(
            content, index=False, hash_key=hash_key, categorize=False
        )
        for hash_key in ("jx-import-key-01", "jx-import-key-02")
    )
    occurrence = (
        pd.DataFrame({"a": first.to_numpy(), "b": second.to_numpy()})
        .groupby(["a", "b"], sort=False)
        .cumcount()
        .to_numpy()
    )
    digests = (
        np.column_stack([first.to_numpy(), second.to_numpy()]).astype(">u8").tobytes()
    ).hex()
    prefix = f"{IMPORT_KEY_PREFIX}{survey_id}:"
    keys = [
        f"{prefix}{digests[32 * i : 32 * i + 32]}:{count}"
        for i, count in enumerate(occurrence.tolist())
    ]
    return np.array(keys, dtype=object), occurrence
