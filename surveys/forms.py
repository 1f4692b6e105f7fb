"""Questions -> django.forms fields, and form values -> JSON answers.

One :class:`SectionForm` validates one screen. The same conversion validates
answers posted as JSON (paper entry, phone interviews, the benchmark), so every
channel stores the same types: ints for ratings, strings for choices, lists for
multiple choice, numbers for numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.antibot import AutomationChecksMixin
from surveys.models.choices import QuestionKind
from surveys.questionnaire import NOT_APPLICABLE, OTHER, OTHER_SUFFIX, Question

OTHER_FIELD_SUFFIX = "__other"
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 2000

CHOOSE = _("Choose an answer to this question.")
CHOOSE_VALID = _("Choose one of the answers shown.")
ENTER = _("Enter an answer to this question.")


def _choice_field(question: Question, choices: list[tuple[str, str]], **kwargs):
    return forms.ChoiceField(
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": CHOOSE, "invalid_choice": CHOOSE_VALID},
        **kwargs,
    )


def _number_field(question: Question, **kwargs) -> forms.Field:
    validators = []
    low, high = question.min_value, question.max_value
    if low is not None:
        validators.append(MinValueValidator(low))
    if high is not None:
        validators.append(MaxValueValidator(high))
    if low is not None and high is not None:
        message = _("Enter a number from %(low)s to %(high)s.") % {
            "low": _plain(low),
            "high": _plain(high),
        }
    else:
        message = _("Enter a number, for example 12.")
    field_class = forms.IntegerField if question.whole_number else forms.FloatField
    return field_class(
        validators=validators,
        error_messages={
            "required": message,
            "invalid": message,
            "min_value": message,
            "max_value": message,
        },
        widget=forms.NumberInput(attrs={"inputmode": "decimal"}),
        **kwargs,
    )


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def question_field(question: Question) -> forms.Field:
    """The form field that asks ``question`` in the active language."""
    common = {
        "required": question.required,
        "label": question.text("label"),
        "help_text": question.text("help_text"),
    }
    kind = question.kind
    if kind in (QuestionKind.LIKERT, QuestionKind.NPS):
        choices = [(str(p), str(p)) for p in question.points()]
        if kind == QuestionKind.LIKERT and question.allow_not_applicable:
            choices.append((NOT_APPLICABLE, str(_("Not applicable"))))
        return _choice_field(question, choices, **common)
    if kind in (QuestionKind.SINGLE, QuestionKind.DEMOGRAPHIC):
        choices = [(o.value, o.text()) for o in question.options]
        return _choice_field(question, choices, **common)
    if kind == QuestionKind.MULTIPLE:
        choices = [(o.value, o.text()) for o in question.options]
        if question.allow_other:
            choices.append((OTHER, str(_("Other"))))
        return forms.MultipleChoiceField(
            choices=choices,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": CHOOSE, "invalid_choice": CHOOSE_VALID},
            **common,
        )
    if kind == QuestionKind.NUMBER:
        return _number_field(question, **common)
    long = kind == QuestionKind.LONG_TEXT
    return forms.CharField(
        max_length=LONG_TEXT_MAX if long else SHORT_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}) if long else forms.TextInput,
        error_messages={
            "required": ENTER,
            "max_length": _("Keep the answer under %(limit_value)d characters."),
        },
        **common,
    )


def answer_value(question: Question, cleaned: Any) -> Any:
    """A cleaned form value as stored in ``Response.answers`` (JSON)."""
    if cleaned in (None, "", []):
        return None
    kind = question.kind
    if kind in (QuestionKind.LIKERT, QuestionKind.NPS):
        return None if cleaned == NOT_APPLICABLE else int(cleaned)
    if kind == QuestionKind.NUMBER:
        return cleaned
    if kind == QuestionKind.MULTIPLE:
        return list(cleaned)
    return cleaned


def form_value(question: Question, answers: Mapping[str, Any]) -> Any:
    """The initial form value for a stored answer (for back and resume)."""
    if question.code not in answers:
        return None
    stored = answers[question.code]
    if stored is None and question.kind == QuestionKind.LIKERT:
        return NOT_APPLICABLE
    if isinstance(stored, list):
        return [str(item) for item in stored]
    return None if stored is None else str(stored)


class SectionForm(AutomationChecksMixin, forms.Form):
    """The visible questions of one section, plus the shared honeypot and "shown
    at" stamp (:class:`core.antibot.AutomationChecksMixin`)."""

    def __init__(
        self, *args, questions: Iterable[Question], answers: Mapping[str, Any], **kw
    ):
        self.questions = list(questions)
        initial = {}
        for question in self.questions:
            initial[question.code] = form_value(question, answers)
            other = answers.get(question.code + OTHER_SUFFIX)
            if other:
                initial[question.code + OTHER_FIELD_SUFFIX] = other
        super().__init__(*args, initial=initial, **kw)
        for question in self.questions:
            self.fields[question.code] = question_field(question)
            if question.kind == QuestionKind.MULTIPLE and question.allow_other:
                self.fields[question.code + OTHER_FIELD_SUFFIX] = forms.CharField(
                    required=False,
                    max_length=SHORT_TEXT_MAX,
                    label=_("Other, please specify"),
                )

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            other_name = question.code + OTHER_FIELD_SUFFIX
            if other_name not in self.fields:
                continue
            ticked = OTHER in (cleaned.get(question.code) or [])
            if ticked and not cleaned.get(other_name):
                self.add_error(other_name, _("Say what the other answer is."))
        return cleaned

    def answers(self) -> dict[str, Any]:
        """The section's answers keyed by question code (omitting blanks)."""
        result: dict[str, Any] = {}
        for question in self.questions:
            raw = self.cleaned_data.get(question.code)
            if raw in (None, "", []):
                continue
            result[question.code] = answer_value(question, raw)
            if OTHER in (raw if isinstance(raw, list) else []):
                result[question.code + OTHER_SUFFIX] = self.cleaned_data.get(
                    question.code + OTHER_FIELD_SUFFIX, ""
                )
        return result

    def field_pairs(self):
        """(question, bound field, bound "other" field or None) for templates."""
        for question in self.questions:
            other = self.fields.get(question.code + OTHER_FIELD_SUFFIX)
            yield (
                question,
                self[question.code],
                self[question.code + OTHER_FIELD_SUFFIX] if other else None,
            )


