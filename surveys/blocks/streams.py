"""The StreamBlocks a survey and a question set are made of, and their checks."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from core.antibot import HONEYPOT_FIELD, SHOWN_FIELD
from surveys.questionnaire import Questionnaire, Section

from .content import SectionBlock
from .questions import (
    DemographicQuestionBlock,
    LikertQuestionBlock,
    LongTextQuestionBlock,
    MultipleChoiceQuestionBlock,
    NpsQuestionBlock,
    NumberQuestionBlock,
    ShortTextQuestionBlock,
    SingleChoiceQuestionBlock,
)


def questionnaire_from_stream(stream_value) -> Questionnaire:
    """Sections of questions; questions before the first section form section 1."""
    sections: list[Section] = []
    current: dict | None = None
    questions: list = []

    def close() -> None:
        if current is not None or questions:
            head = current or {}
            sections.append(
                Section(
                    number=len(sections) + 1,
                    title=head.get("title") or "",
                    title_en=head.get("title_en") or "",
                    intro=head.get("intro") or "",
                    intro_en=head.get("intro_en") or "",
                    questions=tuple(questions),
                )
            )

    for child in stream_value:
        if child.block_type == "section":
            close()
            current, questions = dict(child.value), []
            continue
        questions.append(
            child.block.question_spec(child.value, section=len(sections) + 1)
        )
    close()
    return Questionnaire(sections=tuple(s for s in sections if s.questions))


def questionnaire_errors(questionnaire: Questionnaire) -> list[str]:
    """Why the questionnaire cannot be used: duplicate codes, bad conditions."""
    errors: list[str] = []
    seen: dict[str, int] = {}
    for question in questionnaire.questions:
        if question.code in (HONEYPOT_FIELD, SHOWN_FIELD):
            # A section form has these anti-automation fields: a question coded
            # "website" would make every respondent who answers it a bot.
            errors.append(
                _("The code “%(code)s” is kept for the form itself; choose another.")
                % {"code": question.code}
            )
        if question.code in seen:
            errors.append(
                _("The code “%(code)s” is used twice; codes must be unique.")
                % {"code": question.code}
            )
        seen.setdefault(question.code, question.section)
        condition = question.condition
        if condition is None:
            continue
        earlier = seen.get(condition.question)
        if earlier is None or earlier >= question.section:
            errors.append(
                _(
                    "The condition on “%(code)s” refers to “%(other)s”, which is not "
                    "a question in an earlier section."
                )
                % {"code": question.code, "other": condition.question}
            )
    return errors


class QuestionStreamBlock(blocks.StreamBlock):
    """Questions only: the content of a question-bank set."""

    likert = LikertQuestionBlock()
    single_choice = SingleChoiceQuestionBlock()
    multiple_choice = MultipleChoiceQuestionBlock()
    nps = NpsQuestionBlock()
    short_text = ShortTextQuestionBlock()
    long_text = LongTextQuestionBlock()
    number = NumberQuestionBlock()
    demographic = DemographicQuestionBlock()

    class Meta:
        label = _("Questions")
        help_text = _("Standard questions an assessor can insert into a survey.")
        icon = "list-ol"
        template = "surveys/blocks/question_stream_block.html"


class SurveyStreamBlock(QuestionStreamBlock):
    """Sections and questions of a survey page."""

    section = SectionBlock()

    class Meta:
        label = _("Questionnaire")
        help_text = _("Sections (page breaks) and the questions in them.")
        icon = "form"
        template = "surveys/blocks/question_stream_block.html"

    def clean(self, value):
        value = super().clean(value)
        errors = questionnaire_errors(questionnaire_from_stream(value))
        if errors:
            raise blocks.StreamBlockValidationError(
                non_block_errors=blocks.ErrorList(
                    [blocks.BlockValidationError(message) for message in errors]
                )
            )
        return value
