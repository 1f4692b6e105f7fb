"""Set-based validation of a wide response file against a survey's questions.

Each column is factorized; every *distinct* cell text is validated once by the
surveys app's own rule (:func:`surveys.forms.json_answer`, the function web
JSON submissions go through) and the verdict is broadcast back to the rows.
Conditions are evaluated in questionnaire order with
:meth:`surveys.questionnaire.Condition.holds` on the distinct answers of the
question they depend on, and answers to hidden questions are dropped, as
:meth:`Questionnaire.keep_visible` does on the web. So a million rows cost a
few thousand calls to the web's rules plus numpy indexing.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from exchange.columns import Column, ColumnMap
from surveys.forms import answer_value, json_answer, question_field
from surveys.models import QuestionKind
from surveys.questionnaire import (
    NOT_APPLICABLE,
    OTHER,
    OTHER_SUFFIX,
    Question,
    Questionnaire,
)

NOT_APPLICABLE_TOKENS = {"na", "n/a", "n.a.", "not applicable", "不适用", "无法评价"}
OTHER_TOKENS = {"other", "其他", "其它"}
LIST_SEPARATORS = re.compile(r"\s*[;；,，、|]\s*")
INTEGRAL = re.compile(r"^([+-]?\d+)\.0*$")
MISSING = -1  # factor code of a blank cell


@dataclass
class ColumnVerdict:
    """One question column: per distinct cell text, the stored value as JSON
    text (None when blank) and the error message (None when valid)."""

    question: Question
    column: Column
    codes: np.ndarray  # factor code per row; MISSING when blank
    values: list[Any]  # stored value per factor code
    json_texts: np.ndarray  # JSON text per factor code (object)
    errors: np.ndarray  # message or None per factor code (object)
    uniques: list[str] = field(default_factory=list)

    @property
    def present(self) -> np.ndarray:
        return self.codes != MISSING

    @property
    def invalid(self) -> np.ndarray:
        bad = np.array([e is not None for e in self.errors], dtype=bool)
        return self.present & bad[self.codes]


def error_frame(rows: np.ndarray, column: str, values, messages) -> pd.DataFrame:
    """Problems of one column: row positions, header, cell values, messages."""
    return pd.DataFrame(
        {"position": rows, "column": column, "value": values, "message": messages}
    )


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _option_lookup(question: Question) -> dict[str, str]:
    """Cell text -> option value: stored values, then Chinese/English labels."""
    lookup: dict[str, str] = {}
    for option in question.options:
        for text in (option.label_en, option.label, option.value):
            if text:
                lookup[_fold(text)] = option.value
    return lookup


def file_value(question: Question, text: str) -> Any:
    """The JSON form (as a web client posts it) of one cell's text."""
    kind = question.kind
    folded = _fold(text)
    if kind in (QuestionKind.LIKERT, QuestionKind.NPS):
        if folded in NOT_APPLICABLE_TOKENS or folded == NOT_APPLICABLE:
            return None
        whole = INTEGRAL.match(folded)
        return whole.group(1) if whole else folded
    if kind in (QuestionKind.SINGLE, QuestionKind.DEMOGRAPHIC):
        return _option_lookup(question).get(folded, text)
    if kind == QuestionKind.MULTIPLE:
        lookup = _option_lookup(question)
        chosen: list[str] = []
        for token in LIST_SEPARATORS.split(text.strip()):
            if not token:
                continue
            key = _fold(token)
            value = OTHER if key in OTHER_TOKENS else lookup.get(key, token)
            if value not in chosen:
                chosen.append(value)
        return chosen
    if kind == QuestionKind.NUMBER:
        return unicodedata.normalize("NFKC", text).replace(",", "").strip()
    return text


def expected(question: Question) -> str:
    """What a cell of this question may hold, for messages."""
    kind = question.kind
    if kind in (QuestionKind.LIKERT, QuestionKind.NPS):
        points = question.points()
        text = f"{points[0]}–{points[-1]}"
        if kind == QuestionKind.LIKERT and question.allow_not_applicable:
            text += _(" or “na” (not applicable)")
        return _("expected a whole number %(range)s") % {"range": text}
    if question.options:
        shown = ", ".join(f"{o.value} ({o.label})" for o in question.options[:12])
        if kind == QuestionKind.MULTIPLE:
            extra = _(", other") if question.allow_other else ""
            return _("expected one or more of %(options)s%(extra)s, separated by ;") % {
                "options": shown,
                "extra": extra,
            }
        return _("expected one of %(options)s") % {"options": shown}
    return ""