# Mainland mobile numbers (optionally +86) and landlines with their area code.
MOBILE = re.compile(r"^(?:\+?86|0086)?(1[3-9]\d{9})$")
LANDLINE = re.compile(r"^0\d{9,11}$")
PHONE_SEPARATORS = re.compile(r"[\s\-().]")


def normalized_phone(raw: str) -> str:
    """A Chinese mobile or landline number as digits only; ``ValidationError``
    when it is neither."""
    compact = PHONE_SEPARATORS.sub("", raw)
    mobile = MOBILE.match(compact)
    if mobile:
        return mobile.group(1)
    if LANDLINE.match(compact):
        return compact
    raise ValidationError(
        _(
            "Enter a mobile number such as 138 0000 0000, or a landline number "
            "with its area code such as 0573-8200 0000."
        ),
        code="invalid",
    )


class ContactConsentForm(forms.Form):
    """The optional "may we contact you?" step: nothing is kept unless ticked."""

    consent = forms.BooleanField(
        required=False,
        label=_("Yes, you may contact me about my answers"),
    )
    phone = forms.CharField(
        required=False,
        max_length=30,
        label=_("Phone number"),
        help_text=_("A mobile number, or a landline with its area code."),
    )
    email = forms.EmailField(
        required=False,
        max_length=254,
        label=_("Email address"),
        error_messages={"invalid": _("Enter an email address such as li@example.cn.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "contact")
        super().__init__(*args, **kwargs)

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        return normalized_phone(phone) if phone else ""

    def clean(self):
        cleaned = super().clean()
        given = bool(self.data.get(self.add_prefix("phone"), "").strip()) or bool(
            self.data.get(self.add_prefix("email"), "").strip()
        )
        if cleaned.get("consent") and not given and not self.errors:
            self.add_error(
                "phone",
                _("Enter a phone number or an email address, or untick the box."),
            )
        elif given and not cleaned.get("consent"):
            # Never keep details without the tick, and never drop them silently.
            self.add_error(
                "consent",
                _(
                    "Tick the box if we may contact you, or clear the phone number "
                    "and email address."
                ),
            )
        return cleaned

    def contact_details(self) -> dict[str, str] | None:
        """Phone and email to keep, or None when the respondent did not consent."""
        if not self.cleaned_data.get("consent"):
            return None
        return {
            "phone": self.cleaned_data.get("phone", ""),
            "email": self.cleaned_data.get("email", ""),
        }


@lru_cache(maxsize=4096)
def _answer_field(question: Question, language: str | None) -> forms.Field:
    """The field that validates one JSON answer, built once per question and
    language: building it (choices, labels) cost more than the whole rest of a
    submission. Questions are frozen, and ``clean`` keeps no state."""
    return question_field(question)


def json_answer(question: Question, raw: Any) -> Any:
    """Validate one JSON-posted answer; ``ValidationError`` with a clear message."""
    if isinstance(raw, bool):
        raise ValidationError(
            _("“%(code)s”: a true/false value is not an answer."),
            params={"code": question.code},
        )
    if isinstance(raw, float) and not math.isfinite(raw):
        raise ValidationError(
            _("“%(code)s”: numbers must be finite."), params={"code": question.code}
        )
    if question.kind == QuestionKind.LIKERT and raw is None:
        if question.allow_not_applicable:
            return None
        raise ValidationError(
            _("“%(code)s” has no “not applicable” answer."),
            params={"code": question.code},
        )
    field = _answer_field(question, get_language())
    if question.kind == QuestionKind.MULTIPLE:
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            raise ValidationError(
                _("“%(code)s” takes a list of option values."),
                params={"code": question.code},
            )
        value = raw
    elif isinstance(raw, (list, dict)):
        raise ValidationError(
            _("“%(code)s” takes a single value."), params={"code": question.code}
        )
    else:
        value = raw if question.kind == QuestionKind.NUMBER else str(raw)
    try:
        cleaned = field.clean(value)
    except ValidationError as error:
        raise ValidationError(
            "“%(code)s”: %(message)s",
            params={"code": question.code, "message": " ".join(error.messages)},
        ) from error
    return answer_value(question, cleaned)
