"""Hypothesis against the JSON submission endpoint: any body, any key, never a
500, and exactly one stored row per acknowledged idempotency key."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveys.models import Response
from tests.fuzz.conftest import fuzz_settings
from tests.fuzz.invariants import assert_no_server_error, assert_responses_whole
from tests.fuzz.strategies import IDEMPOTENCY_KEYS, submission_bodies

pytestmark = pytest.mark.django_db


def test_any_json_submission_is_stored_whole_once_or_refused(client, open_survey):
    acknowledged: dict[str, int] = {}
    url = f"/api/surveys/{open_survey.pk}/responses/"

    @fuzz_settings(2500)
    @given(body=submission_bodies(), key=IDEMPOTENCY_KEYS, repeat=st.integers(0, 3))
    def submit(body, key, repeat):
        raw = json.dumps(body, allow_nan=True)
        for _ in range(2 if repeat == 0 else 1):
            answer = client.post(
                url,
                raw,
                content_type="application/json",
                headers={"Idempotency-Key": key},
            )
            assert_no_server_error(answer)
            if answer.status_code in (200, 201):
                stored = answer.json()["id"]
                assert acknowledged.setdefault(key, stored) == stored
            else:
                assert answer.status_code in (400, 413), answer.content[:300]
                assert "error" in answer.json()

    submit()
    assert Response.objects.filter(survey=open_survey).count() == len(acknowledged)
    assert_responses_whole(open_survey)


def test_any_survey_id_and_method_is_answered_without_a_500(client, open_survey):
    @fuzz_settings(200)
    @given(
        survey_id=st.one_of(st.just(open_survey.pk), st.integers(0, 2**62)),
        method=st.sampled_from(["get", "put", "delete", "patch", "post"]),
        content_type=st.sampled_from(
            [
                "application/json",
                "text/plain",
                "multipart/form-data; boundary=x",
                "application/x-www-form-urlencoded",
                "",
            ]
        ),
        raw=st.binary(max_size=300),
    )
    def call(survey_id, method, content_type, raw):
        answer = client.generic(
            method.upper(),
            f"/api/surveys/{survey_id}/responses/",
            raw,
            content_type=content_type,
            headers={"Idempotency-Key": "fuzz-key-0123456789"},
        )
        assert_no_server_error(answer)

    call()
    assert_responses_whole(open_survey)
