"""One pipelined round trip to Redis answers exactly as the separate cache calls
it replaces (counter, suspect flag, duplicate digest), and fails open."""

import secrets

import pytest
from django.core.cache import cache
from django.test import override_settings

from core import antibot
from tests.services import port_open, require


def redis_cache(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"test-{secrets.token_hex(4)}",
        }
    }


def unpipelined(
    *, scope: str, client: str, digest_key: str
) -> antibot.SubmissionChecks:
    return antibot.SubmissionChecks(
        attempts=antibot.attempt_count(scope=scope, client=client),
        duplicate=not cache.add(digest_key, 1, timeout=60),
        suspect=antibot.is_suspect(client),
    )


def sequence(checks) -> list[antibot.SubmissionChecks]:
    """Three submissions of one client (the second repeats the first answers),
    a suspect mark, then a fourth; a second client's first submission."""
    seen = [
        checks(scope="survey", client="abc", digest_key="answers-1"),
        checks(scope="survey", client="abc", digest_key="answers-1"),
        checks(scope="survey", client="abc", digest_key="answers-2"),
    ]
    antibot.suspect_mark("abc")
    seen.append(checks(scope="survey", client="abc", digest_key="answers-3"))
    seen.append(checks(scope="survey", client="xyz", digest_key="xyz-answers-1"))
    return seen


EXPECTED = [
    antibot.SubmissionChecks(attempts=1, duplicate=False, suspect=False),
    antibot.SubmissionChecks(attempts=2, duplicate=True, suspect=False),
    antibot.SubmissionChecks(attempts=3, duplicate=False, suspect=False),
    antibot.SubmissionChecks(attempts=4, duplicate=False, suspect=True),
    antibot.SubmissionChecks(attempts=1, duplicate=False, suspect=False),
]


def test_pipelined_checks_on_redis_count_and_flag_like_the_separate_calls():
    require(port_open("127.0.0.1", 6379), "Redis (127.0.0.1:6379)")
    # A fresh key prefix for each run (no flush: other tests share the db;
    # every key expires within a day).
    with override_settings(CACHES=redis_cache("redis://127.0.0.1:6379/15")):
        piped = sequence(antibot.submission_checks)
        # What the pipeline wrote, read back through the plain cache calls.
        assert antibot.attempts_this_hour(scope="survey", client="abc") == 4
        assert cache.add("answers-2", 1) is False
    with override_settings(CACHES=redis_cache("redis://127.0.0.1:6379/15")):
        separate = sequence(unpipelined)
    assert piped == separate == EXPECTED


def test_checks_on_another_cache_use_the_plain_calls():
    cache.clear()
    assert sequence(antibot.submission_checks) == EXPECTED
    cache.clear()


def test_checks_while_redis_is_down_read_as_a_first_innocent_attempt(caplog):
    with override_settings(CACHES=redis_cache("redis://127.0.0.1:1/0")):
        for _ in range(3):
            checks = antibot.submission_checks(
                scope="survey", client="abc", digest_key="answers-1"
            )
            assert checks == antibot.SubmissionChecks(1, False, False)
    assert "cache unreachable" in caplog.text


@pytest.mark.parametrize("digest_key", [None, ""])
def test_without_a_digest_nothing_is_a_duplicate(digest_key):
    cache.clear()
    for _ in range(2):
        checks = antibot.submission_checks(
            scope="survey", client="abc", digest_key=digest_key
        )
    assert checks.attempts == 2 and not checks.duplicate
    cache.clear()
