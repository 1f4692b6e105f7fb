"""A curated corpus of known-bad input sent to every public endpoint: a 4xx or
a page, never a 500, and nothing stored."""

from __future__ import annotations

import pytest

from complaints.models import Complaint
from surveys.models import Response
from tests.factories.complaints import ComplaintFactory, scenic_area
from tests.fuzz.invariants import assert_no_server_error
from tests.surveys.flow import start

pytestmark = pytest.mark.django_db

TEN_MB = 10 * 1024 * 1024
JSON_BODIES = {
    "nan": b'{"answers": {"q_wait": NaN, "q_overall": 5}}',
    "infinity": b'{"answers": {"q_wait": Infinity}}',
    "minus-infinity": b'{"answers": {"q_wait": -Infinity}}',
    "huge-integer": b'{"answers": {"q_wait": ' + b"9" * 4000 + b"}}",
    "huge-exponent": b'{"answers": {"q_wait": 1e999999}}',
    "huge-duration": b'{"answers": {}, "duration_seconds": 1e308}',
    "nul-in-text": b'{"answers": {"q_comment": "a\\u0000b"}}',
    "nul-in-key": b'{"answers": {"q_\\u0000wait": 1}}',
    "raw-nul": b'{"answers": \x00}',
    "invalid-utf8": b'{"answers": {"q_comment": "\xff\xfe\xc3\x28"}}',
    "lone-surrogate": b'{"answers": {"q_comment": "\\ud800"}}',
    "deep-array": b"[" * 100_000 + b"]" * 100_000,
    "deep-object": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "deep-answers": b'{"answers": {"q_channels": ' + b"[" * 5000 + b"]" * 5000 + b"}}",
    "duplicate-keys": b'{"answers": {"q_wait": 1, "q_wait": "x", "q_wait": 999}}',
    "duplicate-top": b'{"answers": {}, "answers": [1]}',
    "ten-megabytes": b'{"answers": {"q_comment": "' + b"x" * TEN_MB + b'"}}',
    "empty": b"",
    "bom": b'\xef\xbb\xbf{"answers": {}}',
    "utf16": '{"answers": {}}'.encode("utf-16"),
}
FORM_BODIES = {
    "invalid-utf8": b"q_comment=%FF%FE%C3%28&q_name=\xff\xfe",
    "nul": b"q_comment=a%00b&description=%00%00%00%00%00%00%00%00%00%00%00",
    "ten-megabytes": b"q_comment=" + b"x" * TEN_MB,
    "many-fields": b"&".join(b"f%d=1" % n for n in range(5000)),
    "broken-escape": b"q_wait=%&q_overall=%G1&%%%=1",
    "huge-number": b"q_wait=" + b"9" * 5000 + b"&q_overall=1e309",
    "nan": b"q_wait=NaN&q_overall=Infinity&q_nps=-inf",
}


@pytest.mark.parametrize("name", sorted(JSON_BODIES))
def test_a_hostile_json_body_is_refused_and_nothing_stored(client, open_survey, name):
    answer = client.post(
        f"/api/surveys/{open_survey.pk}/responses/",
        JSON_BODIES[name],
        content_type="application/json",
        headers={"Idempotency-Key": "corpus-key-0123456789"},
    )
    assert answer.status_code in (400, 413), answer.content[:300]
    assert not Response.objects.exists()


@pytest.mark.parametrize("name", sorted(FORM_BODIES))
def test_a_hostile_form_body_is_refused_on_every_public_form(client, open_survey, name):
    first = start(client, open_survey)
    point = scenic_area()
    complaint = ComplaintFactory(service_point=point)
    urls = [
        first,
        first.rsplit("/", 2)[0] + "/review/",
        f"/en/complaints/new/{point.code}/",
        "/complaints/new/",
        f"/en/complaints/track/{complaint.reference}/{complaint.secret}/",
        open_survey.url + "start/",
    ]
    for url in urls:
        answer = client.generic(
            "POST",
            url,
            FORM_BODIES[name],
            content_type="application/x-www-form-urlencoded",
        )
        assert_no_server_error(answer)
    assert Complaint.objects.count() == 1
    # The hostile start may open a second, empty response; none has answers.
    assert [r.answers for r in Response.objects.all()] in ([{}], [{}, {}])
