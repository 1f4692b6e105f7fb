"""The two-factor pages: enrol an authenticator app, then type its codes."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.forms import TokenForm
from accounts.two_factor import (
    has_confirmed_device,
    provisioning_qr_svg,
    requires_two_factor,
    seconds_until_next_try,
    secret_for_typing,
    totp_enrolment_confirm,
    totp_enrolment_start,
    totp_verify,
)


def _next_url(request: HttpRequest) -> str:
    """Where to go once verified: the ``next`` asked for if it is on this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("wagtailadmin_home")


def _step_url(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _already_done(request: HttpRequest) -> HttpResponse | None:
    """The response for a user who has nothing to do on a two-factor page."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("wagtailadmin_login"))
    if user.is_verified() or not requires_two_factor(user):
        return HttpResponseRedirect(_next_url(request))
    return None


@never_cache
@sensitive_post_parameters("otp_token")
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    if (done := _already_done(request)) is not None:
        return done
    next_url = _next_url(request)
    if has_confirmed_device(request.user):
        return HttpResponseRedirect(_step_url("accounts:two_factor_verify", next_url))
    device = totp_enrolment_start(user=request.user)
    form = TokenForm(request.POST or None)
    if form.is_valid():
        token = form.cleaned_data["otp_token"]
        if totp_enrolment_confirm(request=request, device=device, token=token):
            messages.success(request, _("Two-factor authentication is on."))
            return HttpResponseRedirect(next_url)
        form.add_error("otp_token", _wrong_code_message(request))
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": provisioning_qr_svg(device),
        "secret": secret_for_typing(device),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@never_cache
@sensitive_post_parameters("otp_token")
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    if (done := _already_done(request)) is not None:
        return done
    next_url = _next_url(request)
    if not has_confirmed_device(request.user):
        return HttpResponseRedirect(_step_url("accounts:two_factor_setup", next_url))
    form = TokenForm(request.POST or None)
    if form.is_valid():
        if totp_verify(request=request, token=form.cleaned_data["otp_token"]):
            return HttpResponseRedirect(next_url)
        form.add_error("otp_token", _wrong_code_message(request))
    context = {"form": form, "next": next_url}
    return render(request, "accounts/two_factor_verify.html", context)


def _wrong_code_message(request: HttpRequest) -> str:
    wait = seconds_until_next_try(request.user)
    if wait:
        return _(
            "That code was not accepted. After several wrong codes you must wait: "
            "try again in %(seconds)d seconds."
        ) % {"seconds": wait}
    return _("That code was not accepted. Check the time on your phone and retry.")
