"""The complaint form against scripts: honeypot, minimum fill time, an hourly
limit per client and the challenge, without ever troubling a real tourist."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache

from complaints.models import Complaint, ComplaintSettings
from complaints.selectors import complaints_frame
from core import captcha
from tests.antibot import has_challenge, solved, stamp_from
from tests.complaints.test_admin import in_english
from tests.factories.complaints import ComplaintFactory, handler, scenic_area

pytestmark = pytest.mark.django_db

COMPLAINT = {
    "category": "price",
    "description": "The boat ride cost 200 yuan instead of the posted 100.",
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # limits and suspects live in the cache
    yield
    cache.clear()


@pytest.fixture
def point():
    return scenic_area()


def form_url(point) -> str:
    return f"/en/complaints/new/{point.code}/"


def send(client, point, *, seconds: int | None = 60, **extra):
    """Post the complaint as if the form had been on screen for ``seconds``."""
    data = {"service_point": point.code, **COMPLAINT, **extra}
    if seconds is not None:
        data["shown"] = stamp_from(seconds)
    return client.post(form_url(point), data)


def test_a_citizen_who_takes_a_minute_is_never_challenged_nor_flagged(client, point):
    assert not has_challenge(client.get(form_url(point)).content.decode())
    assert send(client, point).status_code == 302
    complaint = Complaint.objects.get()
    assert not complaint.suspected_bot
    assert not has_challenge(client.get(form_url(point)).content.decode())
    assert list(complaints_frame()["complaint_id"]) == [complaint.pk]


def test_the_form_carries_a_hidden_honeypot_and_a_signed_shown_stamp(client, point):
    html = client.get(form_url(point)).content.decode()
    assert '<div class="hp">' in html and 'name="website"' in html
    assert 'type="hidden" name="shown"' in html


@pytest.mark.parametrize(
    "trap",
    [
        {"website": "http://spam.example"},  # the honeypot
        {"seconds": 3},  # faster than anyone reads the form
        {"seconds": None},  # no stamp at all: not our form
        {"seconds": None, "shown": "forged"},
    ],
)
def test_a_suspected_bot_is_kept_flagged_out_of_the_statistics_and_then_challenged(
    client, point, trap
):
    assert send(client, point, **trap).status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.suspected_bot
    assert complaints_frame().empty
    assert has_challenge(client.get(form_url(point)).content.decode())


def test_the_flag_shows_on_the_handling_page(client, point, verified_login):
    send(client, point, website="x")
    complaint = Complaint.objects.get()
    verified_login(in_english(handler("li")))
    page = client.get(f"/admin/complaints/edit/{complaint.pk}/")
    assert page.status_code == 200
    assert "Suspected bot" in page.content.decode()


def test_a_challenged_client_without_an_answer_is_refused_with_a_message(client, point):
    send(client, point, seconds=1)
    refused = send(client, point)
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "Please answer the question below." in html
    assert has_challenge(html)
    assert Complaint.objects.count() == 1


def test_the_right_answer_lets_the_complaint_through_once(client, point):
    send(client, point, seconds=1)
    page = client.get(form_url(point)).content.decode()
    answer = solved(page)
    assert send(client, point, **answer).status_code == 302
    assert Complaint.objects.count() == 2
    assert not Complaint.objects.latest("pk").suspected_bot  # slow this time
    reused = send(client, point, **answer)
    assert reused.status_code == 400
    assert "already answered" in reused.content.decode()
    assert Complaint.objects.count() == 2


def test_a_wrong_or_expired_answer_is_refused(client, point, monkeypatch):
    send(client, point, seconds=1)
    answer = solved(client.get(form_url(point)).content.decode())
    wrong = send(
        client,
        point,
        challenge_token=answer["challenge_token"],
        challenge_answer=str(int(answer["challenge_answer"]) + 1),
    )
    assert wrong.status_code == 400
    assert "not right" in wrong.content.decode()
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - captcha.MAX_AGE - 60)
    stale = solved(client.get(form_url(point)).content.decode())
    monkeypatch.setattr(time, "time", real_time)
    expired = send(client, point, **stale)
    assert expired.status_code == 400
    assert "expired" in expired.content.decode()
    assert Complaint.objects.count() == 1


def test_an_invalid_complaint_does_not_use_the_challenge_up(client, point):
    send(client, point, seconds=1)
    answer = solved(client.get(form_url(point)).content.decode())
    assert send(client, point, **answer, description="short").status_code == 400
    assert send(client, point, **answer).status_code == 302


def test_past_the_hourly_limit_complaints_are_refused_with_429(client, point):
    rules = ComplaintSettings.load()
    rules.submissions_per_client_per_hour = 3
    rules.save()
    statuses = [send(client, point).status_code for _ in range(3)]
    assert statuses == [302, 302, 302]
    refused = send(client, point)
    assert refused.status_code == 429
    assert "Too many complaints from your connection" in refused.content.decode()
    assert Complaint.objects.count() == 3
    # The client that tripped the limit is challenged from now on.
    assert has_challenge(client.get(form_url(point)).content.decode())


def test_the_limit_counts_each_client_on_its_own(client, point, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    rules = ComplaintSettings.load()
    rules.submissions_per_client_per_hour = 1
    rules.save()

    def from_address(address: str) -> int:
        return client.post(
            form_url(point),
            {"service_point": point.code, **COMPLAINT, "shown": stamp_from(60)},
            headers={"X-Forwarded-For": address},
        ).status_code

    assert from_address("203.0.113.1") == 302
    assert from_address("203.0.113.2") == 302  # another tourist, same proxy
    assert from_address("203.0.113.1") == 429


def track_url(reference: str, secret: str) -> str:
    return f"/en/complaints/track/{reference}/{secret}/"


def test_guessing_lookup_links_from_one_client_stops_after_the_limit(
    client, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    rules = ComplaintSettings.load()
    rules.failed_lookups_per_client_per_hour = 5
    rules.save()
    complaint = ComplaintFactory()
    guesser = {"X-Forwarded-For": "203.0.113.7"}
    # Five wrong references, then the right reference with a guessed secret.
    guesses = [
        client.get(track_url(f"JX-000000-AAAA{n}", "guess"), headers=guesser)
        for n in range(5)
    ] + [client.get(track_url(complaint.reference, "guess"), headers=guesser)]
    assert [answer.status_code for answer in guesses] == [404] * 5 + [429]
    refused = guesses[-1]
    html = refused.content.decode()
    assert "Too many attempts to open a complaint" in html
    assert "12301" in html and "96345" in html
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "no-store" in refused["Cache-Control"]
    # Even the right link is refused to the guesser: it must not learn it guessed.
    right = client.get(
        track_url(complaint.reference, complaint.secret), headers=guesser
    )
    assert right.status_code == 429
    assert "Too many attempts to open a complaint" in right.content.decode()
    # Another citizen behind the same proxy opens their complaint as usual.
    other = client.get(
        track_url(complaint.reference, complaint.secret),
        headers={"X-Forwarded-For": "203.0.113.8"},
    )
    assert other.status_code == 200
    assert complaint.reference in other.content.decode()


def test_a_complainant_who_mistypes_the_link_a_few_times_still_opens_it(client):
    complaint = ComplaintFactory()
    for typo in ("JX-000000-AAAAA", complaint.reference + "X", "x"):
        assert client.get(track_url(typo, complaint.secret)).status_code == 404
    opened = client.get(track_url(complaint.reference, complaint.secret))
    assert opened.status_code == 200
    # Right lookups are not counted: a complainant checking often is never refused.
    for _ in range(ComplaintSettings.load().failed_lookups_per_client_per_hour + 1):
        page = client.get(track_url(complaint.reference, complaint.secret))
        assert page.status_code == 200
