"""Telling citizens from scripts on the anonymous forms (surveys, complaints).

One implementation for every public form: a daily-rotating keyed hash of the
client address, hourly counters per form and client, signed "form shown at"
stamps for the minimum fill time, and the list of suspected clients whose next
forms carry a challenge (:mod:`core.captcha`). Everything here lives in the
cache; nothing in the database, so no address, not even hashed, is kept past
the day (docs/security.md).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.addresses import client_address
from core.cache import UNREACHABLE

logger = logging.getLogger(__name__)

HONEYPOT_FIELD = "website"
SHOWN_FIELD = "shown"
SHOWN_SALT = "core.antibot.shown"
# A form kept open longer than this is stale: its stamp proves nothing more.
SHOWN_MAX_AGE = 24 * 3600
# How long a client that tripped a heuristic keeps getting challenges. The key
# rotates daily anyway, so a shared address (a carrier NAT) is not stuck with them.
SUSPECT_SECONDS = 6 * 3600


def client_key(address: str) -> str:
    """A keyed hash of the client address whose key changes every day.

    Used only inside cache keys (rate limits, duplicates, suspicion); never
    stored in the database and never linkable across days.
    """
    secret = getattr(settings, "ADDRESS_HASH_KEY", "") or settings.SECRET_KEY
    day = timezone.now().strftime("%Y-%m-%d")
    salt = hmac.new(
        secret.encode(), f"client-salt:{day}".encode(), hashlib.sha256
    ).digest()
    return hmac.new(salt, address.encode(), hashlib.sha256).hexdigest()


def request_client_key(request: HttpRequest) -> str:
    """:func:`client_key` of the request's client (behind trusted proxies too)."""
    return client_key(client_address(request))


def _hour_key(scope: str, client: str) -> str:
    return f"antibot:count:{scope}:{client}:{timezone.now():%Y%m%d%H}"


def attempt_count(*, scope: str, client: str) -> int:
    """Count one attempt of ``client`` at ``scope`` this hour; return the count."""
    key = _hour_key(scope, client)
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        return 1


def attempts_this_hour(*, scope: str, client: str) -> int:
    """How many attempts :func:`attempt_count` counted this hour (counts none)."""
    return int(cache.get(_hour_key(scope, client)) or 0)


def seconds_to_next_hour() -> int:
    """When the hourly counters start again: a refusal's ``Retry-After``."""
    now = timezone.now()
    return 3600 - now.minute * 60 - now.second


def limit_exceeded(*, scope: str, client: str, limit: int) -> bool:
    """Count one attempt; True once past ``limit`` this hour. The caller decides
    what a refusal means (a 429, and :func:`suspect_mark` on the forms)."""
    return attempt_count(scope=scope, client=client) > limit


def _suspect_key(client: str) -> str:
    return f"antibot:suspect:{client}"


def suspect_mark(client: str) -> None:
    """The client tripped a heuristic: challenge its next forms."""
    cache.set(_suspect_key(client), 1, timeout=SUSPECT_SECONDS)


def is_suspect(client: str) -> bool:
    return bool(cache.get(_suspect_key(client)))


DIGEST_SECONDS = 86400  # a digest marks the same answers again for a day


@dataclass(frozen=True)
class SubmissionChecks:
    """What the cache knows of one submission from one client."""

    attempts: int  # this hour's attempts at the scope, this one included
    duplicate: bool  # the same digest was already recorded today
    suspect: bool  # the client tripped a heuristic earlier (:func:`suspect_mark`)


def submission_checks(
    *, scope: str, client: str, digest_key: str | None = None
) -> SubmissionChecks:
    """Count one attempt, read the suspect flag and record ``digest_key``.

    The same keys and meaning as :func:`attempt_count`, :func:`is_suspect` and
    ``cache.add(digest_key)``, but on Redis as one pipelined round trip: four
    separate ones cost more server CPU than the rest of a submission's cache
    work. Redis down counts as a first attempt, no duplicate, no suspicion, as
    :class:`core.cache.ResilientRedisCache` answers each call.
    """
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        try:
            return _pipelined_checks(backend, scope, client, digest_key)
        except UNREACHABLE as error:
            logger.warning("cache unreachable in submission_checks: %s", error)
            return SubmissionChecks(attempts=1, duplicate=False, suspect=False)
    return SubmissionChecks(
        attempts=attempt_count(scope=scope, client=client),
        duplicate=bool(digest_key)
        and not cache.add(digest_key, 1, timeout=DIGEST_SECONDS),
        suspect=is_suspect(client),
    )


def _pipelined_checks(
    backend: RedisCache, scope: str, client: str, digest_key: str | None
) -> SubmissionChecks:
    hour_key = backend.make_and_validate_key(_hour_key(scope, client))
    suspect_key = backend.make_and_validate_key(_suspect_key(client))
    # RedisCache writes to its first server only; these keys are written there.
    redis = backend._cache.get_client(hour_key, write=True)
    # MULTI/EXEC: the counter's "create with its expiry" and "increment" can no
    # longer be split by the key expiring in between (attempt_count's retry).
    with redis.pipeline(transaction=True) as pipe:
        pipe.set(hour_key, 0, ex=3600, nx=True)
        pipe.incr(hour_key)
        pipe.get(suspect_key)
        if digest_key:
            digest = backend.make_and_validate_key(digest_key)
            pipe.set(digest, 1, ex=DIGEST_SECONDS, nx=True)
        replies = pipe.execute()
    suspect = replies[2]
    return SubmissionChecks(
        attempts=int(replies[1]),
        duplicate=bool(digest_key) and not replies[3],
        suspect=suspect is not None and bool(backend._cache._serializer.loads(suspect)),
    )


def shown_stamp() -> str:
    """A signed "form shown now" value for the form's hidden ``shown`` field."""
    return signing.dumps(int(time.time()), salt=SHOWN_SALT)


def seconds_since_shown(stamp: str | None) -> int:
    """Seconds since :func:`shown_stamp` made ``stamp``; 0 when it is missing,
    forged or stale, so a form posted without one counts as filled too fast."""
    try:
        shown = signing.loads(stamp or "", salt=SHOWN_SALT, max_age=SHOWN_MAX_AGE)
        return max(0, int(time.time()) - int(shown))
    except (signing.BadSignature, TypeError, ValueError):
        return 0


def looks_automated(*, honeypot: str | None, seconds: int, min_seconds: int) -> bool:
    """The form heuristics: the hidden field was filled, or it was filled faster
    than a person reads it."""
    return bool(honeypot) or seconds < min_seconds


class AutomationChecksMixin(forms.Form):
    """The honeypot and the "shown at" stamp of a public form.

    The stamp survives a re-display after an error (the bound value is sent
    back), so a citizen correcting a typo is not timed from the correction.
    """

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    shown = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields[SHOWN_FIELD].initial = shown_stamp()

    @property
    def honeypot_filled(self) -> bool:
        # Read from the raw data: the field never fails validation, and a filled
        # honeypot must be seen even when the rest of the form is invalid.
        return bool(self.data.get(HONEYPOT_FIELD))

    def seconds_on_screen(self) -> int:
        """Seconds since the form was first shown (0 without a valid stamp)."""
        return seconds_since_shown(self.data.get(SHOWN_FIELD))

    def looks_automated(self, *, min_seconds: int) -> bool:
        return looks_automated(
            honeypot=self.data.get(HONEYPOT_FIELD),
            seconds=self.seconds_on_screen(),
            min_seconds=min_seconds,
        )
