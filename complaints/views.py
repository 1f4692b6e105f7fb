"""Public views: file a complaint, follow it, add information, answer the survey.

They work without JavaScript: plain forms, POST then redirect.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core import antibot
from core.captcha import ChallengeForm
from surveys.models import ServicePoint

from . import selectors, services
from .choices import ComplaintChannel
from .errors import ComplaintError
from .forms import AddInformationForm, ComplaintForm, FeedbackForm
from .models import Complaint, ComplaintSettings
from .services.feedback import FEEDBACK_STATUSES

# The hourly counter of failed lookups (core.antibot), apart from submissions.
LOOKUP_SCOPE = "complaints-lookup"


def _private(response: HttpResponse) -> HttpResponse:
    """Lookup pages carry a secret: never cache or index them."""
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def track_url(complaint: Complaint, secret: str) -> str:
    return reverse("complaints:track", args=[complaint.reference, secret])


@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest, point: str | None = None) -> HttpResponse:
    """The complaint form; from a QR code the place is fixed by ``point``."""
    fixed_point = None
    if point is not None:
        fixed_point = get_object_or_404(ServicePoint, code=point, active=True)
    form = ComplaintForm(
        request.POST or None, request.FILES or None, fixed_point=fixed_point
    )
    client = antibot.request_client_key(request)
    # A client that behaved like a script answers a challenge with its form; it is
    # only checked (and used up) once the complaint itself is valid.
    challenge_form = (
        ChallengeForm(request.POST or None) if antibot.is_suspect(client) else None
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and (challenge_form is None or challenge_form.passes())
    ):
        rules = ComplaintSettings.load()
        if antibot.limit_exceeded(
            scope="complaints",
            client=client,
            limit=rules.submissions_per_client_per_hour,
        ):
            antibot.suspect_mark(client)
            return render(request, "complaints/rate_limited.html", status=429)
        suspected_bot = form.looks_automated(min_seconds=rules.min_fill_seconds)
        if suspected_bot:
            antibot.suspect_mark(client)
        data = form.cleaned_data
        complaint, secret = services.complaint_submit(
            service_point=data["service_point"],
            category=data["category"],
            description=data["description"],
            occurred_at=data["occurred_at"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            contact_email=data["contact_email"],
            contact_consent=data["contact_consent"],
            photos=data["photos"],
            channel=ComplaintChannel.QR if fixed_point else ComplaintChannel.WEB,
            language=get_language() or "zh-hans",
            suspected_bot=suspected_bot,
        )
        return redirect(track_url(complaint, secret) + "?new=1")
    status = 400 if form.is_bound else 200
    return render(
        request,
        "complaints/complaint_form.html",
        {"form": form, "fixed_point": fixed_point, "challenge_form": challenge_form},
        status=status,
    )


def _lookups_blocked(client: str) -> bool:
    """Too many links to unknown complaints from ``client`` this hour: refuse
    every lookup, right ones too, or a guesser would learn when it guessed."""
    failures = antibot.attempts_this_hour(scope=LOOKUP_SCOPE, client=client)
    # Most clients never failed: they cost no settings query.
    return bool(failures) and (
        failures >= ComplaintSettings.load().failed_lookups_per_client_per_hour
    )


def _lookup(
    request: HttpRequest, reference: str, secret: str
) -> Complaint | HttpResponse:
    """The complaint behind the link, or the page refusing it: 404, counted as a
    failed lookup, or 429 once this client failed too often this hour."""
    client = antibot.request_client_key(request)
    if _lookups_blocked(client):
        refusal = render(request, "complaints/lookup_rate_limited.html", status=429)
        refusal["Retry-After"] = str(antibot.seconds_to_next_hour())
        return _private(refusal)
    complaint = selectors.complaint_for_lookup(reference, secret)
    if complaint is None:
        antibot.attempt_count(scope=LOOKUP_SCOPE, client=client)
        return _private(render(request, "complaints/lookup_not_found.html", status=404))
    return complaint


@never_cache
@require_http_methods(["GET", "POST"])
def complaint_track(request: HttpRequest, reference: str, secret: str) -> HttpResponse:
    """Status, public history, and the follow-up forms behind the secret link."""
    found = _lookup(request, reference, secret)
    if isinstance(found, HttpResponse):
        return found
    complaint = found
    information_form = AddInformationForm(
        request.POST if request.POST.get("form") == "information" else None
    )
    feedback_form = FeedbackForm(
        request.POST if request.POST.get("form") == "feedback" else None
    )
    error = None
    if request.method == "POST":
        try:
            if information_form.is_bound and information_form.is_valid():
                services.complaint_add_information(
                    complaint_id=complaint.pk,
                    text=information_form.cleaned_data["text"],
                )
                return redirect(track_url(complaint, secret) + "?added=1")
            if feedback_form.is_bound and feedback_form.is_valid():
                services.feedback_submit(
                    complaint_id=complaint.pk, **feedback_form.cleaned_data
                )
                return redirect(track_url(complaint, secret) + "?thanks=1")
            if not (information_form.is_bound or feedback_form.is_bound):
                error = _("The form was not recognised; please try again.")
        except ComplaintError as refused:
            error = refused.message
        complaint = selectors.complaint_for_lookup(reference, secret)
    has_feedback = hasattr(complaint, "feedback")
    context = {
        "complaint": complaint,
        "timeline": selectors.public_timeline(complaint),
        "track_url": request.build_absolute_uri(track_url(complaint, secret)),
        "information_form": information_form,
        "feedback_form": feedback_form,
        "can_add_information": complaint.is_open,
        "invite_feedback": complaint.status in FEEDBACK_STATUSES and not has_feedback,
        "has_feedback": has_feedback,
        "error": error,
        "is_new": request.GET.get("new") == "1",
        "added": request.GET.get("added") == "1",
        "thanks": request.GET.get("thanks") == "1",
    }
    status = 400 if request.method == "POST" else 200
    return _private(
        render(request, "complaints/complaint_track.html", context, status=status)
    )
