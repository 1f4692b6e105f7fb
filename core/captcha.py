"""A self-hosted, accessible challenge for clients that behaved like a script.

No third-party service (Google's are unreachable in mainland China). The
challenge is a small sum, asked as text in the page's language, so screen
readers read it and elderly citizens can answer it, with a large-print image of
the same sum beside it. The page carries it as a signed token (numbers, a nonce,
the time it was made); the token expires and works once: answering records its
nonce in :class:`core.models.UsedChallenge`, whose unique constraint refuses a
replay even when two workers see it at the same moment.

A program written for this site can read the sum, like a screen reader: the
challenge only stops generic form spammers. The hard bound on what one client
can store is the hourly limit of :mod:`core.antibot`, which applies to
challenge solvers too.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import secrets
import unicodedata
from dataclasses import dataclass

from django import forms
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import UsedChallenge

SALT = "core.captcha"
MAX_AGE = 20 * 60  # seconds: time enough for someone slow to read and type
TOKEN_FIELD = "challenge_token"  # noqa: S105 - a form field name
ANSWER_FIELD = "challenge_answer"
LEFT = (10, 39)
RIGHT = (1, 9)
CHINESE_DIGITS = {
    **{ch: n for n, ch in enumerate("零一二三四五六七八九")},
    "〇": 0,
    "两": 2,
}


class ChallengeRefused(Exception):
    """The answer does not pass; ``message`` says why, fit to show the citizen."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Challenge:
    left: int
    right: int
    token: str

    @property
    def question(self) -> str:
        return gettext("What is %(left)d plus %(right)d?") % {
            "left": self.left,
            "right": self.right,
        }

    @cached_property
    def image_data_uri(self) -> str:
        """The sum as a large-print PNG (``data:`` URI: the policy allows it)."""
        return "data:image/png;base64," + base64.b64encode(
            sum_image(self.left, self.right)
        ).decode("ascii")


def challenge_new() -> Challenge:
    """A fresh challenge with its signed, expiring, single-use token."""
    left = LEFT[0] + secrets.randbelow(LEFT[1] - LEFT[0] + 1)
    right = RIGHT[0] + secrets.randbelow(RIGHT[1] - RIGHT[0] + 1)
    token = signing.dumps(
        {"l": left, "r": right, "n": secrets.token_hex(16)}, salt=SALT
    )
    return Challenge(left=left, right=right, token=token)


def sum_image(left: int, right: int) -> bytes:
    """PNG of "left + right = ?" in dark digits on white, 44 px high."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (260, 72), color=255)
    draw = ImageDraw.Draw(image)
    draw.text(
        (14, 10), f"{left} + {right} = ?", fill=20, font=ImageFont.load_default(44)
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def parse_answer(text: str | None) -> int | None:
    """The number typed: ASCII or full-width digits, or Chinese numerals below
    100 (handwriting and pinyin keyboards give those); None if it is neither."""
    value = unicodedata.normalize("NFKC", (text or "").strip())
    if len(value) > 4:  # every answer has at most 2 digits or 4 numerals
        return None
    if value.isascii() and value.isdigit():
        return int(value)
    if not value or any(ch not in CHINESE_DIGITS and ch != "十" for ch in value):
        return None
    if "十" not in value:
        return CHINESE_DIGITS[value] if len(value) == 1 else None
    tens, _ten, units = value.partition("十")
    if len(tens) > 1 or len(units) > 1 or "十" in units:
        return None
    return CHINESE_DIGITS.get(tens, 1) * 10 + CHINESE_DIGITS.get(units, 0)


def _consume(nonce: str, *, now: dt.datetime) -> bool:
    """Record ``nonce`` as answered; False if it already was."""
    UsedChallenge.objects.filter(expires_at__lt=now).delete()
    try:
        with transaction.atomic():
            UsedChallenge.objects.create(
                nonce=nonce, expires_at=now + dt.timedelta(seconds=MAX_AGE)
            )
    except IntegrityError:
        return False
    return True


def challenge_check(*, token: str | None, answer: str | None) -> None:
    """Pass silently on the right answer to an unused, unexpired challenge;
    otherwise raise :class:`ChallengeRefused`. Any answer uses the token up."""
    if not token:
        raise ChallengeRefused(gettext("Please answer the question below."))
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        left, right, nonce = int(payload["l"]), int(payload["r"]), str(payload["n"])
    except signing.SignatureExpired:
        raise ChallengeRefused(
            gettext("The question expired. Please answer this new one.")
        ) from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ChallengeRefused(
            gettext("The question was not recognised. Please answer this new one.")
        ) from None
    value = parse_answer(answer)
    if value is None:
        raise ChallengeRefused(
            gettext("Please type the answer as a number, for example 15.")
        )
    if not _consume(nonce[:32], now=timezone.now()):
        raise ChallengeRefused(
            gettext("That question was already answered. Please answer this new one.")
        )
    if value != left + right:
        raise ChallengeRefused(
            gettext("That answer is not right. Please answer this new question.")
        )


class ChallengeForm(forms.Form):
    """The challenge's two fields; ``challenge`` is the new one to show (a
    refused or used one is never shown again). The page renders the fields itself
    (``includes/challenge.html``) so that the new token is sent.

    The check is :meth:`passes`, not ``clean``: rendering a bound form's errors
    must not use the challenge up (a complaint with a typo keeps it).
    """

    challenge_token = forms.CharField(required=False, max_length=500)
    challenge_answer = forms.CharField(
        label=_("Your answer"), required=False, max_length=20
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.challenge = challenge_new()

    def passes(self) -> bool:
        """Check the answer (using the challenge up); False with the reason on
        the answer field."""
        if not self.is_valid():
            return False
        try:
            challenge_check(
                token=self.cleaned_data[TOKEN_FIELD],
                answer=self.cleaned_data[ANSWER_FIELD],
            )
        except ChallengeRefused as refused:
            self.add_error(ANSWER_FIELD, refused.message)
            return False
        return True
