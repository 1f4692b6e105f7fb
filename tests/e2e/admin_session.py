"""Sign in to the Wagtail admin in a real browser: password, then TOTP code."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.accounts.helpers import current_code


def at(path: str):
    """A URL predicate on the path only (a ``next=`` parameter never matches)."""
    return lambda url: urlsplit(url).path == path


def submit(page) -> None:
    # .last: the page's own form, after any the admin's chrome renders first.
    page.locator("form button[type=submit]").last.click()


def sign_in(
    page, base_url: str, user, device, landing: str = "/admin/dashboard/"
) -> None:
    """The real sign-in: password form, then the authenticator's code."""
    page.goto(f"{base_url}/admin/login/?next={landing}")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "pw")
    submit(page)
    page.wait_for_url(at("/admin/two-factor/verify/"))
    page.locator("input[name=otp_token]").last.fill(current_code(device))
    submit(page)
    page.wait_for_url(at(landing))
