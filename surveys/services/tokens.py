"""Tokens and stamps: resume and invitation tokens (stored only as digests),
hour-rounded times, and the signed start stamp of an API client."""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import datetime
from typing import Any

from django.core import signing
from django.utils import timezone

STARTED_SALT = "surveys.api.started"
STARTED_MAX_AGE = 86400  # a longer break is a new visit


def to_the_hour(moment: datetime | None = None) -> datetime:
    return (moment or timezone.now()).replace(minute=0, second=0, microsecond=0)


def new_token() -> str:
    """192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def started_stamp(*, survey_id: int) -> str:
    """A signed "this survey was started now" stamp for an API client."""
    return signing.dumps([survey_id, int(time.time())], salt=STARTED_SALT)


def seconds_since_started(*, survey_id: int, stamp: Any) -> int | None:
    """Seconds since :func:`started_stamp` made ``stamp`` for this survey;
    None when it is forged, stale, malformed or for another survey."""
    if not isinstance(stamp, str) or len(stamp) > 200:
        return None
    try:
        stamped_survey, started = signing.loads(stamp, salt=STARTED_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if stamped_survey != survey_id or not isinstance(started, int):
        return None
    seconds = int(time.time()) - started  # the signed time, on our own clock
    return max(0, seconds) if seconds <= STARTED_MAX_AGE else None
