"""Every URL of the site against every role, from the URL configuration itself.

The URL patterns are walked from ``get_resolver()``, so a URL added anywhere is
requested here by every role. Each pattern must be covered by a rule in
``RULES`` (first match wins) saying which roles may reach it; a pattern no rule
covers fails ``test_every_url_pattern_is_covered_by_a_rule`` with the line to add.

What "reach" and "refused" mean, for a GET by a signed-in, second-factor
verified user (or an anonymous visitor):

- refused: 403, a redirect to the sign-in or two-factor pages or to the admin
  home (Wagtail's "permission denied"), or 404/405 — never a 2xx.
- reach: anything but a refusal (404/405 allowed: the sample object may not
  exist, or the view may take POST only).
- any: both are fine (sign-in, sign-out, language switch).
- Nobody, ever, gets a 5xx.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern

from accounts.roles import ASSESSORS, COMPLAINT_HANDLERS, OFFICIALS
from tests.accounts.helpers import login_verified, member_of

pytestmark = pytest.mark.django_db

ANONYMOUS, RESPONDENT = "anonymous", "respondent"
ASSESSOR, OFFICIAL, HANDLER, ADMIN = "assessor", "official", "handler", "admin"
ROLES = (ANONYMOUS, RESPONDENT, ASSESSOR, OFFICIAL, HANDLER, ADMIN)
STAFF = (ASSESSOR, OFFICIAL, HANDLER, ADMIN)
EVERYONE = ROLES

REACH, REFUSED, ANY = "reach", "refused", "any"


@dataclass(frozen=True)
class Rule:
    """URLs whose path template starts with ``prefix`` (and whose name matches
    ``name``, a regular expression, when given): ``reach`` may reach them, the
    other roles are refused; ``any_outcome`` roles may see either."""

    prefix: str
    reach: tuple[str, ...]
    name: str | None = None
    any_outcome: tuple[str, ...] = ()
    why: str = ""
    deliberate_error: bool = False  # a 500 on purpose: only refusals are checked

    def covers(self, template: str, url_name: str) -> bool:
        if not template.startswith(self.prefix):
            return False
        return self.name is None or re.fullmatch(self.name, url_name) is not None

    def expectation(self, role: str) -> str:
        if role in self.any_outcome:
            return ANY
        return REACH if role in self.reach else REFUSED


ADMIN_ONLY = (ADMIN,)
SURVEY_BUILDERS = (ASSESSOR, ADMIN)
NON_BUILDERS = (OFFICIAL, HANDLER)
# Wagtail's choosers answer every admin user, listing what their permissions
# allow (snippet choosers list all instances: reference data, nothing personal).
CHOOSERS = r".*choosers?(_.*)?:.*|wagtailadmin_workflows:task_cho.*"
# Page actions that need publish or more (lead assessors, superusers), or whose
# sample page (the tree root, a page with no form, no workflow) refuses them.
PAGE_ACTIONS_PAST_EDITING = (
    r"wagtailadmin_pages:(delete|unpublish|move|set_privacy|revisions_unschedule"
    r"|workflow_preview)"
)
# Wagtail answers these for the sample objects even without page permissions:
# a confirmation form for moving the root onto itself, an empty cancellation
# form, and a redirect from revisions to history. Nothing is shown or changed.
PAGE_FORMS_WITHOUT_DATA = (
    r"wagtailadmin_pages:(move_confirm|confirm_workflow_cancellation|revisions_index)"
)

# First match wins: specific rules before the prefix rules that contain them.
RULES: tuple[Rule, ...] = (
    Rule("healthz", EVERYONE, why="load balancers and monitoring"),
    Rule("i18n/", EVERYONE, why="the language switcher"),
    Rule("documents/", EVERYONE, why="documents: Wagtail checks collection privacy"),
    # Signing in and out and the second factor: reachable in every state.
    Rule("admin/login/", (), any_outcome=EVERYONE),
    Rule("admin/logout/", (), any_outcome=EVERYONE),
    Rule("admin/password_reset/", (), any_outcome=EVERYONE),
    Rule("admin/two-factor/", (), any_outcome=STAFF),
    Rule("_util/login/", EVERYONE, why="Wagtail's sign-in for private pages"),
    Rule("admin/sprite/", EVERYONE, why="the admin's icons, static"),
    Rule("admin/jsi18n/", EVERYONE, why="the admin's translations, static"),
    Rule(
        "admin/failwhale/",
        STAFF,
        deliberate_error=True,
        why="Wagtail's deliberate error, to test error reporting",
    ),
    Rule("admin/", STAFF, name=CHOOSERS, any_outcome=STAFF),
    # Administration of the platform itself: superusers only.
    Rule(
        "admin/users/",
        ADMIN_ONLY,
        name=r"wagtailusers_users:delete",
        any_outcome=(ADMIN,),
    ),
    Rule("admin/users/", ADMIN_ONLY),
    Rule("admin/groups/", ADMIN_ONLY),
    Rule("admin/sites/", ADMIN_ONLY),
    Rule("admin/settings/", ADMIN_ONLY),
    Rule("admin/redirects/", ADMIN_ONLY),
    Rule("admin/workflows/", ADMIN_ONLY),
    Rule("admin/collections/", ADMIN_ONLY),
    Rule(
        "admin/reports/",
        ADMIN_ONLY,
        name=r"wagtailadmin_reports:(locked_pages|workflow|workflow_tasks|aging_pages"
        r"|page_types_usage)(_results)?",
        any_outcome=(ASSESSOR,),
    ),
    Rule("admin/snippets/", STAFF, name=r"wagtailsnippets:index", any_outcome=STAFF),
    # Questionnaires, reference data, media, imports: the assessors' work.
    Rule("admin/snippets/surveys/", SURVEY_BUILDERS),
    Rule("admin/snippets/analysis/", SURVEY_BUILDERS, any_outcome=(OFFICIAL,)),
    Rule("admin/surveys/", SURVEY_BUILDERS),
    Rule("admin/exchange/", SURVEY_BUILDERS),
    Rule("admin/pages/", ADMIN_ONLY, name=PAGE_ACTIONS_PAST_EDITING, any_outcome=STAFF),
    Rule(
        "admin/pages/",
        SURVEY_BUILDERS,
        name=PAGE_FORMS_WITHOUT_DATA,
        any_outcome=NON_BUILDERS,
    ),
    Rule("admin/pages/", SURVEY_BUILDERS),
    Rule("admin/choose-page/", STAFF, any_outcome=NON_BUILDERS),
    # The sample page is not a form page: Wagtail refuses, even superusers.
    Rule("admin/forms/", SURVEY_BUILDERS, any_outcome=SURVEY_BUILDERS),
    # Wagtail grants these per collection: accounts/roles.py gives assessors
    # the root collection.
    Rule("admin/images/", SURVEY_BUILDERS),
    Rule("admin/documents/", SURVEY_BUILDERS),
    # Dashboards, report downloads and index runs: officials and assessors.
    Rule("admin/dashboard/reports/", (ASSESSOR, OFFICIAL, ADMIN)),
    Rule("admin/dashboard/", (OFFICIAL, ADMIN)),
    Rule("admin/assessment/", (ASSESSOR, OFFICIAL, ADMIN)),
    # Complaints and their settings: the handlers' work.
    Rule(
        "admin/complaints/",
        (),
        name=r"wagtailadmin_complaints:(add|delete|usage)",
        any_outcome=(HANDLER, ADMIN),
        why="complaints arrive through intake and are never deleted",
    ),
    Rule("admin/complaints/", (HANDLER, ADMIN), any_outcome=(OFFICIAL,)),
    Rule("admin/agency/", (HANDLER, ADMIN)),
    Rule("admin/categorydeadline/", (HANDLER, ADMIN)),
    Rule("admin/calendarday/", (HANDLER, ADMIN)),
    # The rest of the admin shell (home, account, search, the admin API,
    # editing sessions, Wagtail's site history report): every admin role.
    Rule("admin/", STAFF),
    # The public site: survey pages, QR short links, answering.
    Rule("", EVERYONE, name=r"wagtail_serve|wagtailcore_authenticate_with_password"),
    Rule("q/", EVERYONE, name=r"surveys_short_link"),
    Rule("api/surveys/", EVERYONE, name=r"surveys_api_submit|surveys_api_start"),
    Rule("complaints/", EVERYONE, why="tourists file and track complaints"),
    Rule("results/", EVERYONE, why="published results: public supervision"),
    Rule("api/v1/", EVERYONE, why="read-only API of published results"),
)

# Sample values for path converters and regular-expression routes.
CONVERTER_SAMPLES = {
    "int": "{pk}",
    "slug": "sample",
    "str": "sample",
    "path": "sample/path",
    "uuid": "00000000-0000-4000-8000-000000000000",
}
KWARG_SAMPLES = {
    "page_id": "{page}",
    "parent_page_id": "{page}",
    "page_pk": "{page}",
    "pk": "{pk}",
    "app_label": "surveys",
    "app_name": "surveys",
    "model_name": "sector",
    "filter_spec": "original",
    "fmt": "png",
}
REGEX_SAMPLES = {
    r"^((?:[\w\-]+/)*)$": "",
    r"^.*/$": "no-such-admin-page/",
    r"^(\d+)/(.*)$": "{pk}/sample.pdf",
}
# Named groups of other regular expressions (revision comparisons).
GROUP_SAMPLES = {"pk": "{page}", "revision_id_a": "earliest", "revision_id_b": "latest"}
_NAMED_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^()]*\)")
_CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Endpoint:
    template: str  # the route as written, e.g. admin/pages/<int:page_id>/edit/
    name: str
    path: str | None  # a requestable path, or None when no sample fits


def _segment(pattern) -> str | None:
    if isinstance(pattern, LocalePrefixPattern):
        return ""  # the default language has no prefix
    if isinstance(pattern, RoutePattern):

        def sample(match: re.Match) -> str:
            return KWARG_SAMPLES.get(
                match["name"], CONVERTER_SAMPLES[match["converter"] or "str"]
            )

        return _CONVERTER.sub(sample, str(pattern))
    if isinstance(pattern, RegexPattern):
        regex = str(pattern)
        if regex in REGEX_SAMPLES:
            return REGEX_SAMPLES[regex]
        plain = regex.removeprefix("^").removesuffix("$")
        plain = _NAMED_GROUP.sub(
            lambda m: GROUP_SAMPLES.get(m["name"], m.group(0)), plain
        )
        if re.search(r"[()\[\]*+?|]", plain):
            return None
        return plain.replace("\\", "")
    return None


def endpoints(resolver=None, segments=(), names=()) -> Iterator[Endpoint]:
    """Every URL pattern of the site, with a sample path to request."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        here = (*segments, entry.pattern)
        if isinstance(entry, URLResolver):
            namespace = (*names, entry.namespace) if entry.namespace else names
            yield from endpoints(entry, here, namespace)
            continue
        template = "".join(
            "" if isinstance(p, LocalePrefixPattern) else str(p) for p in here
        )
        parts = [_segment(p) for p in here]
        path = None if None in parts else "/" + "".join(parts)
        yield Endpoint(template, ":".join((*names, entry.name or "")), path)


