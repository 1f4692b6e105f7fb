"""The survey flow against scripts: a client that filled the honeypot, answered
faster than anyone reads or hit the start limit answers a challenge before its
next start; a citizen answering at a human pace never sees one."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from surveys.models import QualityFlag, Response
from tests.antibot import has_challenge, solved, stamp_from
from tests.factories.surveys import published_survey
from tests.surveys.flow import SECTION_ANSWERS
from tests.surveys.test_bad_input import VALID

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(survey_index):
    return published_survey(survey_index, min_fill_seconds=30)


def english_url(survey) -> str:
    """The English page (messages are asserted in English)."""
    with translation.override("en"):
        return survey.url


def intro(client, survey) -> str:
    return client.get(english_url(survey)).content.decode()


def start(client, survey, **extra):
    return client.post(english_url(survey) + "start/", {"ch": "web", **extra})


def answer(client, first_section: str, *, seconds: int = 0, honeypot: str = ""):
    """Answer the three sections, each shown ``seconds`` before it is sent,
    then submit; returns the final status."""
    url = first_section
    for number in (1, 2, 3):
        data = {**SECTION_ANSWERS[number], "website": honeypot}
        if seconds:
            data["shown"] = stamp_from(seconds)
        url = client.post(url, data)["Location"]
    return client.post(url).status_code


def test_a_citizen_at_a_human_pace_never_sees_the_challenge(client, survey):
    assert not has_challenge(intro(client, survey))
    started = start(client, survey)
    assert started.status_code == 302
    assert answer(client, started["Location"], seconds=40) == 302
    response = Response.objects.get()
    assert QualityFlag.SUSPECTED_BOT not in response.flags
    assert not has_challenge(intro(client, survey))
    assert start(client, survey).status_code == 302


def test_a_too_fast_submission_puts_a_challenge_before_the_next_start(client, survey):
    answer(client, start(client, survey)["Location"])
    assert QualityFlag.SUSPECTED_BOT in Response.objects.get().flags
    page = intro(client, survey)
    assert has_challenge(page)
    refused = start(client, survey)
    assert refused.status_code == 400
    assert "Please answer the question below." in refused.content.decode()
    assert Response.objects.count() == 1


def test_the_honeypot_challenges_the_client_before_it_even_submits(client, survey):
    first = start(client, survey)["Location"]
    client.post(first, {**SECTION_ANSWERS[1], "website": "http://spam.example"})
    assert has_challenge(intro(client, survey))


def test_a_right_answer_starts_once_and_a_replayed_or_wrong_one_is_refused(
    client, survey
):
    answer(client, start(client, survey)["Location"])
    fields = solved(intro(client, survey))
    assert start(client, survey, **fields).status_code == 302
    replayed = start(client, survey, **fields)
    assert replayed.status_code == 400
    assert "already answered" in replayed.content.decode()
    fresh = solved(replayed.content.decode())  # the refusal offers a new question
    wrong = start(
        client,
        survey,
        challenge_token=fresh["challenge_token"],
        challenge_answer=str(int(fresh["challenge_answer"]) + 1),
    )
    assert wrong.status_code == 400
    assert "not right" in wrong.content.decode()
    assert Response.objects.count() == 2


def test_the_challenge_is_text_a_screen_reader_reads_with_a_labelled_input(
    client, survey
):
    answer(client, start(client, survey)["Location"])
    page = intro(client, survey)
    assert '<label for="id_challenge_answer" class="challenge-question">What is' in page
    assert 'inputmode="numeric"' in page
    assert 'src="data:image/png;base64,' in page and 'alt=""' in page


def test_hitting_the_start_limit_challenges_the_client_afterwards(client, survey_index):
    limited = published_survey(survey_index, starts_per_client_per_hour=2)
    assert [start(client, limited).status_code for _ in range(3)] == [302, 302, 429]
    other = published_survey(survey_index)
    assert has_challenge(intro(client, other))


def test_an_invitation_link_is_never_challenged(client, survey_index):
    from surveys import services

    invited = published_survey(survey_index, invitation_only=True)
    token = services.invitation_issue(survey=invited, count=1)[0]
    answer(client, start(client, published_survey(survey_index))["Location"])
    posted = client.post(english_url(invited) + f"i/{token}/")
    assert posted.status_code == 302


def test_a_section_carries_the_shared_honeypot_and_keeps_its_stamp_on_error(
    client, survey
):
    """One honeypot implementation (core.antibot) for every public form: the
    section has its fields once, and a page re-shown after a mistake keeps the
    time it was first shown, so a correction is not timed from the correction."""
    first = start(client, survey)["Location"]
    page = client.get(first).content.decode()
    assert page.count('name="website"') == 1
    assert page.count('name="shown"') == 1
    shown = stamp_from(45)
    refused = client.post(first, {"q_wait": "not a number", "shown": shown})
    assert refused.status_code == 200
    assert f'name="shown" value="{shown}"' in refused.content.decode()


def test_the_api_limits_each_client_behind_the_proxy_on_its_own(
    client, survey, settings
):
    """With DJANGO_TRUSTED_PROXY_COUNT=1 every request comes from the proxy's
    address; the API counts the client named in X-Forwarded-For instead."""
    settings.TRUSTED_PROXY_COUNT = 1
    survey.starts_per_client_per_hour = 1
    survey.save_revision().publish()

    def submit_from(address: str, key: str) -> int:
        return client.post(
            f"/api/surveys/{survey.pk}/responses/",
            data=json.dumps({"answers": VALID, "channel": "paper"}),
            content_type="application/json",
            headers={"Idempotency-Key": key, "X-Forwarded-For": address},
        ).status_code

    assert submit_from("203.0.113.1", "a" * 20) == 201
    assert submit_from("203.0.113.2", "b" * 20) == 201  # another citizen
    assert submit_from("203.0.113.1", "c" * 20) == 429
    assert submit_from("203.0.113.2", "d" * 20) == 429
    assert Response.objects.count() == 2
