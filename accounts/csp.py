"""Content Security Policy: strict on the public site, its own policy in the admin."""

from __future__ import annotations

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse

# Attributes by which a view (csp_override, csp_update, ...) or a template
# (csp_nonce) asks for a policy of its own.
_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)


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
        if report_only or parts.config is not None:
            return parts
        if is_admin_path(request.path_info):
            parts.config = settings.ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"]
        elif getattr(request, "is_dummy", False):
            # Wagtail renders a preview through the public middleware on a dummy
            # request to the page's own URL, and the editor shows it in a
            # same-origin frame: the public policy, framed by our admin only.
            parts.replace = {**(parts.replace or {}), "frame-ancestors": ["'self'"]}
        return parts

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        """The common case, a response with the site's own policy and no
        nonce, gets the header string built once per policy; building it cost
        a tenth of a survey submission. Anything else goes through django-csp."""
        if (
            HEADER in response
            or getattr(request, "is_dummy", False)  # a preview: see above
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _PER_RESPONSE)
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or settings.CONTENT_SECURITY_POLICY.get("EXCLUDE_URL_PREFIXES")
            or (response.status_code in (404, 500) and settings.DEBUG)
        ):
            return super().process_response(request, response)
        admin = is_admin_path(request.path_info)
        policy = (
            settings.ADMIN_CONTENT_SECURITY_POLICY
            if admin
            else settings.CONTENT_SECURITY_POLICY
        )
        built = _built.get(admin)
        if built is None or built[0] is not policy:  # settings overridden: rebuild
            header = (
                build_policy(config=policy["DIRECTIVES"]) if admin else build_policy()
            )
            built = _built[admin] = (policy, header)
        response[HEADER] = built[1]
        # As django-csp does: a nonce asked for after this point is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


# Per kind of path (admin or not): the policy dict and the header built from it.
_built: dict[bool, tuple[dict, str]] = {}