def sampled_endpoints() -> list[Endpoint]:
    """The endpoints to request: each snippet viewset's views once per app, not
    once per model (they are the same views), to keep the run short."""
    seen, sample = set(), []
    for endpoint in endpoints():
        shape = re.sub(
            r"^admin/snippets/(choose/)?(\w+)/\w+/",
            r"admin/snippets/\1\2/*/",
            endpoint.template,
        )
        if shape not in seen:
            seen.add(shape)
            sample.append(endpoint)
    return sample


def rule_for(endpoint: Endpoint) -> Rule | None:
    return next((r for r in RULES if r.covers(endpoint.template, endpoint.name)), None)


def test_every_url_pattern_is_covered_by_a_rule():
    uncovered = [e for e in endpoints() if rule_for(e) is None]
    assert uncovered == [], (
        "These URL patterns have no rule in tests/security/test_permission_matrix.py "
        "RULES: add one saying which roles may reach them (e.g. "
        'Rule("reports/", (OFFICIAL, ADMIN)) ), before the broader rules:\n'
        + "\n".join(f"  {e.template!r} (name {e.name!r})" for e in uncovered)
    )


def test_every_url_pattern_has_a_sample_path():
    missing = [e for e in endpoints() if e.path is None]
    assert missing == [], (
        "No sample path can be built for these patterns: add their regular "
        "expression to REGEX_SAMPLES (or a kwarg to KWARG_SAMPLES):\n"
        + "\n".join(f"  {e.template!r} (name {e.name!r})" for e in missing)
    )


