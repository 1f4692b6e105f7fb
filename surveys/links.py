"""Signed short links for counter posters: /q/<survey>/<service point>/<mac>/."""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.conf import settings
from django.urls import reverse

MAC_LENGTH = 12  # 72 bits: forging one link takes ~2**71 tries


def _mac(survey_id: int, point_code: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        f"short-link:{survey_id}:{point_code}".encode(),
        hashlib.sha256,
    ).digest()
    return base64.urlsafe_b64encode(digest).decode()[:MAC_LENGTH]


def short_link_path(survey_id: int, point_code: str) -> str:
    return reverse(
        "surveys_short_link",
        kwargs={
            "survey_id": survey_id,
            "point": point_code,
            "mac": _mac(survey_id, point_code),
        },
    )


def short_link_valid(survey_id: int, point_code: str, mac: str) -> bool:
    return hmac.compare_digest(_mac(survey_id, point_code), mac)
