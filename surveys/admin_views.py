"""Wagtail admin screens per survey: fieldwork, flags, follow-up contacts, QR
posters, question bank, invitations. Each view checks a permission, validates
input and calls a service."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from surveys import bank, services
from surveys.contacts import (
    contact_deleted_on,
    contact_retention_days,
    survey_follow_up_contacts,
)
from surveys.links import short_link_path
from surveys.models import QuestionSet, ServicePoint, SurveyPage
from surveys.qr import qr_png, qr_svg
from surveys.selectors import flagged_responses, survey_fieldwork

VIEW = "surveys.view_response"
CHANGE = "surveys.change_response"
# Personal data: a permission of its own, so a role can see responses without it.
VIEW_CONTACTS = "surveys.view_followupcontact"


def _survey(page_id: int) -> SurveyPage:
    return get_object_or_404(SurveyPage, pk=page_id)


def _render(
    request: HttpRequest, name: str, survey: SurveyPage, title: str, icon: str, **extra
) -> TemplateResponse:
    return TemplateResponse(
        request,
        f"surveys/admin/{name}.html",
        {"survey": survey, "title": title, "icon": icon, **extra},
    )


@permission_required(VIEW, raise_exception=True)
def fieldwork(request: HttpRequest, page_id: int) -> TemplateResponse:
    survey = _survey(page_id)
    return _render(
        request,
        "fieldwork",
        survey,
        _("Fieldwork"),
        "table",
        fieldwork=survey_fieldwork(survey),
    )


@permission_required(VIEW, raise_exception=True)
def flags(request: HttpRequest, page_id: int) -> TemplateResponse:
    survey = _survey(page_id)
    return _render(
        request,
        "flags",
        survey,
        _("Flagged responses"),
        "warning",
        responses=flagged_responses(survey)[:500],
    )


@permission_required(VIEW_CONTACTS, raise_exception=True)
def contacts(request: HttpRequest, page_id: int) -> TemplateResponse:
    survey = _survey(page_id)
    rows = [
        (contact, contact_deleted_on(contact))
        for contact in survey_follow_up_contacts(survey)[:1000]
    ]
    return _render(
        request,
        "contacts",
        survey,
        _("Follow-up contacts"),
        "user",
        rows=rows,
        contact_days=contact_retention_days(),
    )


@require_POST
@permission_required(CHANGE, raise_exception=True)
def review(request: HttpRequest, page_id: int, response_id: int) -> HttpResponse:
    survey = _survey(page_id)
    if not survey.responses.filter(pk=response_id).exists():
        raise Http404
    exclude = request.POST.get("action") == "exclude"
    services.response_review(
        response_id=response_id,
        exclude=exclude,
        reviewer=request.user,
        note=request.POST.get("note", ""),
    )
    messages.success(
        request,
        (
            _("Response %(id)d excluded from the analysis.")
            if exclude
            else _("Response %(id)d restored to the analysis.")
        )
        % {"id": response_id},
    )
    return HttpResponseRedirect(reverse("surveys_admin_flags", args=[survey.pk]))


@permission_required(VIEW, raise_exception=True)
def posters(request: HttpRequest, page_id: int) -> TemplateResponse:
    survey = _survey(page_id)
    points = ServicePoint.objects.filter(sector=survey.sector, active=True)
    return _render(request, "posters", survey, _("QR posters"), "image", points=points)


def _poster_url(request: HttpRequest, survey: SurveyPage, point: ServicePoint) -> str:
    return request.build_absolute_uri(short_link_path(survey.pk, point.code))


@permission_required(VIEW, raise_exception=True)
def poster(request: HttpRequest, page_id: int, point: str, fmt: str) -> HttpResponse:
    survey = _survey(page_id)
    service_point = get_object_or_404(ServicePoint, code=point)
    url = _poster_url(request, survey, service_point)
    if fmt == "png":
        response = HttpResponse(qr_png(url), content_type="image/png")
    elif fmt == "svg":
        response = HttpResponse(qr_svg(url), content_type="image/svg+xml")
    else:
        return TemplateResponse(
            request,
            "surveys/admin/poster_print.html",
            {"survey": survey, "point": service_point, "url": url},
        )
    response["Content-Disposition"] = (
        f'attachment; filename="qr-{survey.slug}-{service_point.code}.{fmt}"'
    )
    return response


class InsertSetForm(forms.Form):
    question_set = forms.ModelChoiceField(
        queryset=QuestionSet.objects.select_related("sector"),
        label=gettext_lazy("Question set"),
    )


def _can_edit(request: HttpRequest, survey: SurveyPage) -> None:
    if not survey.permissions_for_user(request.user).can_edit():
        raise PermissionDenied


def insert_question_set(request: HttpRequest, page_id: int) -> HttpResponse:
    survey = _survey(page_id)
    _can_edit(request, survey)
    form = InsertSetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        added = bank.question_set_insert(
            survey=survey,
            question_set=form.cleaned_data["question_set"],
            user=request.user,
        )
        messages.success(
            request,
            _("%(n)d questions added to the draft; adapt them, then submit for review.")
            % {"n": added},
        )
        return HttpResponseRedirect(
            reverse("wagtailadmin_pages:edit", args=[survey.pk])
        )
    return _render(
        request, "insert_set", survey, _("Insert question set"), "list-ol", form=form
    )


class InvitationForm(forms.Form):
    count = forms.IntegerField(
        min_value=1, max_value=5000, label=gettext_lazy("How many")
    )
    batch = forms.CharField(
        max_length=80, required=False, label=gettext_lazy("Batch name")
    )
    days = forms.IntegerField(
        min_value=1,
        max_value=365,
        required=False,
        label=gettext_lazy("Valid for (days)"),
    )


@permission_required("surveys.add_invitation", raise_exception=True)
def invitations(request: HttpRequest, page_id: int) -> HttpResponse:
    survey = _survey(page_id)
    form = InvitationForm(request.POST or None)
    links: list[str] = []
    if request.method == "POST" and form.is_valid():
        tokens = services.invitation_issue(
            survey=survey,
            count=form.cleaned_data["count"],
            batch=form.cleaned_data["batch"],
            days=form.cleaned_data["days"],
        )
        base = request.build_absolute_uri(survey.url)
        links = [
            base + survey.reverse_subpage("invitation_view", args=[token])
            for token in tokens
        ]
        if request.POST.get("format") == "csv":
            response = HttpResponse(
                "link\n" + "\n".join(links) + "\n", content_type="text/csv"
            )
            response["Content-Disposition"] = 'attachment; filename="invitations.csv"'
            return response
    return _render(
        request,
        "invitations",
        survey,
        _("Invitations"),
        "mail",
        form=form,
        links=links,
        issued=survey.invitations.count(),
        used=survey.invitations.filter(response__isnull=False).count(),
    )
