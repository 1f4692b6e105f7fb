"""A questionnaire as plain immutable objects, built once from a page revision.

Forms, services, quality checks and analysis read these instead of StreamField
values, so what a response answered is a fixed structure keyed by question code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.i18n import localized_value

NOT_APPLICABLE = "na"
OTHER = "other"
OTHER_SUFFIX = ".other"


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    label_en: str = ""

    def text(self) -> str:
        return localized_value(self, "label")


@dataclass(frozen=True)
class Condition:
    question: str
    answer: str

    def holds(self, answers: Mapping[str, Any]) -> bool:
        given = answers.get(self.question)
        if isinstance(given, list):
            return self.answer in (str(item) for item in given)
        return given is not None and str(given) == self.answer


@dataclass(frozen=True)
class Question:
    code: str
    kind: str
    section: int
    label: str
    label_en: str = ""
    help_text: str = ""
    help_text_en: str = ""
    required: bool = False
    condition: Condition | None = None
    scale: int | None = None
    low_label: str = ""
    low_label_en: str = ""
    high_label: str = ""
    high_label_en: str = ""
    allow_not_applicable: bool = False
    dimension: str = ""
    reverse_coded: bool = False
    options: tuple[Option, ...] = ()
    allow_other: bool = False
    min_value: float | None = None
    max_value: float | None = None
    whole_number: bool = False
    variable: str = ""

    def text(self, name: str = "label") -> str:
        return localized_value(self, name) or ""

    def points(self) -> range:
        """The scale's answer values: 0-10 for 11 points, else 1..scale."""
        if self.scale == 11:
            return range(11)
        return range(1, (self.scale or 0) + 1)

    def visible(self, answers: Mapping[str, Any]) -> bool:
        return self.condition is None or self.condition.holds(answers)

    def option_text(self, value: str) -> str:
        for option in self.options:
            if option.value == value:
                return option.text()
        return value

    def frozen_shape(self) -> tuple:
        """What may not change once responses exist: kind and scale/options."""
        return (self.kind, self.scale)


@dataclass(frozen=True)
class Section:
    number: int
    title: str
    title_en: str = ""
    intro: str = ""
    intro_en: str = ""
    questions: tuple[Question, ...] = field(default_factory=tuple)

    def text(self, name: str = "title") -> str:
        return localized_value(self, name) or ""

    def visible_questions(self, answers: Mapping[str, Any]) -> list[Question]:
        return [q for q in self.questions if q.visible(answers)]


@dataclass(frozen=True)
class Questionnaire:
    sections: tuple[Section, ...]

    @property
    def questions(self) -> list[Question]:
        return [q for section in self.sections for q in section.questions]

    def by_code(self) -> dict[str, Question]:
        return {q.code: q for q in self.questions}

    def section(self, number: int) -> Section | None:
        if 1 <= number <= len(self.sections):
            return self.sections[number - 1]
        return None

    def visible_sections(self, answers: Mapping[str, Any]) -> list[Section]:
        return [s for s in self.sections if s.visible_questions(answers)]

    def keep_visible(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """The answers minus those to questions the answers themselves hide.

        Conditions only point backwards, so one pass in questionnaire order is
        enough: an answer kept earlier decides what is visible later.
        """
        kept: dict[str, Any] = {}
        for question in self.questions:
            if not question.visible(kept):
                continue
            for key in (question.code, question.code + OTHER_SUFFIX):
                if key in answers:
                    kept[key] = answers[key]
        return kept
