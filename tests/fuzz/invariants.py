"""What must hold after any input: no 500, no partial and no duplicate rows."""

from __future__ import annotations

from collections import Counter

from surveys.models import Response, ResponseStatus
from surveys.services import first_unanswered_section, questionnaire_for

ACCEPTABLE = {200, 201, 301, 302, 400, 403, 404, 405, 409, 410, 413, 429}


def assert_no_server_error(http_response) -> None:
    assert http_response.status_code in ACCEPTABLE, (
        http_response.status_code,
        http_response.content[:400],
    )


def assert_responses_whole(survey) -> None:
    """Every submitted response answers every required visible question, and
    no idempotency key is stored twice."""
    rows = list(Response.objects.filter(survey=survey))
    keys = Counter(row.idempotency_key for row in rows)
    assert max(keys.values(), default=1) == 1
    for row in rows:
        if row.status != ResponseStatus.SUBMITTED:
            continue
        questionnaire = questionnaire_for(row)
        visible = questionnaire.keep_visible(row.answers)
        assert first_unanswered_section(questionnaire, visible) is None, row.answers
        assert set(row.answers) <= set(visible) | {
            k for k in row.answers if k.endswith(".other")
        }, row.answers
