"""Content Security Policy: strict on the public site, its own policy in the admin."""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse


def is_admin_path(path: str) -> bool:
    return path.startswith(reverse("wagtailadmin_home"))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, giving admin URLs ``ADMIN_CONTENT_SECURITY_POLICY``.

    The Wagtail admin's templates carry inline scripts and style attributes, so
    its policy allows inline code but, like the public one, no other host.
    A view's own ``@csp_override`` still wins.
    """

    def get_policy_parts(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        report_only: bool = False,
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if (
            not report_only
            and parts.config is None
            and is_admin_path(request.path_info)
        ):
            parts.config = settings.ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"]
        return parts
