"""Test helpers for the anti-automation checks: act like a citizen, or like a
program that reads the challenge the way a screen reader does."""

from __future__ import annotations

import re
import time

from django.core import signing

from core import antibot, captcha

TOKEN = re.compile(r'name="challenge_token" value="([^"]+)"')


def stamp_from(seconds_ago: int) -> str:
    """A "form shown at" stamp as if the form had been shown ``seconds_ago``."""
    return signing.dumps(int(time.time()) - seconds_ago, salt=antibot.SHOWN_SALT)


def has_challenge(html: str) -> bool:
    return 'name="challenge_token"' in html


def solved(html: str) -> dict[str, str]:
    """The challenge fields of a page, answered right (in any page language:
    the sum is read from the token, as a program reads the question's text)."""
    token = TOKEN.search(html).group(1)
    numbers = signing.loads(token, salt=captcha.SALT)
    return {
        "challenge_token": token,
        "challenge_answer": str(numbers["l"] + numbers["r"]),
    }
