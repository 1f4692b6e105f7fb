"""The public shell in a real Chromium: phone-sized, both languages, accessible."""

import pytest

from tests.e2e.axe import serious_violations

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_citizen_switches_the_home_page_to_english_on_a_phone(phone, site):
    phone.goto(site + "/")
    assert phone.locator("html").get_attribute("lang") == "zh-hans"
    phone.get_by_role("button", name="English").click()
    phone.wait_for_url(site + "/en/")
    assert phone.locator("h1").inner_text() == "Jiaxing public-service satisfaction"
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, "the page scrolls sideways on a 360-px screen"


def test_the_skip_link_is_the_first_stop_for_keyboard_users(phone, site):
    phone.goto(site + "/")
    phone.keyboard.press("Tab")
    focused = phone.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"


@pytest.mark.parametrize("path", ["/", "/en/"])
def test_the_home_page_has_no_serious_accessibility_violations(phone, site, path):
    phone.goto(site + path)
    assert serious_violations(phone) == []
