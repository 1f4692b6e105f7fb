"""Question blocks: each one knows its code, wording in both languages and how
it is answered. ``question_spec`` turns a block value into the frozen
:class:`surveys.questionnaire.Question` the forms, services and analysis use.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from surveys.models.choices import Dimension, QuestionKind, WeightingVariable
from surveys.questionnaire import Condition, Option, Question

CODE_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
QUESTION_TEMPLATE = "surveys/blocks/question_block.html"


class OptionBlock(blocks.StructBlock):
    value = blocks.RegexBlock(
        regex=r"^[A-Za-z0-9_-]{1,40}$",
        label=_("stored value"),
        help_text=_("Letters, digits, - and _; what analysis sees. Never translate."),
        error_messages={"invalid": _("Use 1-40 letters, digits, - or _.")},
    )
    label = blocks.CharBlock(label=_("label (Chinese)"), max_length=200)
    label_en = blocks.CharBlock(
        label=_("label (English)"), max_length=200, required=False
    )

    class Meta:
        icon = "radio-full"
        label = _("Option")
        help_text = _("One answer option.")
        template = "surveys/blocks/option_block.html"
        preview_value = {"value": "yes", "label": "是", "label_en": "Yes"}


class ConditionBlock(blocks.StructBlock):
    question = blocks.CharBlock(
        label=_("show only if question (code)"),
        required=False,
        max_length=40,
        help_text=_("Code of a question in an earlier section."),
    )
    answer = blocks.CharBlock(
        label=_("has the answer (stored value)"), required=False, max_length=40
    )

    class Meta:
        icon = "link"
        label = _("Condition")
        help_text = _("Leave empty to always show the question.")
        form_classname = "survey-condition"


class BaseQuestionBlock(blocks.StructBlock):
    """Fields every question has."""

    kind: str = ""

    code = blocks.RegexBlock(
        regex=CODE_PATTERN,
        label=_("code"),
        help_text=_(
            "Stable identifier, unique in the survey (e.g. q_staff_courtesy). "
            "It cannot change once responses exist."
        ),
        error_messages={
            "invalid": _(
                "Start with a lower-case letter; then up to 39 lower-case letters, "
                "digits or _."
            )
        },
    )
    label = blocks.TextBlock(label=_("question (Chinese)"), max_length=500)
    label_en = blocks.TextBlock(
        label=_("question (English)"), required=False, max_length=500
    )
    help_text = blocks.TextBlock(
        label=_("help text (Chinese)"), required=False, max_length=500
    )
    help_text_en = blocks.TextBlock(
        label=_("help text (English)"), required=False, max_length=500
    )
    required = blocks.BooleanBlock(label=_("required"), required=False, default=True)
    condition = ConditionBlock(required=False)

    class Meta:
        template = QUESTION_TEMPLATE
        form_classname = "survey-question"

    def question_spec(self, value, *, section: int) -> Question:
        condition = value.get("condition") or {}
        cond = None
        if condition.get("question") and condition.get("answer"):
            cond = Condition(
                question=condition["question"], answer=str(condition["answer"])
            )
        return Question(
            code=value["code"],
            kind=self.kind,
            section=section,
            label=value["label"],
            label_en=value.get("label_en") or "",
            help_text=value.get("help_text") or "",
            help_text_en=value.get("help_text_en") or "",
            required=bool(value.get("required")),
            condition=cond,
            **self.extra_spec(value),
        )

    def extra_spec(self, value) -> dict:
        return {}


def _options(value) -> tuple[Option, ...]:
    return tuple(
        Option(
            value=str(option["value"]),
            label=option["label"],
            label_en=option.get("label_en") or "",
        )
        for option in value.get("options") or ()
    )


SCALE_CHOICES = [
    ("5", _("5 points (1-5)")),
    ("7", _("7 points (1-7)")),
    ("10", _("10 points (1-10)")),
    ("11", _("11 points (0-10)")),
]


class LikertQuestionBlock(BaseQuestionBlock):
    kind = QuestionKind.LIKERT

    scale = blocks.ChoiceBlock(choices=SCALE_CHOICES, default="5", label=_("scale"))
    low_label = blocks.CharBlock(label=_("lowest point (Chinese)"), max_length=60)
    low_label_en = blocks.CharBlock(
        label=_("lowest point (English)"), max_length=60, required=False
    )
    high_label = blocks.CharBlock(label=_("highest point (Chinese)"), max_length=60)
    high_label_en = blocks.CharBlock(
        label=_("highest point (English)"), max_length=60, required=False
    )
    allow_not_applicable = blocks.BooleanBlock(
        label=_("offer “not applicable”"), required=False, default=True
    )
    dimension = blocks.ChoiceBlock(
        choices=Dimension.choices, default=Dimension.OVERALL, label=_("dimension")
    )
    reverse_coded = blocks.BooleanBlock(
        label=_("reverse-coded"),
        required=False,
        help_text=_("Tick when a high answer means low satisfaction."),
    )

    class Meta:
        icon = "pick"
        label = _("Rating (Likert)")
        help_text = _("A satisfaction rating on a 5, 7, 10 or 11-point scale.")
        preview_value = {
            "code": "q_overall",
            "label": "总体而言，您对该服务满意吗？",
            "label_en": "Overall, how satisfied are you with this service?",
            "scale": "5",
            "low_label": "非常不满意",
            "low_label_en": "Very dissatisfied",
            "high_label": "非常满意",
            "high_label_en": "Very satisfied",
            "allow_not_applicable": True,
            "dimension": Dimension.OVERALL,
            "required": True,
        }

    def extra_spec(self, value) -> dict:
        return {
            "scale": int(value["scale"]),
            "low_label": value["low_label"],
            "low_label_en": value.get("low_label_en") or "",
            "high_label": value["high_label"],
            "high_label_en": value.get("high_label_en") or "",
            "allow_not_applicable": bool(value.get("allow_not_applicable")),
            "dimension": value["dimension"],
            "reverse_coded": bool(value.get("reverse_coded")),
        }


class SingleChoiceQuestionBlock(BaseQuestionBlock):
    kind = QuestionKind.SINGLE

    options = blocks.ListBlock(OptionBlock(), min_num=2, label=_("options"))

    class Meta:
        icon = "radio-empty"
        label = _("Single choice")
        help_text = _("The respondent picks one option.")
        preview_value = {
            "code": "q_visit_purpose",
            "label": "您此次来访的主要目的是什么？",
            "label_en": "What was the main purpose of your visit?",
            "options": [
                {"value": "service", "label": "办理业务", "label_en": "Get a service"},
                {"value": "enquiry", "label": "咨询", "label_en": "Ask a question"},
            ],
            "required": True,
        }

    def extra_spec(self, value) -> dict:
        return {"options": _options(value)}


class MultipleChoiceQuestionBlock(BaseQuestionBlock):
    kind = QuestionKind.MULTIPLE

    options = blocks.ListBlock(OptionBlock(), min_num=2, label=_("options"))
    allow_other = blocks.BooleanBlock(
        label=_("offer “other, please specify”"), required=False
    )

    class Meta:
        icon = "list-ul"
        label = _("Multiple choice")
        help_text = _("The respondent ticks any number of options.")
        preview_value = {
            "code": "q_channels",
            "label": "您通过哪些渠道了解该服务？",
            "label_en": "How did you hear about this service?",
            "options": [
                {"value": "web", "label": "网站", "label_en": "Website"},
                {"value": "friends", "label": "亲友", "label_en": "Friends"},
            ],
            "allow_other": True,
            "required": False,
        }

    def extra_spec(self, value) -> dict:
        return {
            "options": _options(value),
            "allow_other": bool(value.get("allow_other")),
        }


class NpsQuestionBlock(BaseQuestionBlock):
    kind = QuestionKind.NPS

    class Meta:
        icon = "order"
        label = _("Net promoter score (0-10)")
        help_text = _("How likely the respondent is to recommend, from 0 to 10.")
        preview_value = {
            "code": "q_recommend",
            "label": "您向亲友推荐该服务的可能性有多大？",
            "label_en": "How likely are you to recommend this service to a friend?",
            "required": True,
        }

    def extra_spec(self, value) -> dict:
        return {"scale": 11}


class ShortTextQuestionBlock(BaseQuestionBlock):
    kind = QuestionKind.SHORT_TEXT

    class Meta:
        icon = "pilcrow"
        label = _("Short text")
        help_text = _("A one-line answer (at most 200 characters).")
        preview_value = {
            "code": "q_staff_name",
            "label": "为您服务的工作人员工号（选填）",
            "label_en": "Staff number of the person who served you (optional)",
            "required": False,
        }


class LongTextQuestionBlock(BaseQuestionBlock):
    kind = QuestionKind.LONG_TEXT

    class Meta:
        icon = "doc-full"
        label = _("Long text")
        help_text = _("A free comment (at most 2,000 characters).")
        preview_value = {
            "code": "q_suggestions",
            "label": "您对改进该服务有什么建议？",
            "label_en": "What would you suggest to improve this service?",
            "required": False,
        }


class NumberQuestionBlock(BaseQuestionBlock):
    kind = QuestionKind.NUMBER

    min_value = blocks.FloatBlock(label=_("minimum"), required=False)
    max_value = blocks.FloatBlock(label=_("maximum"), required=False)
    whole_number = blocks.BooleanBlock(
        label=_("whole numbers only"), required=False, default=True
    )

    class Meta:
        icon = "decimal"
        label = _("Number")
        help_text = _("A number, optionally between a minimum and a maximum.")
        preview_value = {
            "code": "q_wait_minutes",
            "label": "您大约等候了多少分钟？",
            "label_en": "About how many minutes did you wait?",
            "min_value": 0,
            "max_value": 600,
            "whole_number": True,
            "required": True,
        }

    def clean(self, value):
        value = super().clean(value)
        low, high = value.get("min_value"), value.get("max_value")
        if low is not None and high is not None and low > high:
            raise blocks.StructBlockValidationError(
                block_errors={
                    "max_value": blocks.BlockValidationError(
                        _("The maximum must not be below the minimum.")
                    )
                }
            )
        return value

    def extra_spec(self, value) -> dict:
        return {
            "min_value": value.get("min_value"),
            "max_value": value.get("max_value"),
            "whole_number": bool(value.get("whole_number")),
        }


class DemographicQuestionBlock(BaseQuestionBlock):
    kind = QuestionKind.DEMOGRAPHIC

    variable = blocks.ChoiceBlock(
        choices=WeightingVariable.choices,
        label=_("weighting variable"),
        help_text=_(
            "The population margin this question is weighted to; option values "
            "must match the margin's categories."
        ),
    )
    options = blocks.ListBlock(OptionBlock(), min_num=2, label=_("options"))

    class Meta:
        icon = "group"
        label = _("Demographic question")
        help_text = _("Age band, gender, region...: used to weight responses.")
        preview_value = {
            "code": "d_gender",
            "label": "您的性别",
            "label_en": "Your gender",
            "variable": WeightingVariable.GENDER,
            "options": [
                {"value": "female", "label": "女", "label_en": "Female"},
                {"value": "male", "label": "男", "label_en": "Male"},
            ],
            "required": False,
        }

    def extra_spec(self, value) -> dict:
        return {"options": _options(value), "variable": value["variable"]}
