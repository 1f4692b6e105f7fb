"""axe-core finds no serious or critical violation on any public survey state."""

from __future__ import annotations

import pytest

from surveys.models import FollowUpContact
from tests.e2e.axe import serious_violations
from tests.e2e.test_survey_answering import (
    NEXT,
    SEND,
    START,
    answer_section,
    demo_surveys,  # noqa: F401 - fixture
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def check(page, state: str, found: dict) -> None:
    found[state] = serious_violations(page)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_survey_state_passes_axe(phone, live_server, demo_surveys, language):  # noqa: F811
    survey = demo_surveys["elderly-care"]
    prefix = "/en" if language == "en" else ""
    found: dict[str, list[str]] = {}
    phone.goto(live_server.url + prefix + survey.get_parent().url)
    check(phone, "index", found)
    phone.goto(live_server.url + prefix + survey.url)
    check(phone, "intro", found)
    phone.get_by_role("button", name=START[language]).click()
    check(phone, "section", found)
    phone.locator("details.resume-later summary").click()
    check(phone, "resume link open", found)
    phone.get_by_role("button", name=NEXT[language]).click()
    check(phone, "error", found)
    given: dict = {}
    while "/review/" not in phone.url:
        answer_section(phone, given)
        phone.get_by_role("button", name=NEXT[language]).click()
    check(phone, "review", found)
    # The optional contact step: a bad phone number is an error state too.
    phone.locator("#id_contact-consent").check()
    phone.locator("#id_contact-phone").fill("12345")
    phone.get_by_role("button", name=SEND[language]).click()
    check(phone, "contact error", found)
    phone.locator("#id_contact-phone").fill("138 0057 3123")
    phone.get_by_role("button", name=SEND[language]).click()
    check(phone, "thank-you", found)
    assert FollowUpContact.objects.get().phone == "13800573123"
    phone.goto(live_server.url + prefix + survey.url + "r/not-a-token/")
    check(phone, "invalid link", found)
    assert {state: v for state, v in found.items() if v} == {}
    assert len(found) == 9
