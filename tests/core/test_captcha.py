"""The self-hosted challenge: right answers pass once, everything else is
refused with a message the citizen can act on."""

from __future__ import annotations

import time

import pytest
from django.core import signing
from django.utils import translation

from core import antibot, captcha
from core.models import UsedChallenge

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def refusal(token: str | None, answer: str | None) -> str:
    with pytest.raises(captcha.ChallengeRefused) as refused:
        captcha.challenge_check(token=token, answer=answer)
    return refused.value.message


def test_the_right_answer_passes_and_records_the_challenge_as_used():
    challenge = captcha.challenge_new()
    captcha.challenge_check(
        token=challenge.token, answer=str(challenge.left + challenge.right)
    )
    assert UsedChallenge.objects.count() == 1


def test_a_challenge_works_only_once():
    challenge = captcha.challenge_new()
    answer = str(challenge.left + challenge.right)
    captcha.challenge_check(token=challenge.token, answer=answer)
    assert "already answered" in refusal(challenge.token, answer)


def test_a_wrong_answer_is_refused_and_uses_the_challenge_up():
    challenge = captcha.challenge_new()
    right = challenge.left + challenge.right
    assert "not right" in refusal(challenge.token, str(right + 1))
    # One guess per challenge: the right answer afterwards is a replay.
    assert "already answered" in refusal(challenge.token, str(right))


def test_an_expired_challenge_is_refused(monkeypatch):
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - captcha.MAX_AGE - 60)
    challenge = captcha.challenge_new()
    monkeypatch.setattr(time, "time", real_time)
    message = refusal(challenge.token, str(challenge.left + challenge.right))
    assert "expired" in message
    assert not UsedChallenge.objects.exists()


def test_a_forged_or_missing_token_is_refused():
    forged = signing.dumps({"l": 1, "r": 1, "n": "x"}, salt="another.salt")
    assert "not recognised" in refusal(forged, "2")
    assert "not recognised" in refusal("garbage", "2")
    assert "answer the question" in refusal("", "2")


def test_a_blank_or_non_numeric_answer_asks_for_a_number_and_keeps_the_challenge():
    challenge = captcha.challenge_new()
    assert "as a number" in refusal(challenge.token, "")
    assert "as a number" in refusal(challenge.token, "a lot")
    captcha.challenge_check(
        token=challenge.token, answer=str(challenge.left + challenge.right)
    )


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("15", 15),
        (" 15 ", 15),
        ("１５", 15),  # full-width, from a Chinese keyboard
        ("十五", 15),
        ("四十八", 48),
        ("二十", 20),
        ("一十二", 12),
        ("八", 8),
        ("十", 10),
        ("", None),
        ("fifteen", None),
        ("一百", None),
        ("十十", None),
        ("1" * 50, None),
    ],
)
def test_answers_may_be_typed_in_digits_or_chinese_numerals(typed, value):
    assert captcha.parse_answer(typed) == value


def test_the_question_is_text_in_the_page_language_with_an_image_beside_it():
    challenge = captcha.challenge_new()
    assert challenge.question == f"What is {challenge.left} plus {challenge.right}?"
    with translation.override("zh-hans"):
        assert str(challenge.left) in challenge.question
    assert challenge.image_data_uri.startswith("data:image/png;base64,")
    assert captcha.sum_image(12, 5).startswith(b"\x89PNG")


def test_the_form_reports_the_refusal_on_the_answer_and_offers_a_new_challenge():
    old = captcha.challenge_new()
    form = captcha.ChallengeForm(
        {"challenge_token": old.token, "challenge_answer": "999"}
    )
    assert not form.passes()
    assert "not right" in form.errors["challenge_answer"][0]
    assert form.challenge.token != old.token


def test_the_client_key_rotates_daily_and_never_holds_the_address(settings):
    import datetime as dt
    from unittest import mock

    from django.utils import timezone

    today = antibot.client_key("203.0.113.7")
    assert "203.0.113.7" not in today and len(today) == 64
    assert antibot.client_key("203.0.113.7") == today
    assert antibot.client_key("203.0.113.8") != today
    tomorrow = timezone.now() + dt.timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=tomorrow):
        assert antibot.client_key("203.0.113.7") != today


def test_a_stamp_says_how_long_the_form_was_shown_and_a_forged_one_counts_as_zero(
    monkeypatch,
):
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 40)
    stamp = antibot.shown_stamp()
    monkeypatch.setattr(time, "time", real_time)
    assert 39 <= antibot.seconds_since_shown(stamp) <= 41
    assert antibot.seconds_since_shown("forged") == 0
    assert antibot.seconds_since_shown(None) == 0