def _client_for(role: str) -> Client:
    client = Client()
    users = {
        ASSESSOR: lambda: member_of(ASSESSORS, "matrix-assessor"),
        OFFICIAL: lambda: member_of(OFFICIALS, "matrix-official"),
        HANDLER: lambda: member_of(COMPLAINT_HANDLERS, "matrix-handler"),
        ADMIN: lambda: User.objects.create_superuser(
            "matrix-admin", "admin@example.org", "pw"
        ),
    }
    if role in users:
        login_verified(client, users[role]())
    return client


def outcome(response) -> str:
    """refused, reached, missing or error (see the module docstring)."""
    status = response.status_code
    if status >= 500:
        return "error"
    if status in (401, 403):
        return "refused"
    if 300 <= status < 400:
        target = urlsplit(response["Location"]).path
        refusals = (reverse("wagtailadmin_login"), "/admin/two-factor/")
        if target.startswith(refusals) or target == reverse("wagtailadmin_home"):
            return "refused"
        return "reached"
    return "reached" if status < 300 else "missing"


ALLOWED = {
    REACH: {"reached", "missing"},
    REFUSED: {"refused", "missing"},
    ANY: {"reached", "refused", "missing"},
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_what_the_rules_allow(role, home_page):
    substitutions = {"page": str(home_page.pk), "pk": "1"}
    client = _client_for(role)
    checked, wrong = 0, []
    # Signing out last, so that it does not end the session of the others.
    ordered = sorted(
        sampled_endpoints(), key=lambda e: e.template.startswith("admin/logout")
    )
    for endpoint in ordered:
        rule = rule_for(endpoint)
        if rule is None or endpoint.path is None:
            continue  # reported by the two tests above
        path = endpoint.path.format(**substitutions)
        if rule.deliberate_error and rule.expectation(role) != REFUSED:
            continue
        response = client.get(path)
        got, expected = outcome(response), rule.expectation(role)
        checked += 1
        if got not in ALLOWED[expected]:
            where = response.get("Location", "")
            wrong.append(
                f"  GET {path} ({endpoint.name or endpoint.template}): "
                f"{response.status_code} {where} — {got}, expected {expected}"
            )
    assert checked > 50
    assert wrong == [], f"{role}: {len(wrong)} URL(s) break the matrix:\n" + "\n".join(
        wrong
    )
