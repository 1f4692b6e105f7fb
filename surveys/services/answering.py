"""Answering on the web: starting a response, resuming it by token and saving
it one section at a time."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from surveys.models import (
    Channel,
    QualityFlag,
    Response,
    ResponseStatus,
    ServicePoint,
)
from surveys.questionnaire import Questionnaire
from surveys.selectors import revision_questionnaire

from .errors import (
    InvitationInvalid,
    InvitationUsed,
    ResponseNotFound,
    ResumeExpired,
    SurveyClosed,
)
from .invitations import invitation_for
from .tokens import new_token, to_the_hour, token_digest

if TYPE_CHECKING:
    from surveys.models import SurveyPage

SECTION_SECONDS_CAP = 30 * 60  # a break longer than this is not answering time


@transaction.atomic
def response_start(
    *,
    survey: SurveyPage,
    channel: str = Channel.WEB,
    language: str = "zh-hans",
    service_point: ServicePoint | None = None,
    invitation_token: str | None = None,
) -> tuple[Response, str]:
    """A new in-progress response and its resume token (the token is not stored).

    With an invitation, the one response it allows is created or, if still in
    progress, resumed with a fresh token; a submitted one refuses.
    """
    if not survey.live or survey.live_revision_id is None:
        raise SurveyClosed("closed")
    invitation = None
    if invitation_token is not None:
        invitation = invitation_for(survey, invitation_token)
    elif survey.invitation_only:
        raise InvitationInvalid("required")
    token, now = new_token(), to_the_hour()
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey,
                revision_id=survey.live_revision_id,
                resume_digest=token_digest(token),
                idempotency_key=new_token(),
                invitation=invitation,
                service_point=service_point,
                channel=channel,
                language=language,
                started_at=now,
                saved_at=now,
            )
    except IntegrityError:
        if invitation is None:
            raise
        response = Response.objects.select_for_update().get(invitation=invitation)
        if response.status != ResponseStatus.IN_PROGRESS:
            raise InvitationUsed("used") from None
        response.resume_digest = token_digest(token)
        response.save(update_fields=["resume_digest"])
    return response, token


def response_for_token(*, survey: SurveyPage, token: str) -> Response:
    """The response a resume token opens, or ``ResponseNotFound``/``ResumeExpired``."""
    if not token or len(token) > 100:
        raise ResponseNotFound("bad token")
    response = Response.objects.filter(
        survey=survey, resume_digest=token_digest(token)
    ).first()
    if response is None:
        raise ResponseNotFound("unknown")
    expiry = response.saved_at + timedelta(days=survey.resume_days, hours=1)
    if response.status == ResponseStatus.IN_PROGRESS and expiry < timezone.now():
        raise ResumeExpired("expired")
    return response


def questionnaire_for(response: Response) -> Questionnaire:
    return revision_questionnaire(response.revision_id)[0]


@transaction.atomic
def section_save(
    *,
    response_id: int,
    number: int,
    answers: dict[str, Any],
    seconds: int,
    honeypot_filled: bool = False,
) -> Response:
    """Store one completed section's answers, replacing that section's earlier ones."""
    response = Response.objects.select_for_update().get(pk=response_id)
    if response.status != ResponseStatus.IN_PROGRESS:
        return response
    section = questionnaire_for(response).section(number)
    if section is None:
        raise ResponseNotFound("no such section")
    codes = {q.code for q in section.questions}
    kept = {
        key: value
        for key, value in response.answers.items()
        if key.split(".", 1)[0] not in codes
    }
    response.answers = {**kept, **answers}
    response.sections_done = max(response.sections_done, number)
    response.duration_seconds += max(0, min(int(seconds), SECTION_SECONDS_CAP))
    response.saved_at = to_the_hour()
    if honeypot_filled and QualityFlag.SUSPECTED_BOT not in response.flags:
        response.flags = [*response.flags, QualityFlag.SUSPECTED_BOT]
    response.save(
        update_fields=[
            "answers",
            "sections_done",
            "duration_seconds",
            "saved_at",
            "flags",
        ]
    )
    return response


def first_unanswered_section(questionnaire: Questionnaire, answers: dict) -> int | None:
    """The first visible section with a required visible question unanswered."""
    for section in questionnaire.visible_sections(answers):
        for question in section.visible_questions(answers):
            if question.required and question.code not in answers:
                return section.number
    return None
