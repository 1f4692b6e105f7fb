"""Non-page endpoints: signed short links and whole-response JSON submission.

The JSON endpoint serves paper data entry, phone interviews and offline
clients: one request carries a complete response and an ``Idempotency-Key``
header, so retries never store it twice.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.addresses import client_address
from core import antibot, memo
from surveys import services
from surveys.forms import json_answer
from surveys.links import short_link_valid
from surveys.models import Channel, QualityFlag, ServicePoint, SurveyPage
from surveys.questionnaire import OTHER, OTHER_SUFFIX, Questionnaire
from surveys.selectors import revision_questionnaire

MAX_BODY_BYTES = 64 * 1024
LOOKUP_SECONDS = 5.0  # how stale an open/closed state or a code lookup may be
KEY_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


@require_GET
def short_link(request: HttpRequest, survey_id: int, point: str, mac: str):
    if not short_link_valid(survey_id, point, mac):
        raise Http404(_("This link is not valid"))
    survey = get_object_or_404(SurveyPage, pk=survey_id)
    query = urlencode({"sp": point, "ch": Channel.QR})
    return HttpResponseRedirect(f"{survey.url}?{query}")


def _cached(key: tuple, load):
    """A per-process lookup kept for a few seconds: the hot path of a busy
    survey then skips two queries per submission."""
    return memo.remember(key, load, LOOKUP_SECONDS)


def _problem(status: int, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def _reject_constant(name: str) -> None:
    raise ValueError(name)


def _parse_body(request: HttpRequest) -> dict[str, Any]:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise _TooLarge
    raw = request.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        raise _TooLarge
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        # RecursionError: nesting deep enough to exhaust the parser's stack.
        raise ValidationError(_("The body must be a JSON object.")) from error
    if not isinstance(body, dict):
        raise ValidationError(_("The body must be a JSON object."))
    return body


class _TooLarge(Exception):
    pass


def validate_answers(questionnaire: Questionnaire, raw: Any) -> dict[str, Any]:
    """Answers keyed by code, every value checked; unknown codes refused."""
    if not isinstance(raw, dict):
        raise ValidationError(_("“answers” must be an object keyed by question code."))
    by_code = questionnaire.by_code()
    errors: list[str] = []
    answers: dict[str, Any] = {}
    for key, value in raw.items():
        code = key.removesuffix(OTHER_SUFFIX)
        question = by_code.get(code)
        if question is None:
            errors.append(_("Unknown question code “%s”.") % key[:40])
            continue
        if key.endswith(OTHER_SUFFIX):
            if not isinstance(value, str) or len(value) > 200 or "\x00" in value:
                errors.append(_("“%s” must be a short text.") % key)
            continue
        try:
            answers[code] = json_answer(question, value)
        except ValidationError as error:
            errors.extend(error.messages)
    for key, value in raw.items():
        code = key.removesuffix(OTHER_SUFFIX)
        if key.endswith(OTHER_SUFFIX) and OTHER in (answers.get(code) or []):
            answers[key] = value
    answers = questionnaire.keep_visible(answers)
    missing = [
        q.code
        for s in questionnaire.visible_sections(answers)
        for q in s.visible_questions(answers)
        if q.required and q.code not in answers
    ]
    if missing:
        errors.append(_("Required questions not answered: %s.") % ", ".join(missing))
    if errors:
        raise ValidationError(errors)
    return answers


def _submission(request: HttpRequest, survey: SurveyPage, body: dict):
    key = request.headers.get("Idempotency-Key", "")
    if not (16 <= len(key) <= 64) or not set(key) <= KEY_CHARS:
        raise ValidationError(
            _("Send an Idempotency-Key header of 16-64 letters, digits, - or _.")
        )
    channel = body.get("channel", Channel.WEB)
    if channel not in Channel.values:
        raise ValidationError(_("Unknown channel."))
    language = body.get("language", "zh-hans")
    if language not in ("zh-hans", "en"):
        raise ValidationError(_("Unknown language."))
    duration, reported = _duration(survey, body)
    point = None
    if body.get("service_point"):
        code = str(body["service_point"])[:40]
        # PostgreSQL text cannot hold NUL; no code contains one anyway.
        point = (
            None
            if "\x00" in code
            else _cached(
                ("service_point", code),
                lambda: ServicePoint.objects.filter(code=code, active=True).first(),
            )
        )
        if point is None:
            raise ValidationError(_("Unknown service point."))
    questionnaire = revision_questionnaire(survey.live_revision_id)[0]
    return services.CompleteSubmission(
        answers=validate_answers(questionnaire, body.get("answers")),
        idempotency_key=key,
        channel=channel,
        language=language,
        duration_seconds=duration,
        duration_reported=reported,
        service_point=point,
    )


def _duration(survey: SurveyPage, body: dict) -> tuple[int, bool]:
    """Seconds spent answering and whether the client only reported them.

    With the ``started`` stamp that ``POST .../starts/`` handed out, the server
    measures the time itself and ignores any reported figure; without one, the
    client's ``duration_seconds`` is taken but the response is marked as such.
    """
    if body.get("started") is not None:
        seconds = services.seconds_since_started(
            survey_id=survey.pk, stamp=body["started"]
        )
        if seconds is None:
            raise ValidationError(
                _("“started” is not a valid start stamp for this survey; start again.")
            )
        return seconds, False
    duration = body.get("duration_seconds", 0)
    if (
        isinstance(duration, bool)
        or not isinstance(duration, int | float)
        # Range first: math.isfinite overflows on a huge int; NaN fails it too.
        or not 0 <= duration <= 86400
    ):
        raise ValidationError(_("duration_seconds must be between 0 and 86400."))
    return int(duration), True


@csrf_exempt
@require_POST
def start_response(request: HttpRequest, survey_id: int) -> JsonResponse:
    """A signed "started now" stamp to send back with the submission, so the
    server measures the time spent answering instead of trusting the client."""
    survey = _open_survey(survey_id)
    if survey is None:
        return _problem(404, _("This survey is not open."))
    return JsonResponse(
        {"started": services.started_stamp(survey_id=survey.pk)}, status=201
    )


def _open_survey(survey_id: int) -> SurveyPage | None:
    survey = _cached(
        ("survey", survey_id), lambda: SurveyPage.objects.filter(pk=survey_id).first()
    )
    if survey is None or not survey.live or survey.live_revision_id is None:
        return None
    return survey


def _too_many() -> JsonResponse:
    return _problem(429, _("Too many attempts"))


def _refused(survey: SurveyPage, fingerprint: str) -> JsonResponse | None:
    """Count a submission that was not valid; a 429 once past the limit."""
    if services.client_rate_limited(survey=survey, fingerprint=fingerprint):
        return _too_many()
    return None


@csrf_exempt
@require_POST
def submit_response(request: HttpRequest, survey_id: int) -> JsonResponse:
    survey = _open_survey(survey_id)
    if survey is None:
        return _problem(404, _("This survey is not open."))
    if survey.invitation_only:
        return _problem(403, _("This survey needs a valid invitation link"))
    fingerprint = services.client_fingerprint(
        survey_id=survey.pk, address=client_address(request)
    )
    # The body is read before the hourly limit is counted, so that a valid
    # submission's count and duplicate check share one cache round trip; a
    # refused body still counts, and a client past the limit still gets 429.
    try:
        body = _parse_body(request)
        submission = _submission(request, survey, body)
    except _TooLarge:
        return _refused(survey, fingerprint) or _problem(
            413, _("The request is too large.")
        )
    except ValidationError as error:
        return _refused(survey, fingerprint) or _problem(
            400, _("The response was not stored."), details=error.messages
        )
    checks = services.complete_submission_checks(
        survey=survey, fingerprint=fingerprint, answers=submission.answers
    )
    if checks.rate_limited:
        return _too_many()
    try:
        response, created = services.response_submit_complete(
            survey=survey, submission=submission, duplicate=checks.duplicate
        )
    except services.SurveyClosed:
        return _problem(404, _("This survey is not open."))
    if created and QualityFlag.SUSPECTED_BOT in response.flags:
        # As on the web form: this client's next web start carries a challenge.
        antibot.suspect_mark(antibot.request_client_key(request))
    return JsonResponse(
        {"id": response.pk, "status": response.status, "created": created},
        status=201 if created else 200,
    )
