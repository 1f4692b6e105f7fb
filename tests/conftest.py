import os
from pathlib import Path

import pytest

from tests.services import require

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_VIEWPORT = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the session, driven by Playwright."""
    require(Path(CHROMIUM).exists(), "Chromium (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the test's own
    # database calls are synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser):
    """A fresh browser context at a phone-sized viewport."""
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Each test starts from empty caches.

    Tests roll back or flush their tables, so the next test's pages, revisions
    and clients can reuse the previous test's ids and addresses: a
    questionnaire cached by revision id, a memoised lookup or an hourly
    submission counter would then belong to another test's data.
    """
    from django.conf import settings

    if not settings.configured:  # the pure statistics run with -p no:django
        yield
        return
    from django.core.cache import cache

    from core import memo
    from surveys.selectors import revision_questionnaire

    cache.clear()
    memo.store.clear()
    revision_questionnaire.cache_clear()
    yield
    revision_questionnaire.cache_clear()


@pytest.fixture
def home_page(db):
    from core.demo import ensure_home_page

    return ensure_home_page()


@pytest.fixture
def verified_login(db, client):
    """``verified_login(user)``: sign ``client`` in past the second factor.

    Admin pages refuse sessions without it; use this (or
    tests.accounts.helpers.login_verified for another client) instead of
    ``client.force_login`` in admin tests.
    """
    from tests.accounts.helpers import login_verified

    return lambda user: login_verified(client, user)
