"""The published results on a phone: the page keeps to the screen's width, and
the wide tables scroll sideways on their own, by touch or keyboard."""

import pytest

from tests.e2e.axe import serious_violations
from tests.e2e.waves import computed_wave

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def published(site):
    from analysis import services

    wave = computed_wave(responses_per_survey=40)
    run = wave.runs.get()
    services.wave_results_publish(wave=wave, run=run, user=None)
    return wave


@pytest.mark.parametrize("path", ["/results/", "/en/results/"])
def test_the_results_page_fits_a_phone_and_has_no_serious_violations(
    phone, site, published, path
):
    phone.goto(site + path)
    assert phone.locator("table").count() == 2
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, "the page scrolls sideways on a 360-px screen"
    assert serious_violations(phone) == []


def test_a_wide_results_table_scrolls_inside_its_own_region_by_keyboard(
    phone, site, published
):
    phone.goto(site + "/en/results/")
    region = phone.get_by_role("region", name="Satisfaction index per sector")
    assert region.evaluate("e => e.scrollWidth > e.clientWidth")
    region.focus()
    phone.keyboard.press("ArrowRight")
    phone.wait_for_function(
        "() => document.activeElement.scrollLeft > 0", timeout=5_000
    )
