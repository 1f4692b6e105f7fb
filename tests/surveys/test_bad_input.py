"""Tampered, malformed and hostile input: a clear message or a 4xx, never a 500,
never a stored partial or duplicate response."""

import json

import pytest

from surveys.models import Response, ResponseStatus
from tests.surveys.flow import SECTION_ANSWERS, answer_all, start

pytestmark = pytest.mark.django_db

VALID = {
    "q_visited": "yes",
    "q_wait": 10,
    "q_staff": 5,
    "q_overall": 7,
    "q_nps": 9,
}


def post_json(client, survey, body, key="k" * 20, raw=None):
    return client.post(
        f"/api/surveys/{survey.pk}/responses/",
        data=raw if raw is not None else json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key} if key else {},
    )


def test_a_valid_json_submission_is_stored_once_per_key(client, survey):
    first = post_json(client, survey, {"answers": VALID, "channel": "paper"})
    assert first.status_code == 201, first.content
    again = post_json(client, survey, {"answers": VALID, "channel": "paper"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    stored = Response.objects.get()
    assert stored.answers == VALID and stored.status == ResponseStatus.SUBMITTED


@pytest.mark.parametrize(
    ("answers", "needle"),
    [
        # The API is outside i18n_patterns, so it answers in zh-hans.
        ({**VALID, "q_forged": 1}, "未知的题目代码“q_forged”"),
        ({**VALID, "q_staff": 6}, "q_staff"),
        ({**VALID, "q_overall": "ten"}, "q_overall"),
        ({**VALID, "q_wait": 1e9}, "q_wait"),
        ({**VALID, "q_wait": 2.5}, "q_wait"),
        ({**VALID, "q_visited": ["yes"]}, "q_visited"),
        ({**VALID, "q_visited": True}, "q_visited"),
        ({**VALID, "q_channels": "web"}, "q_channels"),
        ({**VALID, "q_name": "a\x00b"}, "q_name"),
        ({k: v for k, v in VALID.items() if k != "q_nps"}, "q_nps"),
    ],
)
def test_bad_answers_are_refused_with_the_reason(client, survey, answers, needle):
    response = post_json(client, survey, {"answers": answers})
    assert response.status_code == 400
    assert needle in json.dumps(response.json(), ensure_ascii=False)
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        '{"answers": {"q_wait": NaN}}',
        '{"answers": {"q_wait": Infinity}}',
        "not json",
        "[1, 2]",
        b"\xff\xfe",
    ],
)
def test_malformed_json_is_a_400(client, survey, raw):
    response = post_json(client, survey, None, raw=raw)
    assert response.status_code == 400
    assert not Response.objects.exists()


def test_a_ten_megabyte_body_is_refused(client, survey):
    body = json.dumps({"answers": {"q_comment": "x" * 10_000_000}})
    response = post_json(client, survey, None, raw=body)
    assert response.status_code in (400, 413)
    assert not Response.objects.exists()


def test_a_missing_or_malformed_idempotency_key_is_a_400(client, survey):
    assert post_json(client, survey, {"answers": VALID}, key="").status_code == 400
    assert post_json(client, survey, {"answers": VALID}, key="short").status_code == 400
    assert not Response.objects.exists()


def test_a_closed_survey_refuses_json(client, survey):
    survey.unpublish()
    assert post_json(client, survey, {"answers": VALID}).status_code == 404


@pytest.mark.parametrize(
    "value", ["NaN", "Infinity", "-inf", "1e999", "12abc", "\x00", "999"]
)
def test_bad_numbers_in_the_form_get_a_message(client, survey, value):
    url = start(client, survey)
    response = client.post(url, dict(SECTION_ANSWERS[1], q_wait=value))
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert Response.objects.get().answers == {}


def test_a_tampered_choice_or_code_is_not_stored(client, survey):
    url = start(client, survey)
    response = client.post(
        url, dict(SECTION_ANSWERS[1], q_visited="maybe", q_forged="1")
    )
    assert response.status_code == 200
    assert Response.objects.get().answers == {}
    client.post(url, dict(SECTION_ANSWERS[1], q_forged="1"))
    assert "q_forged" not in Response.objects.get().answers


def test_nul_bytes_in_text_get_a_message(client, survey):
    url = start(client, survey)
    client.post(url, SECTION_ANSWERS[1])
    second = url.replace("/1/", "/2/")
    client.post(second, SECTION_ANSWERS[2])
    third = url.replace("/1/", "/3/")
    response = client.post(third, {"q_comment": "bad\x00text"})
    assert response.status_code == 200
    assert "q_comment" not in Response.objects.get().answers


def test_forged_resume_and_invitation_tokens_get_clear_pages(client, survey):
    assert client.get(f"{survey.url}r/{'A' * 32}/1/").status_code == 404
    assert client.post(f"{survey.url}r/{'A' * 32}/review/").status_code == 404
    assert client.post(f"{survey.url}i/{'B' * 32}/").status_code == 403
    assert not Response.objects.exists()


def test_a_replayed_submit_after_success_changes_nothing(client, survey):
    review = answer_all(client, survey)
    client.post(review)
    stored = Response.objects.get()
    replay = client.post(review.replace("review/", "2/"), {"q_overall": "0"})
    assert replay.status_code == 302
    stored.refresh_from_db()
    assert stored.answers["q_overall"] == 9


def test_short_links_with_a_forged_mac_are_a_404(client, survey):
    from surveys.links import short_link_path
    from tests.factories.surveys import ServicePointFactory

    point = ServicePointFactory(sector=survey.sector)
    good = short_link_path(survey.pk, point.code)
    redirect = client.get(good)
    assert redirect.status_code == 302 and f"sp={point.code}" in redirect["Location"]
    assert "ch=qr" in redirect["Location"]
    forged = good.rstrip("/").rsplit("/", 1)[0] + "/AAAAAAAAAAAA/"
    assert client.get(forged).status_code == 404


def test_the_rate_limit_answers_429_and_stores_nothing_more(client, survey):
    survey.starts_per_client_per_hour = 2
    survey.save_revision().publish()
    for _ in range(2):
        start(client, survey)
    refused = client.post(f"{survey.url}start/")
    assert refused.status_code == 429
    assert Response.objects.count() == 2


def test_the_honeypot_flags_and_excludes_but_keeps_the_response(client, survey):
    url = start(client, survey)
    client.post(url, dict(SECTION_ANSWERS[1], website="http://spam.example"))
    for number in (2, 3):
        client.post(url.replace("/1/", f"/{number}/"), SECTION_ANSWERS[number])
    client.post(url.removesuffix("1/") + "review/")
    stored = Response.objects.get()
    assert stored.status == ResponseStatus.SUBMITTED
    assert "suspected_bot" in stored.flags and stored.excluded
