"""The set-based checks give exactly what the web's per-response rules give:
conditions (``Questionnaire.keep_visible``), required questions and the
quality flags (``surveys.services.answer_flags``), on random answer sets."""

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
from django.utils import translation
from hypothesis import example, given, settings
from hypothesis import strategies as st

from exchange.columns import map_columns
from exchange.plan import _keys, _quality
from exchange.validation import answers_json, validate_answers
from surveys.questionnaire import Condition, Option, Question, Questionnaire, Section
from surveys.services import answer_flags, first_unanswered_section

YES_NO = (Option("yes", "是", "Yes"), Option("no", "否", "No"))


def likert(code, section, condition=None, required=True):
    return Question(
        code=code,
        kind="likert",
        section=section,
        label=code,
        scale=5,
        allow_not_applicable=True,
        required=required,
        condition=condition,
    )


QUESTIONNAIRE = Questionnaire(
    sections=(
        Section(
            1,
            "one",
            questions=(
                Question(
                    "q_used",
                    "single_choice",
                    1,
                    "用过吗",
                    options=YES_NO,
                    required=True,
                ),
                likert("r1", 1),
            ),
        ),
        Section(
            2,
            "two",
            questions=(
                likert("r2", 2, Condition("q_used", "yes")),
                likert("r3", 2, Condition("q_used", "yes"), required=False),
                likert("r4", 2),
                likert("r5", 2, Condition("r1", "5"), required=False),
                likert("r6", 2, required=False),
            ),
        ),
    )
)
SURVEY = SimpleNamespace(
    max_not_applicable_share=0.5, min_fill_seconds=0, speeder_share=0.33
)
CELL = st.one_of(
    st.sampled_from(["", "3", "na"]), st.sampled_from(["1", "2", "4", "5"])
)
ROW = st.fixed_dictionaries(
    {
        "q_used": st.sampled_from(["yes", "no", ""]),
        **{f"r{i}": CELL for i in range(1, 7)},
    }
)


def stored(text):
    if text == "na":
        return None
    return int(text) if text.isdigit() else text


def row(used, *ratings):
    return {"q_used": used, **{f"r{i}": r for i, r in enumerate(ratings, start=1)}}


@settings(max_examples=80, deadline=None)
@given(st.lists(ROW, min_size=1, max_size=30))
@example([row("no", "3", "", "", "3", "", "3")])  # 3 equal ratings
@example([row("yes", "3", "3", "", "3", "", "3")])  # 4 equal: not yet
@example([row("yes", "3", "3", "3", "3", "", "3")])  # 5 equal: straight-lining
@example([row("yes", "5", "na", "na", "3", "na", "4")])  # 3 of 6 N/A: not > half
@example([row("yes", "5", "na", "na", "na", "na", "4")])  # 4 of 6 N/A
def test_vectorized_checks_equal_the_web_rules_row_by_row(rows):
    headers = list(rows[0])
    frame = pd.DataFrame([[row[h] for h in headers] for row in rows])
    with translation.override("en"):  # the filter below reads the English message
        column_map, problems = map_columns(headers, QUESTIONNAIRE, survey_title="t")
    assert [p for p in problems if "missing" not in p.message] == []
    answer_set = validate_answers(QUESTIONNAIRE, column_map, frame)
    texts = answers_json(QUESTIONNAIRE, answer_set, len(rows))
    flags, _excluded = _quality(SURVEY, QUESTIONNAIRE, answer_set, len(rows))
    rejected = set(answer_set.errors["position"].tolist())
    for position, row in enumerate(rows):
        web = QUESTIONNAIRE.keep_visible(
            {code: stored(text) for code, text in row.items() if text != ""}
        )
        incomplete = first_unanswered_section(QUESTIONNAIRE, web) is not None
        assert (position in rejected) == incomplete, (row, web)
        if incomplete:
            continue
        assert json.loads(texts[position]) == web
        expected_flags = answer_flags(
            questionnaire=QUESTIONNAIRE,
            answers=web,
            duration_seconds=10**6,
            median_seconds=None,
            survey=SURVEY,
        )
        assert set(flags[position]) == expected_flags, (row, web)


def test_answers_to_hidden_questions_are_counted_as_dropped():
    headers = ["q_used", "r1", "r2", "r3", "r4", "r5", "r6"]
    frame = pd.DataFrame([["no", "4", "5", "5", "3", "2", ""]])
    column_map, _problems = map_columns(headers, QUESTIONNAIRE, survey_title="t")
    answer_set = validate_answers(QUESTIONNAIRE, column_map, frame)
    assert answer_set.dropped == {
        "q_used": 0,
        "r1": 0,
        "r2": 1,
        "r3": 1,
        "r4": 0,
        "r5": 1,
        "r6": 0,
    }
    assert np.asarray(answer_set.errors).size == 0


FREE = [
    Question("t_short", "short_text", 1, "短"),
    Question("t_long", "long_text", 1, "长"),
    Question(
        "n_whole", "number", 1, "整", min_value=0, max_value=120, whole_number=True
    ),
    Question("n_real", "number", 1, "实", min_value=-1.5, max_value=2.5),
]
FREE_TEXT = st.one_of(
    st.text(max_size=2100),
    st.text(alphabet="0123456789.-e ,", max_size=8),
    st.sampled_from(["12", "12.0", "-1.5", "2.5", "2.51", "1e2", "nan", "inf"]),
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(FREE), FREE_TEXT)
def test_the_reused_field_validates_free_cells_as_json_answer_does(question, raw):
    from django.core.exceptions import ValidationError

    from exchange.validation import cell_validator
    from surveys.forms import json_answer

    def verdict(check):
        try:
            return ("ok", check(raw))
        except ValidationError as error:
            return ("error", error.messages)

    assert verdict(cell_validator(question)) == verdict(
        lambda value: json_answer(question, value)
    )


def test_idempotency_keys_stay_those_earlier_releases_gave():
    """Keys already stored must match a re-imported file's: the digest is the
    two hashes pandas gives the row's content (factorizing first or not)."""
    answers = np.array(['{"q": 1}', '{"q": 2, "t": "很好"}', '{"q": 1}'], dtype=object)
    points = np.array([3, 0, 3])
    channel = np.array(["phone", "paper", "phone"], dtype=object)
    started = np.array(["2026-11-03T08", "2026-11-04T09", "2026-11-03T08"], "M8[us]")
    interviewer = np.array(["A01", "", "A01"], dtype=object)
    keys, occurrence = _keys(7, answers, points, channel, started, interviewer)
    content = pd.DataFrame(
        {
            "answers": answers,
            "point": points,
            "channel": channel,
            "started": started.astype("int64"),
            "interviewer": interviewer,
        }
    )
    first, second = (
        pd.util.hash_pandas_object(content, index=False, hash_key=k).to_numpy()
        for k in ("jx-import-key-01", "jx-import-key-02")
    )
    assert keys.tolist() == [
        f"import:7:{a:016x}{b:016x}:{n}"
        for a, b, n in zip(first, second, [0, 0, 1], strict=True)
    ]
    assert occurrence.tolist() == [0, 0, 1]
