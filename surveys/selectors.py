"""Reads: questionnaires by revision, answer frames, fieldwork progress."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING

import pandas as pd
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _
from wagtail.models import Revision

from surveys.blocks.streams import questionnaire_from_stream
from surveys.models import Quota, Response, ResponseStatus
from surveys.questionnaire import Questionnaire

if TYPE_CHECKING:
    from surveys.models import SurveyPage

META_COLUMNS = [
    "response_id",
    "service_point",
    "region",
    "channel",
    "language",
    "submitted_at",
    "duration_seconds",
    "revision_id",
]


def stream_codes(stream_value) -> dict[str, str]:
    """Block id -> question code, for spotting renamed questions."""
    return {
        child.id: child.value["code"]
        for child in stream_value
        if child.block_type != "section"
    }


@lru_cache(maxsize=512)
def revision_questionnaire(revision_id: int) -> tuple[Questionnaire, dict[str, str]]:
    """The questionnaire a page revision holds (revisions never change, so cached)."""
    page = Revision.objects.get(pk=revision_id).as_object()
    return questionnaire_from_stream(page.body), stream_codes(page.body)


def survey_refused_changes(*, survey: SurveyPage, questionnaire_stream) -> list[str]:
    """Why an edit may not be saved: renamed codes or changed types/scales of
    questions that responses have already answered."""
    answered = (
        Response.objects.filter(survey=survey)
        .values_list("revision_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    new_questionnaire = questionnaire_from_stream(questionnaire_stream)
    new_by_code = new_questionnaire.by_code()
    new_ids = stream_codes(questionnaire_stream)
    errors: list[str] = []
    for revision_id, count in answered:
        old, old_ids = revision_questionnaire(revision_id)
        for block_id, old_code in old_ids.items():
            new_code = new_ids.get(block_id)
            if new_code is not None and new_code != old_code:
                errors.append(
                    _(
                        "The code “%(old)s” cannot become “%(new)s”: %(n)d responses "
                        "already use it. Keep the code, or add a new question."
                    )
                    % {"old": old_code, "new": new_code, "n": count}
                )
        for code, old_question in old.by_code().items():
            new_question = new_by_code.get(code)
            if (
                new_question
                and new_question.frozen_shape() != old_question.frozen_shape()
            ):
                errors.append(
                    _(
                        "The type or scale of “%(code)s” cannot change: %(n)d "
                        "responses answered it as it was. Add a new question with a "
                        "new code."
                    )
                    % {"code": code, "n": count}
                )
    return sorted(set(errors))


def analysable_responses(survey: SurveyPage) -> QuerySet[Response]:
    return Response.objects.filter(
        survey=survey, status=ResponseStatus.SUBMITTED, excluded=False
    )


def responses_frame(survey: SurveyPage) -> pd.DataFrame:
    """Submitted, non-excluded responses: metadata columns then one column per
    question code (in questionnaire order). One query, no per-row lookups."""
    rows = list(
        analysable_responses(survey)
        .order_by("pk")
        .values_list(
            "pk",
            "service_point__code",
            "service_point__region__code",
            "channel",
            "language",
            "submitted_at",
            "duration_seconds",
            "revision_id",
            "answers",
        )
    )
    meta = pd.DataFrame([row[:-1] for row in rows], columns=META_COLUMNS)
    answers = pd.DataFrame.from_records([row[-1] for row in rows], index=meta.index)
    codes = [q.code for q in survey.questionnaire.questions]
    ordered = [c for c in codes if c in answers.columns] + [
        c for c in answers.columns if c not in codes
    ]
    return pd.concat([meta, answers[ordered]], axis=1)


def survey_fieldwork(survey: SurveyPage) -> dict:
    """Responses by day, service point and channel, completion rate and flags."""
    responses = Response.objects.filter(survey=survey)
    submitted = responses.filter(status=ResponseStatus.SUBMITTED)
    totals = responses.aggregate(
        started=Count("id"),
        submitted=Count("id", filter=Q(status=ResponseStatus.SUBMITTED)),
        excluded=Count("id", filter=Q(excluded=True)),
        over_quota=Count("id", filter=Q(status=ResponseStatus.OVER_QUOTA)),
    )
    flags: Counter[str] = Counter()
    for flag_list in submitted.exclude(flags=[]).values_list("flags", flat=True):
        flags.update(flag_list)
    started = totals["started"] or 0
    return {
        **totals,
        "completion_rate": (totals["submitted"] / started) if started else None,
        "by_day": list(
            submitted.annotate(day=TruncDate("submitted_at"))
            .values("day")
            .annotate(n=Count("id"))
            .order_by("day")
        ),
        "by_service_point": list(
            submitted.values("service_point__code", "service_point__name")
            .annotate(n=Count("id"))
            .order_by("-n")
        ),
        "by_channel": list(
            submitted.values("channel").annotate(n=Count("id")).order_by("-n")
        ),
        "flags": sorted(flags.items()),
        "quotas": list(Quota.objects.filter(survey=survey)),
    }


def flagged_responses(survey: SurveyPage) -> QuerySet[Response]:
    return (
        Response.objects.filter(survey=survey, status=ResponseStatus.SUBMITTED)
        .filter(~Q(flags=[]) | Q(excluded=True))
        .select_related("service_point", "excluded_by")
        .order_by("-submitted_at", "-pk")
    )
