"""A Redis cache that behaves like an empty one while Redis is unreachable.

The cache only holds counters and memos (submission limits, suspected bots,
duplicate digests, medians). Losing them for the length of a Redis outage lets
a few more submissions through the limits; failing every submission with a 500
would lose citizens' answers, which is worse. So each call that cannot reach
Redis is logged and answered as a cache miss.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (ConnectionError, TimeoutError)


def _miss(fallback: Callable[..., Any]) -> Callable[[Callable[..., Any]], Any]:
    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def call(self: RedisCache, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as error:
                logger.warning("cache unreachable in %s: %s", method.__name__, error)
                return fallback(*args, **kwargs)

        return call

    return decorate


def _missing_key(*args: Any, **kwargs: Any) -> Any:
    # What incr/decr raise for a key that is not there.
    raise ValueError("cache unreachable")


class ResilientRedisCache(RedisCache):
    """RedisCache whose calls answer like an empty cache when Redis is down."""

    get = _miss(lambda key, default=None, **kw: default)(RedisCache.get)
    get_many = _miss(lambda keys, **kw: {})(RedisCache.get_many)
    has_key = _miss(lambda key, **kw: False)(RedisCache.has_key)
    # add() reports "stored": callers read False as "seen before", and a
    # submission must not be called a duplicate because Redis is down.
    add = _miss(lambda key, value, timeout=None, **kw: True)(RedisCache.add)
    set = _miss(lambda *a, **kw: None)(RedisCache.set)
    set_many = _miss(lambda data, **kw: list(data))(RedisCache.set_many)
    touch = _miss(lambda *a, **kw: False)(RedisCache.touch)
    delete = _miss(lambda *a, **kw: False)(RedisCache.delete)
    delete_many = _miss(lambda *a, **kw: None)(RedisCache.delete_many)
    incr = _miss(_missing_key)(RedisCache.incr)
    decr = _miss(_missing_key)(RedisCache.decr)
