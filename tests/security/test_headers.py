"""Security headers: the CSP of public and admin pages, framing, sniffing, HSTS."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"'self'", "'none'", "'unsafe-inline'", "data:", "blob:"}


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


@pytest.mark.parametrize("path", ["/", "/en/"])
def test_public_pages_carry_the_strict_policy(client, home_page, path):
    csp = policy(client.get(path))
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["default-src"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]


def test_a_missing_page_carries_the_strict_policy_too(client, home_page):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/", "/healthz", "/admin/login/"])
def test_pages_cannot_be_framed_or_sniffed(client, home_page, path):
    response = client.get(path)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_admin_has_its_own_policy_that_names_no_other_host(client):
    csp = policy(client.get("/admin/login/"))
    assert "'unsafe-inline'" in csp["script-src"]  # Wagtail's inline scripts
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'self'"]
    for directive, sources in csp.items():
        assert set(sources) <= KEYWORDS, f"{directive} allows {sources}"


def test_admin_avatars_are_served_from_the_site_not_gravatar(client):
    from django.contrib.auth.models import User

    from tests.accounts.helpers import login_verified

    user = User.objects.create_superuser("avatar", "someone@example.org", "pw")
    login_verified(client, user)
    page = client.get("/admin/").content.decode()
    images = re.findall(r'<img[^>]+src="([^"]+)"', page)
    assert images, "the admin shows the user's avatar"
    assert not [src for src in images if "gravatar" in src or src.startswith("//")]


def test_public_templates_have_no_inline_script_style_or_event_handler():
    """Inline code would be blocked by the public policy: it belongs in static/."""
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>"
        r"|\sstyle=\"|\son[a-z]+=\"|javascript:",
        re.IGNORECASE,
    )
    offenders = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        relative = template.relative_to(ROOT / "templates")
        admin_page = '{% extends "wagtailadmin/' in template.read_text()
        if (
            relative.parts[0] in {"accounts", "wagtailadmin"}
            or "admin" in str(relative)
            or admin_page
        ):
            continue  # admin templates: the admin policy allows inline code
        for number, line in enumerate(template.read_text().splitlines(), 1):
            if inline.search(line):
                offenders.append(f"templates/{relative}:{number}: {line.strip()}")
    assert offenders == [], (
        "Public pages run under script-src/style-src 'self' (docs/security.md): "
        "move this inline code to static/js or static/css:\n" + "\n".join(offenders)
    )


def test_production_settings_harden_cookies_https_and_hsts():
    script = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({k: getattr(s, k) for k in ("
        "'DEBUG','SECURE_SSL_REDIRECT','SECURE_HSTS_SECONDS',"
        "'SECURE_HSTS_INCLUDE_SUBDOMAINS','SESSION_COOKIE_SECURE',"
        "'CSRF_COOKIE_SECURE','SESSION_COOKIE_HTTPONLY','X_FRAME_OPTIONS',"
        "'SECURE_CONTENT_TYPE_NOSNIFF','TRUSTED_PROXY_COUNT')}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "surveyportal.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    }
    env.pop("DJANGO_SECURE_SSL_REDIRECT", None)
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "TRUSTED_PROXY_COUNT": 1,
    }


def test_hsts_is_sent_over_https_when_configured(client, home_page, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_page_preview_may_be_framed_by_the_admin_only(home_page):
    """Wagtail renders a preview through the public middleware (a dummy request
    to the page's URL) and shows it in the editor's same-origin frame."""
    from tests.factories.surveys import SurveyIndexPageFactory, published_survey

    index = SurveyIndexPageFactory(parent=home_page)
    index.save_revision().publish()
    csp = policy(published_survey(index).make_preview_request())
    assert csp["frame-ancestors"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # otherwise the strict public policy
    assert csp["style-src"] == ["'self'"]
