"""A citizen answers each demo survey in a real Chromium on a 360-px phone:
in Chinese and in English, with and without JavaScript, going back, fixing an
error and resuming on another browser context from the resume link."""

from __future__ import annotations

import html
import re

import pytest

from surveys.models import QuestionKind, Response, ResponseStatus, SurveyPage
from tests.conftest import PHONE_VIEWPORT

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CONSUMER_SECTORS = [
    "education",
    "public-transport",
    "medical",
    "elderly-care",
    "tourism",
]
NEXT = {"zh-hans": "保存并继续", "en": "Save and continue"}
START = {"zh-hans": "开始填写", "en": "Start now"}
SEND = {"zh-hans": "提交答案", "en": "Send my answers"}
THANKS = {"zh-hans": "您的答案已提交", "en": "Your answers have been sent"}
ERROR_TITLE = {"zh-hans": "有问题需要修改", "en": "There is a problem"}
LONG_TEXT = "候车亭需要更多座位 <b>not bold</b> & more"


@pytest.fixture
def demo_surveys(home_page):
    from surveys.demo import load_demo_surveys, load_reference_data

    load_reference_data()
    pages = load_demo_surveys(responses=False)
    # The browser answers a survey in seconds, faster than any citizen can: a
    # real minimum fill time would rightly mark it a bot and challenge its next
    # start. The anti-automation rules have tests of their own.
    SurveyPage.objects.filter(pk__in=[p.pk for p in pages]).update(min_fill_seconds=0)
    return {p.sector.code: p for p in pages if p.live}


# What answer_section needs of each question on the page, read in one call:
# a round trip per attribute (over 700 a run) cost seconds per test.
FIELDS_JS = """fields => fields.map(field => ({
    code: field.id.replace("question-", ""),
    radios: [...field.querySelectorAll("input[type=radio]")].map(r => r.value),
    boxes: [...field.querySelectorAll("input[type=checkbox]")].map(b => b.value),
    textarea: field.querySelector("textarea") !== null,
}))"""


def answer_section(page, given: dict[str, object]) -> None:
    """Answer every question shown, recording the raw values in ``given``."""
    questions = page.locator("div.field[id^=question-]")
    for n, question in enumerate(questions.evaluate_all(FIELDS_JS)):
        field, code = questions.nth(n), question["code"]
        values, boxes = question["radios"], question["boxes"]
        if values:
            # a middle-high rating, the first option of a choice ("yes")
            index = min(3, len(values) - 1) if values[0] in ("0", "1") else 0
            if values[-1] == "na" and index == len(values) - 1:
                index -= 1
            field.locator("input[type=radio]").nth(index).check()
            given[code] = values[index]
        elif boxes:
            field.locator("input[type=checkbox]").nth(0).check()
            field.locator("input[type=checkbox]").nth(1).check()
            given[code] = boxes[:2]
        elif question["textarea"]:
            field.locator("textarea").fill(LONG_TEXT)
            given[code] = LONG_TEXT
        else:
            field.locator("input[type=text]").first.fill("12")
            given[code] = "12"


def stored_form(survey, given: dict) -> dict:
    """What the response should hold for the raw values given in the browser."""
    questions = survey.questionnaire.by_code()
    expected = {}
    for code, raw in given.items():
        kind = questions[code].kind
        if kind in (QuestionKind.LIKERT, QuestionKind.NPS, QuestionKind.NUMBER):
            expected[code] = None if raw == "na" else int(raw)
        else:
            expected[code] = raw
    return expected


def next_section(page, language: str) -> None:
    page.get_by_role("button", name=NEXT[language]).click()
    page.wait_for_load_state()


def complete_survey(browser, live_server, survey, language: str, js: bool) -> None:
    context_args = {
        "viewport": PHONE_VIEWPORT,
        "java_script_enabled": js,
        "locale": "zh-CN" if language == "zh-hans" else "en-GB",
    }
    context = browser.new_context(**context_args)
    page = context.new_page()
    page.set_default_timeout(20_000)
    prefix = "/en" if language == "en" else ""
    page.goto(live_server.url + prefix + survey.url)
    page.get_by_role("button", name=START[language]).click()
    given: dict[str, object] = {}

    # 1. An empty first section: error summary at the top, message by the field.
    next_section(page, language)
    assert page.locator(".error-summary h2").inner_text() == ERROR_TITLE[language]
    assert page.locator(".field-error .error-message").count() >= 1
    answer_section(page, given)
    next_section(page, language)

    # 2. Answer the second section, go back from the third and find it kept.
    second_url = page.url
    answer_section(page, given)
    next_section(page, language)
    page.locator("a.back-link").click()
    assert page.url == second_url
    checked = page.locator("input[type=radio]:checked").count()
    assert checked == page.locator("div.field:has(input[type=radio])").count() > 0
    next_section(page, language)

    # 3. Keep the resume link and continue on a fresh context ("another phone").
    answer_section(page, given)
    next_section(page, language)
    resume = page.locator(".resume-link a").get_attribute("href")
    stopped_at = page.url
    context.close()
    context = browser.new_context(**context_args)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(resume)
    assert page.url == stopped_at

    # 4. Finish the remaining sections, review, submit.
    while "/review/" not in page.url:
        answer_section(page, given)
        next_section(page, language)
    assert LONG_TEXT in html.unescape(page.content())
    page.get_by_role("button", name=SEND[language]).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == THANKS[language]
    context.close()

    response = Response.objects.filter(survey=survey).latest("pk")
    assert response.status == ResponseStatus.SUBMITTED
    assert response.language == language
    assert response.answers == stored_form(survey, given)
    assert "q_complaint_handled" in response.answers  # the condition was met


@pytest.mark.parametrize(
    ("language", "js"), [("zh-hans", True), ("en", True), ("zh-hans", False)]
)
def test_a_citizen_completes_each_demo_survey_on_a_phone(
    browser, live_server, demo_surveys, language, js
):
    for sector in CONSUMER_SECTORS:
        complete_survey(browser, live_server, demo_surveys[sector], language, js)
    assert Response.objects.filter(status=ResponseStatus.SUBMITTED).count() == 5


def test_touch_targets_are_large_and_nothing_scrolls_sideways(
    phone, live_server, demo_surveys
):
    survey = demo_surveys["tourism"]
    phone.goto(live_server.url + survey.url)
    phone.get_by_role("button", name=START["zh-hans"]).click()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    for choice in phone.locator(".choice").all()[:6]:
        assert choice.bounding_box()["height"] >= 44
    button = phone.get_by_role("button", name=NEXT["zh-hans"]).bounding_box()
    assert button["height"] >= 44


def test_a_closed_survey_shows_a_clear_page(phone, live_server, home_page):
    from surveys.demo import load_demo_surveys, load_reference_data

    load_reference_data()
    closed = [p for p in load_demo_surveys(responses=False) if not p.live][0]
    response = phone.goto(live_server.url + closed.url)
    assert response.status == 200
    assert re.search("已结束|closed", phone.locator("h1").inner_text())