FREE_KINDS = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT, QuestionKind.NUMBER)


def cell_validator(question: Question):
    """:func:`surveys.forms.json_answer` for one question's cells.

    Free text and numbers can have as many distinct values as rows; for them
    the same form field ``json_answer`` builds is built once and reused (for a
    string, ``json_answer`` is exactly ``field.clean`` then ``answer_value``;
    tests/imports/test_equivalence.py checks they agree).
    """
    if question.kind not in FREE_KINDS:
        return lambda raw: json_answer(question, raw)
    field = question_field(question)

    def validate(raw: str) -> Any:
        try:
            cleaned = field.clean(raw)
        except ValidationError as error:
            raise ValidationError(
                "“%(code)s”: %(message)s",
                params={"code": question.code, "message": " ".join(error.messages)},
            ) from error
        return answer_value(question, cleaned)

    return validate


def validate_question(question: Question, column: Column, cells: pd.Series):
    """Validate a question column through its distinct cell texts."""
    codes, uniques = pd.factorize(cells, sort=False, use_na_sentinel=True)
    codes = np.asarray(codes)
    blank = [i for i, u in enumerate(uniques) if u == ""]
    values: list[Any] = []
    texts, errors = [], []
    hint = expected(question)
    validate = cell_validator(question)
    for text in uniques:
        if text == "":
            values.append(None)
            texts.append(None)
            errors.append(None)
            continue
        try:
            value = validate(file_value(question, text))
        except ValidationError as error:
            message = " ".join(error.messages)
            values.append(None)
            texts.append(None)
            errors.append(f"{message} ({hint})" if hint else message)
            continue
        values.append(value)
        texts.append(json.dumps(value, ensure_ascii=False))
        errors.append(None)
    if blank:
        codes = np.where(codes == blank[0], MISSING, codes)
    return ColumnVerdict(
        question=question,
        column=column,
        codes=codes,
        values=values,
        json_texts=np.array(texts + [None], dtype=object),
        errors=np.array(errors + [None], dtype=object),
        uniques=[str(u) for u in uniques],
    )


@dataclass
class OtherVerdict:
    code: str
    column: Column
    texts: np.ndarray  # stripped text per row ("" when blank)


@dataclass
class AnswerSet:
    """Answers of every row: visibility applied, errors found."""

    verdicts: dict[str, ColumnVerdict]
    kept: dict[str, np.ndarray]  # row has a kept answer to the code
    errors: pd.DataFrame  # index position, column, value, message
    dropped: dict[str, int]  # hidden answers dropped per code
    others: dict[str, OtherVerdict]


def validate_answers(
    questionnaire: Questionnaire, column_map: ColumnMap, frame: pd.DataFrame
) -> AnswerSet:
    """Every question column checked; conditions and required questions applied
    in questionnaire order, as the web does."""
    verdicts: dict[str, ColumnVerdict] = {}
    kept: dict[str, np.ndarray] = {}
    visible_of: dict[str, np.ndarray] = {}
    dropped: dict[str, int] = {}
    error_frames: list[pd.DataFrame] = []
    n = len(frame)
    for question in questionnaire.questions:
        column = column_map.question(question.code)
        if column is None:
            continue  # reported as a missing column
        verdict = validate_question(question, column, frame[column.position])
        verdicts[question.code] = verdict
        visible = _visibility(question, verdicts, kept, n)
        visible_of[question.code] = visible
        present = verdict.present
        hidden_answers = present & ~visible
        dropped[question.code] = int(hidden_answers.sum())
        kept[question.code] = present & visible
        invalid = verdict.invalid & visible
        if invalid.any():
            rows = np.flatnonzero(invalid)
            error_frames.append(
                error_frame(
                    rows,
                    column.header,
                    np.array(verdict.uniques, dtype=object)[verdict.codes[rows]],
                    verdict.errors[verdict.codes[rows]],
                )
            )
            kept[question.code] = kept[question.code] & ~invalid
        if question.required:
            unanswered = visible & ~present
            if unanswered.any():
                rows = np.flatnonzero(unanswered)
                error_frames.append(
                    error_frame(rows, column.header, "", _required_message(question))
                )
    others, other_errors = _other_texts(
        questionnaire, column_map, frame, verdicts, kept
    )
    errors = pd.concat(
        [*error_frames, *other_errors]
        or [pd.DataFrame(columns=["position", "column", "value", "message"])],
        ignore_index=True,
    )
    return AnswerSet(verdicts, kept, errors, dropped, others)


