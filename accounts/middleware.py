"""The second factor, enforced for every request of a signed-in admin user."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from accounts.csp import is_admin_path
from accounts.two_factor import has_confirmed_device, requires_two_factor

# Reachable before the second factor: the two-factor pages themselves, signing
# out, and what those pages load from the admin: its translation catalogue and
# its icon sprite (fetched by script; a redirect there answers HTML, and every
# icon on the two-factor pages goes blank).
UNVERIFIED_URL_NAMES = (
    "accounts:two_factor_setup",
    "accounts:two_factor_verify",
    "wagtailadmin_logout",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
)


class TwoFactorMiddleware:
    """Admin users whose session has not passed the second factor get no privilege.

    In the admin they are sent to enrol an authenticator app (first sign-in) or
    to type its code; anywhere else (dashboards, reports, exports, the API)
    they are treated as anonymous, so a view that forgets to check cannot leak.
    Must follow django-otp's OTPMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return self.get_response(request)  # no session: nobody is signed in
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        if not requires_two_factor(user):
            return self.get_response(request)
        path = request.path_info
        if path in {reverse(name) for name in UNVERIFIED_URL_NAMES}:
            return self.get_response(request)
        if is_admin_path(path):
            step = (
                "accounts:two_factor_verify"
                if has_confirmed_device(user)
                else "accounts:two_factor_setup"
            )
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse(step)}?{query}")
        request.user = AnonymousUser()
        request.auser = _anonymous
        return self.get_response(request)


async def _anonymous() -> AnonymousUser:
    return AnonymousUser()
