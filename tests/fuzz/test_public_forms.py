"""Hypothesis against the public HTML forms: the survey's sections, the
complaint form, the complaint lookup and the public results API."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaints.models import Complaint
from surveys.models import Response, ResponseStatus
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
]


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
        url = f"{base}/review/" if review == 0 else f"{base}/{number}/"
        answer = client.post(url, data)
        assert_no_server_error(answer)

    post()
    rows = Response.objects.filter(survey=open_survey)
    assert rows.count() == 1
    assert rows.get().status in (ResponseStatus.IN_PROGRESS, ResponseStatus.SUBMITTED)
    assert_responses_whole(open_survey)


def test_any_complaint_post_stores_one_whole_complaint_or_none(client):
    point = scenic_area()
    created = 0

    @fuzz_settings(1000)
    @given(
        data=form_data(COMPLAINT_FIELDS),
        plausible=st.booleans(),
        fixed=st.booleans(),
    )
    def post(data, plausible, fixed):
        nonlocal created
        if plausible:
            data = {
                "service_point": point.code,
                "category": "price",
                "description": "The ticket cost twice the posted price.",
                **data,
            }
        url = f"/en/complaints/new/{point.code}/" if fixed else "/en/complaints/new/"
        answer = client.post(url, data)
        assert_no_server_error(answer)
        created += answer.status_code == 302
        assert Complaint.objects.count() == created

    post()
    for complaint in Complaint.objects.all():
        assert len(complaint.description) >= 10 and "\x00" not in complaint.description


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
        reference = reference.replace("/", "") or "x"
        secret = secret.replace("/", "") or "x"
        url = f"/en/complaints/track/{reference}/{secret}/"
        answer = client.post(url, {"form": form, **data})
        assert_no_server_error(answer)

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
