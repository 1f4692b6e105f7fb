"""The question bank: copying a standard question set into a survey draft."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from django.db import transaction

from core.i18n import localized_value

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from surveys.models import QuestionSet, SurveyPage


def _free_code(code: str, taken: set[str]) -> str:
    candidate, n = code, 2
    while candidate in taken:
        suffix = f"_{n}"
        candidate, n = code[: 40 - len(suffix)] + suffix, n + 1
    return candidate


@transaction.atomic
def question_set_insert(
    *, survey: SurveyPage, question_set: QuestionSet, user: AbstractBaseUser | None
) -> int:
    """Append a copy of the set, as a new section, to the survey's latest draft.

    Codes already used in the survey get a numeric suffix; the copy is then the
    survey's own, so adapting it never changes the bank. Returns how many
    questions were added.
    """
    draft = survey.get_latest_revision_as_object()
    raw = [dict(item) for item in draft.body.raw_data]
    taken = {item["value"]["code"] for item in raw if item["type"] != "section"}
    added = [
        {
            "type": "section",
            "value": {
                "title": question_set.name,
                "title_en": question_set.name_en,
                "intro": "",
                "intro_en": "",
            },
        }
    ]
    for item in question_set.body.raw_data:
        value = copy.deepcopy(dict(item["value"]))
        value["code"] = _free_code(value["code"], taken)
        taken.add(value["code"])
        added.append({"type": item["type"], "value": value})
    draft.body = raw + added
    draft.save_revision(user=user, log_action=True, changed=True, clean=True)
    return len(added) - 1


def question_set_label(question_set: QuestionSet) -> str:
    return f"{question_set.sector} · {localized_value(question_set, 'name')}"
