"""The public answering flow. Each view validates input and calls one service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.addresses import client_address
from core import antibot
from core.captcha import ChallengeForm
from surveys import services
from surveys.contacts import contact_retention_days, response_submit_with_contact
from surveys.forms import ContactConsentForm, SectionForm
from surveys.models import (
    Channel,
    QualityFlag,
    QuestionKind,
    ResponseStatus,
    ServicePoint,
)
from surveys.qr import qr_svg
from surveys.questionnaire import OTHER_SUFFIX, Question

if TYPE_CHECKING:
    from surveys.models import Response, SurveyPage

COOKIE_PREFIX = "survey_resume_"


def _url(page: SurveyPage, name: str, **kwargs) -> str:
    return page.url + page.reverse_subpage(name, kwargs=kwargs)


def _message(
    request: HttpRequest, page: SurveyPage, title: str, text: str, status: int
) -> TemplateResponse:
    return TemplateResponse(
        request,
        "surveys/survey_message.html",
        {"page": page, "message_title": title, "message_text": text},
        status=status,
    )


def _client_address(request: HttpRequest) -> str:
    # Behind the reverse proxy every request comes from 127.0.0.1: the shared
    # helper takes the client from X-Forwarded-For as far as proxies are trusted.
    return client_address(request)


def _challenge_for(request: HttpRequest) -> ChallengeForm | None:
    """The challenge a client that behaved like a script answers, else None."""
    if not antibot.is_suspect(antibot.request_client_key(request)):
        return None
    return ChallengeForm(request.POST if request.method == "POST" else None)


def _attribution(request: HttpRequest) -> tuple[ServicePoint | None, str]:
    """Service point and channel from ``?sp=`` / ``?ch=`` (or the start form)."""
    source = request.POST if request.method == "POST" else request.GET
    code = (source.get("sp") or "")[:40]
    channel = source.get("ch") or Channel.WEB
    if channel not in Channel.values:
        channel = Channel.WEB
    service_point = None
    if code:
        service_point = ServicePoint.objects.filter(code=code, active=True).first()
    return service_point, channel


def survey_closed(request: HttpRequest, page: SurveyPage) -> TemplateResponse:
    # Never published: scheduled or still in review, so "not open yet".
    not_yet = page.first_published_at is None
    return TemplateResponse(
        request,
        "surveys/survey_closed.html",
        {
            "page": page,
            "not_yet_open": not_yet,
            "show_title": bool(page.first_published_at or page.scheduled_revision),
        },
        status=200,
    )


def survey_preview(request: HttpRequest, page: SurveyPage) -> TemplateResponse:
    return TemplateResponse(
        request,
        "surveys/survey_preview.html",
        {"page": page, "contact_days": contact_retention_days()},
    )


@require_http_methods(["GET", "HEAD"])
def survey_intro(request: HttpRequest, page: SurveyPage) -> TemplateResponse:
    return _intro(request, page, challenge_form=_challenge_for(request))


def _intro(
    request: HttpRequest,
    page: SurveyPage,
    *,
    challenge_form: ChallengeForm | None,
    status: int = 200,
) -> TemplateResponse:
    service_point, channel = _attribution(request)
    resume_token = request.COOKIES.get(COOKIE_PREFIX + str(page.pk), "")
    resume_url = _url(page, "resume_view", token=resume_token) if resume_token else ""
    return TemplateResponse(
        request,
        "surveys/survey_page.html",
        {
            "page": page,
            "service_point": service_point,
            "channel": channel,
            "resume_url": resume_url,
            "start_url": _url(page, "start_view"),
            "challenge_form": challenge_form,
            "contact_days": contact_retention_days(),
        },
        status=status,
    )


def _begin(
    request: HttpRequest, page: SurveyPage, invitation_token: str | None = None
) -> HttpResponse:
    fingerprint = services.client_fingerprint(
        survey_id=page.pk, address=_client_address(request)
    )
    if invitation_token is None and services.client_rate_limited(
        survey=page, fingerprint=fingerprint
    ):
        antibot.suspect_mark(antibot.request_client_key(request))
        return _message(
            request,
            page,
            _("Too many attempts"),
            _(
                "Many surveys were started from your connection in the last hour. "
                "Please try again later."
            ),
            429,
        )
    challenge_form = None if invitation_token is not None else _challenge_for(request)
    if challenge_form is not None and not challenge_form.passes():
        return _intro(request, page, challenge_form=challenge_form, status=400)
    service_point, channel = _attribution(request)
    try:
        response, token = services.response_start(
            survey=page,
            channel=channel,
            language=get_language() or "zh-hans",
            service_point=service_point,
            invitation_token=invitation_token,
        )
    except services.SurveyClosed:
        return survey_closed(request, page)
    except services.InvitationUsed:
        return _message(
            request,
            page,
            _("This invitation has been used"),
            _(
                "A response has already been submitted with this invitation link. "
                "Each link can be used once. Thank you for taking part."
            ),
            409,
        )
    except services.InvitationInvalid:
        return _message(
            request,
            page,
            _("This survey needs a valid invitation link"),
            _(
                "The link is not valid or has expired. Please use the link from "
                "your invitation, or contact the survey team."
            ),
            403,
        )
    redirect = HttpResponseRedirect(_next_url(page, response, token, after=0))
    _remember(redirect, page, token)
    return redirect


def _remember(http_response: HttpResponse, page: SurveyPage, token: str) -> None:
    http_response.set_cookie(
        COOKIE_PREFIX + str(page.pk),
        token,
        max_age=page.resume_days * 86400,
        httponly=True,
        samesite="Lax",
        secure=False,
    )


@require_http_methods(["GET", "POST"])
def survey_start(request: HttpRequest, page: SurveyPage) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseRedirect(page.url)
    if page.invitation_only:
        return _begin(request, page, invitation_token="")
    return _begin(request, page)


@require_http_methods(["GET", "POST"])
def survey_invitation(request: HttpRequest, page: SurveyPage, invitation: str):
    if request.method == "POST":
        return _begin(request, page, invitation_token=invitation[:100])
    return TemplateResponse(
        request,
        "surveys/survey_page.html",
        {
            "page": page,
            "start_url": _url(page, "invitation_view", invitation=invitation[:100]),
            "channel": Channel.WEB,
            "contact_days": contact_retention_days(),
        },
    )


def _load(request: HttpRequest, page: SurveyPage, token: str):
    """The response for ``token``, or the clear page that explains why not."""
    try:
        return services.response_for_token(survey=page, token=token), None
    except services.ResumeExpired:
        return None, _message(
            request,
            page,
            _("This link has expired"),
            _(
                "Answers that are not submitted are kept for %(days)d days. "
                "Please start the survey again."
            )
            % {"days": page.resume_days},
            410,
        )
    except services.ResponseNotFound:
        return None, _message(
            request,
            page,
            _("This link is not valid"),
            _("Check that you copied the whole link, or start the survey again."),
            404,
        )


def _next_url(page: SurveyPage, response: Response, token: str, *, after: int) -> str:
    """The first visible section after ``after``, else the review step."""
    questionnaire = services.questionnaire_for(response)
    for section in questionnaire.visible_sections(response.answers):
        if section.number > after:
            return _url(page, "section_view", token=token, number=section.number)
    return _url(page, "review_view", token=token)


def _progress(questionnaire, answers, number: int) -> tuple[int, int]:
    visible = [s.number for s in questionnaire.visible_sections(answers)]
    position = visible.index(number) + 1 if number in visible else 1
    return position, len(visible) + 1  # the review is the last step


@require_http_methods(["GET", "POST"])
def survey_section(
    request: HttpRequest, page: SurveyPage, token: str, number: int
) -> HttpResponse:
    response, refusal = _load(request, page, token)
    if refusal:
        return refusal
    if response.status != ResponseStatus.IN_PROGRESS:
        return HttpResponseRedirect(_url(page, "thanks_view"))
    questionnaire = services.questionnaire_for(response)
    section = questionnaire.section(number)
    visible = [s.number for s in questionnaire.visible_sections(response.answers)]
    reachable = [n for n in visible if n <= response.sections_done] + [
        n for n in visible if n > response.sections_done
    ][:1]
    if section is None or number not in reachable:
        return HttpResponseRedirect(
            _next_url(page, response, token, after=response.sections_done)
        )
    form = SectionForm(
        request.POST if request.method == "POST" else None,
        questions=section.visible_questions(response.answers),
        answers=response.answers,
    )
    if request.method == "POST" and form.is_valid():
        if form.honeypot_filled:
            antibot.suspect_mark(antibot.request_client_key(request))
        response = services.section_save(
            response_id=response.pk,
            number=number,
            answers=form.answers(),
            seconds=form.seconds_on_screen(),
            honeypot_filled=form.honeypot_filled,
        )
        return HttpResponseRedirect(_next_url(page, response, token, after=number))
    position, steps = _progress(questionnaire, response.answers, number)
    earlier = [n for n in visible if n < number]
    back_url = (
        _url(page, "section_view", token=token, number=earlier[-1])
        if earlier
        else page.url
    )
    return TemplateResponse(
        request,
        "surveys/survey_section.html",
        {
            "page": page,
            "section": section,
            "form": form,
            "position": position,
            "steps": steps,
            "back_url": back_url,
            "resume_url": request.build_absolute_uri(
                _url(page, "resume_view", token=token)
            ),
            "resume_qr_url": _url(page, "resume_qr_view", token=token),
        },
    )


def answer_text(question: Question, answers: dict) -> str:
    """A stored answer as the respondent would read it on the review step."""
    if question.code not in answers:
        return _("Not answered")
    value = answers[question.code]
    if value is None:
        return _("Not applicable")
    if isinstance(value, list):
        texts = [
            answers.get(question.code + OTHER_SUFFIX) or _("Other")
            if item == "other"
            else question.option_text(str(item))
            for item in value
        ]
        return "、".join(texts) if get_language() == "zh-hans" else ", ".join(texts)
    if question.options:
        return question.option_text(str(value))
    if question.kind in (QuestionKind.LIKERT, QuestionKind.NPS):
        return scale_text(question, value)
    return str(value)


def scale_text(question: Question, value: int) -> str:
    """A rating as a number read against its scale, with the endpoint's label
    when it is one: a bare "4" on the review step does not say which end is good."""
    points = question.points() if question.kind == QuestionKind.LIKERT else range(11)
    text = _("%(value)s out of %(top)s") % {"value": value, "top": points[-1]}
    ends = {
        points[0]: question.text("low_label"),
        points[-1]: question.text("high_label"),
    }
    if not ends.get(value):
        return text
    return _("%(score)s (%(label)s)") % {"score": text, "label": ends[value]}


@require_http_methods(["GET", "POST"])
def survey_review(request: HttpRequest, page: SurveyPage, token: str) -> HttpResponse:
    response, refusal = _load(request, page, token)
    if refusal:
        return refusal
    if response.status != ResponseStatus.IN_PROGRESS:
        return HttpResponseRedirect(_url(page, "thanks_view"))
    questionnaire = services.questionnaire_for(response)
    missing = services.first_unanswered_section(
        questionnaire, questionnaire.keep_visible(response.answers)
    )
    if missing is not None:
        return HttpResponseRedirect(
            _url(page, "section_view", token=token, number=missing)
        )
    contact_form = ContactConsentForm(
        request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and contact_form.is_valid():
        fingerprint = services.client_fingerprint(
            survey_id=page.pk, address=_client_address(request)
        )
        try:
            submitted = response_submit_with_contact(
                response_id=response.pk,
                fingerprint=fingerprint,
                contact=contact_form.contact_details(),
            )
        except services.ResponseIncomplete as incomplete:
            return HttpResponseRedirect(
                _url(page, "section_view", token=token, number=incomplete.section)
            )
        if QualityFlag.SUSPECTED_BOT in submitted.flags:
            # Too fast or the honeypot: its next start carries a challenge.
            antibot.suspect_mark(antibot.request_client_key(request))
        redirect = HttpResponseRedirect(_url(page, "thanks_view"))
        redirect.delete_cookie(COOKIE_PREFIX + str(page.pk))
        return redirect
    answers = response.answers
    sections = [
        {
            "section": section,
            "change_url": _url(
                page, "section_view", token=token, number=section.number
            ),
            "rows": [
                (question, answer_text(question, answers))
                for question in section.visible_questions(answers)
            ],
        }
        for section in questionnaire.visible_sections(answers)
    ]
    position = len(sections) + 1
    return TemplateResponse(
        request,
        "surveys/survey_review.html",
        {
            "page": page,
            "sections": sections,
            "position": position,
            "steps": position,
            "back_url": sections[-1]["change_url"] if sections else page.url,
            "form": contact_form,
            "contact_days": contact_retention_days(),
        },
    )


@require_http_methods(["GET", "HEAD"])
def survey_resume(request: HttpRequest, page: SurveyPage, token: str) -> HttpResponse:
    response, refusal = _load(request, page, token)
    if refusal:
        return refusal
    if response.status != ResponseStatus.IN_PROGRESS:
        return HttpResponseRedirect(_url(page, "thanks_view"))
    redirect = HttpResponseRedirect(
        _next_url(page, response, token, after=response.sections_done)
    )
    _remember(redirect, page, token)
    return redirect


@require_http_methods(["GET", "HEAD"])
def survey_resume_qr(request: HttpRequest, page: SurveyPage, token: str):
    response, refusal = _load(request, page, token)
    if refusal:
        return refusal
    url = request.build_absolute_uri(_url(page, "resume_view", token=token))
    http_response = HttpResponse(qr_svg(url), content_type="image/svg+xml")
    http_response["Cache-Control"] = "private, no-store"
    return http_response


@require_http_methods(["GET", "HEAD"])
def survey_thanks(request: HttpRequest, page: SurveyPage) -> TemplateResponse:
    return TemplateResponse(request, "surveys/survey_thanks.html", {"page": page})
