"""Hypothesis against the public HTML forms: the survey's sections, the
complaint form, the complaint lookup and the public results API.

Each example is a new citizen: the anti-automation state (hourly counters,
suspects, all in the cache) is cleared and the form was shown a minute ago, so
every case reaches validation and saving instead of stopping at the challenge or
the limit that an earlier case tripped. That the challenge does stop a suspect
client is a test of its own here.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from hypothesis import given
from hypothesis import strategies as st

from complaints.models import Complaint
from core import antibot
from surveys.models import Response, ResponseStatus
from tests.antibot import has_challenge, stamp_from
from tests.factories.complaints import ComplaintFactory, scenic_area
from tests.fuzz.conftest import fuzz_settings
from tests.fuzz.invariants import assert_no_server_error, assert_responses_whole
from tests.fuzz.strategies import ANY_TEXT, CODES, FORM_VALUES
from tests.surveys.flow import start

pytestmark = pytest.mark.django_db

SECTION_FIELDS = [code.replace(".other", "__other") for code in CODES] + [
    "website",
    "shown",
]
COMPLAINT_FIELDS = [
    "service_point",
    "category",
    "description",
    "occurred_at",
    "contact_name",
    "contact_phone",
    "contact_email",
    "contact_consent",
    "website",
    "shown",
]
PLAUSIBLE_COMPLAINT = {
    "category": "price",
    "description": "The ticket cost twice the posted price.",
}


def harmless_extra(name: str) -> bool:
    """A field name the complaint form ignores and any multipart parser reads
    (a 2,000-character or quoted name is refused with a 400 before any view)."""
    return (
        name not in COMPLAINT_FIELDS
        and len(name) < 100
        and name.replace("_", "").isalnum()
    )


def new_citizen() -> dict[str, str]:
    """Start an example as a new citizen: no counter, no suspicion (they live in
    the cache), and a form shown a minute ago (more than any minimum fill time).
    Returns the fields that say so, for the example's data to override."""
    cache.clear()
    return {"shown": stamp_from(60)}


def form_data(names: list[str]):
    return st.dictionaries(
        st.one_of(st.sampled_from(names), ANY_TEXT.filter(lambda s: "\x00" not in s)),
        FORM_VALUES,
        max_size=len(names),
    )


def test_any_section_post_keeps_the_response_whole(client, open_survey):
    first = start(client, open_survey)
    base = first.rsplit("/", 2)[0]

    @fuzz_settings(600)
    @given(
        number=st.integers(0, 5),
        data=form_data(SECTION_FIELDS),
        review=st.integers(0, 9),
    )
    def post(number, data, review):
        nonlocal base
        data = {**new_citizen(), **data}
        if Response.objects.filter(status=ResponseStatus.IN_PROGRESS).count() == 0:
            # The last example submitted: answer a new response, or every later
            # case would only be redirected to the thank-you page.
            base = start(client, open_survey).rsplit("/", 2)[0]
        url = f"{base}/review/" if review == 0 else f"{base}/{number}/"
        answer = client.post(url, data)
        assert_no_server_error(answer)

    post()
    rows = Response.objects.filter(survey=open_survey)
    assert rows.filter(status=ResponseStatus.IN_PROGRESS).count() <= 1
    assert set(rows.values_list("status", flat=True)) <= {
        ResponseStatus.IN_PROGRESS,
        ResponseStatus.SUBMITTED,
    }
    assert_responses_whole(open_survey)


def test_any_complaint_post_stores_one_whole_complaint_or_none(client):
    point = scenic_area()
    created = untouched = 0

    @fuzz_settings(1000)
    @given(
        data=form_data(COMPLAINT_FIELDS),
        plausible=st.booleans(),
        fixed=st.booleans(),
    )
    def post(data, plausible, fixed):
        nonlocal created, untouched
        fuzzed = data
        data = {**new_citizen(), **fuzzed}
        if plausible:
            data = {"service_point": point.code, **PLAUSIBLE_COMPLAINT, **data}
        url = f"/en/complaints/new/{point.code}/" if fixed else "/en/complaints/new/"
        answer = client.post(url, data)
        assert_no_server_error(answer)
        # A new citizen's form is validated: never refused by a limit or a
        # challenge that an earlier example tripped.
        assert answer.status_code != 429
        assert not has_challenge(answer.content.decode())
        if plausible and all(harmless_extra(name) for name in fuzzed):
            # Only unknown extra fields were added: it must be saved.
            assert answer.status_code == 302, answer.content[:400]
            untouched += 1
        created += answer.status_code == 302
        assert Complaint.objects.count() == created

    post()
    assert untouched > 0  # the save path itself was exercised
    for complaint in Complaint.objects.all():
        assert len(complaint.description) >= 10 and "\x00" not in complaint.description


def test_a_suspect_client_always_gets_the_challenge_and_stores_nothing(client):
    point = scenic_area()

    # Known field names only: a body Django cannot parse (a 2,000-character
    # name) is refused before any view, with nothing to show a challenge in.
    fields = COMPLAINT_FIELDS + ["challenge_token", "challenge_answer"]

    @fuzz_settings(100)
    @given(data=st.dictionaries(st.sampled_from(fields), FORM_VALUES))
    def post(data):
        data = {
            "service_point": point.code,
            **PLAUSIBLE_COMPLAINT,
            **new_citizen(),
            **data,
        }
        antibot.suspect_mark(antibot.client_key("127.0.0.1"))  # the test client
        answer = client.post(f"/en/complaints/new/{point.code}/", data)
        assert_no_server_error(answer)
        assert answer.status_code == 400
        assert has_challenge(answer.content.decode())

    post()
    assert Complaint.objects.count() == 0


def test_any_lookup_or_follow_up_is_answered_without_a_500(client):
    complaint = ComplaintFactory()

    @fuzz_settings(400)
    @given(
        reference=st.one_of(st.just(complaint.reference), ANY_TEXT),
        secret=st.one_of(st.just(complaint.secret), ANY_TEXT),
        data=form_data(["form", "text", "overall", "speed", "resolved", "comment"]),
        form=st.sampled_from(["information", "feedback", "", "x"]),
    )
    def post(reference, secret, data, form):
        new_citizen()  # earlier wrong links must not trip the lookup limit
        reference = reference.replace("/", "") or "x"
        secret = secret.replace("/", "") or "x"
        url = f"/en/complaints/track/{reference}/{secret}/"
        answer = client.post(url, {"form": form, **data})
        assert_no_server_error(answer)
        assert answer.status_code != 429

    post()


def test_any_results_query_is_answered_without_a_500(client):
    @fuzz_settings(600)
    @given(
        path=st.sampled_from(
            ["/api/v1/results/", "/api/v1/openapi.json", "/results/", "/en/results/"]
        ),
        slug=st.one_of(st.just(""), ANY_TEXT),
        query=st.dictionaries(
            st.sampled_from(["kind", "domain_type", "page", "format", "x"]),
            ANY_TEXT,
            max_size=3,
        ),
    )
    def get(path, slug, query):
        slug = "".join(c for c in slug if c.isalnum())[:50]
        url = path + (f"{slug}/" if slug and not path.endswith(".json") else "")
        answer = client.get(url, query)
        assert_no_server_error(answer)

    get()
