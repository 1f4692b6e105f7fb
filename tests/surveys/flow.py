"""Drive the answering flow with Django's test client."""

from __future__ import annotations

import re

from surveys.models import Response

SECTION_ANSWERS = {
    1: {
        "q_visited": "yes",
        "q_channels": ["web", "other"],
        "q_channels__other": "海报",
        "q_wait": "15",
    },
    2: {"q_staff": "4", "q_overall": "9", "q_nps": "10"},
    3: {
        "q_name": "A-17",
        "q_comment": "<script>alert(1)</script>",
        "d_gender": "female",
    },
}
EXPECTED = {
    "q_visited": "yes",
    "q_channels": ["web", "other"],
    "q_channels.other": "海报",
    "q_wait": 15,
    "q_staff": 4,
    "q_overall": 9,
    "q_nps": 10,
    "q_name": "A-17",
    "q_comment": "<script>alert(1)</script>",
    "d_gender": "female",
}


def start(client, survey, query: str = "", prefix: str = "") -> str:
    """Start a response; returns the URL of the first section."""
    response = client.post(prefix + survey.url + "start/" + query, {"ch": "qr"})
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def token_of(url: str) -> str:
    return re.search(r"/r/([^/]+)/", url).group(1)


def answer_all(client, survey, prefix: str = "") -> str:
    """Answer every section; returns the review URL."""
    url = start(client, survey, prefix=prefix)
    for number in (1, 2, 3):
        assert url.endswith(f"/{number}/"), url
        response = client.post(url, SECTION_ANSWERS[number])
        assert response.status_code == 302, response.content.decode()[:3000]
        url = response["Location"]
    assert url.endswith("/review/")
    return url


def only_response(survey) -> Response:
    responses = list(Response.objects.filter(survey=survey))
    assert len(responses) == 1
    return responses[0]
