"""The shared cache keeps counting with Redis up and answers like an empty
cache with Redis down, so a Redis outage never turns a submission into a 500."""

import secrets

import pytest
from django.test import override_settings

from core.antibot import attempt_count
from core.cache import ResilientRedisCache
from tests.services import port_open, require


def cache_at(location: str) -> ResilientRedisCache:
    return ResilientRedisCache(
        location, {"KEY_PREFIX": f"test-{secrets.token_hex(4)}", "TIMEOUT": 60}
    )


@pytest.fixture
def down():
    # Nothing listens on port 1; redis-py fails fast with a ConnectionError.
    return cache_at("redis://127.0.0.1:1/0")


def test_an_unreachable_redis_reads_as_an_empty_cache(down, caplog):
    assert down.get("limit", "default") == "default"
    assert down.get_many(["a", "b"]) == {}
    assert down.has_key("a") is False
    down.set("a", 1)
    down.delete("a")
    assert "cache unreachable" in caplog.text


def test_an_unreachable_redis_never_calls_a_first_submission_a_duplicate(down):
    assert down.add("answers-digest", 1) is True
    assert down.add("answers-digest", 1) is True


def test_counting_while_redis_is_down_behaves_as_a_missing_counter(down):
    with pytest.raises(ValueError):
        down.incr("hourly")


def test_hourly_limits_count_from_one_again_while_redis_is_down():
    down_cache = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=down_cache):
        assert attempt_count(scope="survey", client="abc") == 1
        assert attempt_count(scope="survey", client="abc") == 1


def test_a_reachable_redis_counts_and_remembers():
    require(port_open("127.0.0.1", 6379), "Redis (127.0.0.1:6379)")
    up = cache_at("redis://127.0.0.1:6379/15")
    assert up.add("digest", 1) is True
    assert up.add("digest", 1) is False
    up.set("hourly", 1)
    assert up.incr("hourly") == 2
    up.delete_many(["digest", "hourly"])
