"""How the review step words each kind of answer (surveys.views.answer_text)."""

import pytest
from django.utils import translation

from surveys.models import QuestionKind
from surveys.questionnaire import Question
from surveys.views import answer_text

RATING = Question(
    code="q_wait",
    kind=QuestionKind.LIKERT,
    section=1,
    label="等候时间",
    scale=5,
    low_label="非常不满意",
    low_label_en="Very dissatisfied",
    high_label="非常满意",
    high_label_en="Very satisfied",
    allow_not_applicable=True,
)
NPS = Question(code="q_nps", kind=QuestionKind.NPS, section=1, label="推荐")


@pytest.mark.parametrize(
    ("question", "answers", "english", "chinese"),
    [
        (RATING, {"q_wait": 4}, "4 out of 5", "4 分（满分 5 分）"),
        (
            RATING,
            {"q_wait": 5},
            "5 out of 5 (Very satisfied)",
            "5 分（满分 5 分）（非常满意）",
        ),
        (
            RATING,
            {"q_wait": 1},
            "1 out of 5 (Very dissatisfied)",
            "1 分（满分 5 分）（非常不满意）",
        ),
        (RATING, {"q_wait": None}, "Not applicable", "不适用"),
        (NPS, {"q_nps": 0}, "0 out of 10", "0 分（满分 10 分）"),
        (NPS, {}, "Not answered", "未作答"),
    ],
)
def test_a_rating_reads_against_its_scale(question, answers, english, chinese):
    with translation.override("en"):
        assert answer_text(question, answers) == english
    with translation.override("zh-hans"):
        assert answer_text(question, answers) == chinese