def _required_message(question: Question) -> str:
    if question.condition is None:
        return _("This question must be answered (%(hint)s).") % {
            "hint": expected(question) or _("it is required")
        }
    return _(
        "This question must be answered when “%(other)s” is “%(answer)s” (%(hint)s)."
    ) % {
        "other": question.condition.question,
        "answer": question.condition.answer,
        "hint": expected(question) or _("it is required"),
    }


def _visibility(question, verdicts, kept, n) -> np.ndarray:
    condition = question.condition
    if condition is None:
        return np.ones(n, dtype=bool)
    source = verdicts.get(condition.question)
    if source is None:  # the condition's question is not in the file
        return np.zeros(n, dtype=bool)
    holds = np.array(
        [
            condition.holds({condition.question: value}) if text is not None else False
            for value, text in zip(source.values, source.json_texts, strict=False)
        ]
        + [False],
        dtype=bool,
    )
    return kept[condition.question] & holds[source.codes]


def _other_texts(questionnaire, column_map, frame, verdicts, kept):
    """ "Other, please specify" texts: required when "other" is ticked and kept
    only then, as the web form does."""
    others, errors = {}, []
    for question in questionnaire.questions:
        column = column_map.other(question.code)
        if column is None or question.code not in verdicts:
            continue
        texts = frame[column.position].to_numpy(dtype=object)
        verdict = verdicts[question.code]
        ticked_by_code = np.array(
            [isinstance(v, list) and OTHER in v for v in verdict.values] + [False],
            dtype=bool,
        )
        ticked = kept[question.code] & ticked_by_code[verdict.codes]
        has_text = texts != ""
        for mask, message in (
            (ticked & ~has_text, _("Say what the other answer is.")),
            (
                has_text & ~ticked & kept[question.code],
                _("There is an “other” text but “other” is not among the answers."),
            ),
        ):
            if mask.any():
                rows = np.flatnonzero(mask)
                errors.append(error_frame(rows, column.header, texts[rows], message))
        others[question.code] = OtherVerdict(
            question.code, column, np.where(ticked, texts, "")
        )
    return others, errors


def answers_json(questionnaire: Questionnaire, answer_set: AnswerSet, n: int):
    """Each row's answers as a JSON object text, keys in questionnaire order.

    Each kept cell contributes ``"code": value, ``; a row's fragments are
    joined once (no growing strings), and the last separator dropped.
    """
    columns = []
    for question in questionnaire.questions:
        verdict = answer_set.verdicts.get(question.code)
        if verdict is None:
            continue
        prefix = json.dumps(question.code) + ": "
        fragment = np.array(
            [prefix + t + ", " if t is not None else "" for t in verdict.json_texts],
            dtype=object,
        )
        codes = np.where(answer_set.kept[question.code], verdict.codes, -1)
        columns.append(fragment[codes])  # code -1 is the trailing ""
        other = answer_set.others.get(question.code)
        if other is not None and (other.texts != "").any():
            other_key = json.dumps(question.code + OTHER_SUFFIX) + ": "
            columns.append(
                np.array(
                    [
                        other_key + json.dumps(t, ensure_ascii=False) + ", "
                        if t
                        else ""
                        for t in other.texts
                    ],
                    dtype=object,
                )
            )
    if not columns:
        return np.full(n, "{}", dtype=object)
    return np.array(
        ["{" + "".join(parts)[:-2] + "}" for parts in zip(*columns, strict=True)],
        dtype=object,
    )
