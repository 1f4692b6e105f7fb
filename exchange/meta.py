"""The interview columns of a response file: service point, channel, date,
language and interviewer, each parsed through its distinct values.

:func:`interview_reader` reads the reference data once per file, then parses
the columns of each chunk of rows; a value is parsed once per file.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import numpy as np
import pandas as pd
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from exchange import columns as cols
from exchange.validation import error_frame
from surveys.models import Channel, ServicePoint

LANGUAGES = {"zh-hans": "zh-hans", "zh": "zh-hans", "中文": "zh-hans", "en": "en"}
LANGUAGES |= {"english": "en", "英文": "en", "英语": "en", "chinese": "zh-hans"}
MAX_INTERVIEWER = 40
EARLIEST = datetime(2000, 1, 1)


def _by_distinct(frame, column, parse, errors, *, required, default, convert=None):
    """Parse a meta column through its distinct texts; ``parse`` returns
    (value, message). ``convert`` turns the distinct values into an array
    before they are spread over the rows."""
    n = len(frame)
    if column is None:
        values = np.array([default], dtype=object)
        return (convert(values) if convert else values)[np.zeros(n, dtype=np.int64)]
    codes, uniques = pd.factorize(frame[column.position], sort=False)
    parsed = [
        parse(u) if u != "" else (default, _blank_message(required)) for u in uniques
    ]
    values = np.array([v for v, _m in parsed] + [default], dtype=object)
    if convert is not None:
        values = convert(values)
    messages = np.array(
        [
            m if (u != "" or required) else None
            for (_v, m), u in zip(parsed, uniques, strict=True)
        ]
        + [None],
        dtype=object,
    )
    bad = np.array([m is not None for m in messages], dtype=bool)[codes]
    if bad.any():
        rows = np.flatnonzero(bad)
        errors.append(
            error_frame(
                rows,
                column.header,
                np.asarray(uniques, dtype=object)[codes[rows]],
                messages[codes[rows]],
            )
        )
    return values[codes]


def _blank_message(required: bool) -> str | None:
    return _("This cell must not be blank.") if required else None


@dataclass
class Interview:
    """The interview columns of each row: service point, channel, hour,
    language and interviewer."""

    point_ids: np.ndarray  # int64, 0 when none
    channel: np.ndarray
    started: np.ndarray  # datetime64[us] UTC
    language: np.ndarray
    interviewer: np.ndarray


ReadInterview = Callable[[pd.DataFrame, list[pd.DataFrame]], Interview]


def interview_reader(column_map) -> ReadInterview:
    """A function that parses the interview columns of a chunk of rows,
    appending the problems to a list. The service points are read here, once:
    the dry run's COPY holds the connection while the chunks are parsed."""
    columns = [
        (column_map.meta(cols.SERVICE_POINT), _point_parser(), False, 0, _ids),
        (column_map.meta(cols.CHANNEL), _channel_parser(), True, "", None),
        (column_map.meta(cols.INTERVIEW_DATE), _date_parser(), True, None, _as_utc),
        (column_map.meta(cols.LANGUAGE), _language_parser, False, "zh-hans", None),
        (column_map.meta(cols.INTERVIEWER), _interviewer_parser, False, "", None),
    ]

    def read(frame: pd.DataFrame, errors: list[pd.DataFrame]) -> Interview:
        return Interview(
            *(
                _by_distinct(
                    frame,
                    column,
                    parse,
                    errors,
                    required=required,
                    default=default,
                    convert=convert,
                )
                for column, parse, required, default, convert in columns
            )
        )

    return read


def _ids(values: np.ndarray) -> np.ndarray:
    return values.astype(np.int64)


def _point_parser():
    lookup: dict[str, int] = {}
    for pk, code, name, name_en in ServicePoint.objects.values_list(
        "pk", "code", "name", "name_en"
    ):
        for text in (name_en, name):
            if text:
                lookup.setdefault(_fold(text), pk)
        lookup[code] = pk
        lookup.setdefault(_fold(code), pk)

    @cache
    def parse(text):
        pk = lookup.get(text) or lookup.get(_fold(text))
        if pk is None:
            return 0, _(
                "Unknown service point: expected the code or name of a service "
                "point in Reference data → Service points."
            )
        return pk, None

    return parse


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _channel_parser():
    lookup = {}
    for language in ("en", "zh-hans"):
        with override(language):
            for value, label in Channel.choices:
                lookup[_fold(str(label))] = value
    lookup |= {value: value for value in Channel.values}
    lookup |= {"电话": Channel.PHONE, "纸质": Channel.PAPER, "纸质问卷": Channel.PAPER}
    lookup |= {"网络": Channel.WEB, "网上": Channel.WEB, "二维码": Channel.QR}
    choices = ", ".join(Channel.values)

    @cache
    def parse(text):
        value = lookup.get(_fold(text))
        if value is None:
            return "", _("Unknown channel: expected one of %(choices)s.") % {
                "choices": choices
            }
        return str(value), None

    return parse


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
DATETIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M")
DATETIME_FORMATS += ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y/%m/%d %H:%M:%S")


def parse_interview_date(text: str) -> datetime | None:
    """A local date or date-time as people and Excel write them, else None."""
    text = unicodedata.normalize("NFKC", text).strip()
    text = text.removesuffix("+08:00").removesuffix("Z")
    for pattern in DATE_FORMATS + DATETIME_FORMATS:
        try:
            return datetime.strptime(text, pattern)  # noqa: DTZ007 - local time
        except ValueError:
            continue
    if text.replace(".", "", 1).isdigit():  # an Excel serial number left as a number
        serial = float(text)
        if 20_000 < serial < 80_000:
            return datetime(1899, 12, 30) + timedelta(days=serial)
    return None


def _date_parser():
    tz = timezone.get_default_timezone()
    latest = timezone.now() + timedelta(days=1)

    @cache
    def parse(text):
        moment = parse_interview_date(text)
        if moment is None:
            return None, _(
                "Not a date: expected a date such as 2026-11-03, 2026/11/3 or "
                "2026年11月3日 (a time may follow)."
            )
        aware = timezone.make_aware(
            moment.replace(minute=0, second=0, microsecond=0), tz
        )
        if aware > latest or moment < EARLIEST:
            return None, _("The date is in the future or before 2000.")
        return aware, None

    return parse


def _as_utc(values: np.ndarray) -> np.ndarray:
    series = pd.to_datetime(pd.Series(values, dtype=object), utc=True)
    return series.to_numpy(dtype="datetime64[us]")


def _language_parser(text):
    value = LANGUAGES.get(_fold(text))
    if value is None:
        return "zh-hans", _("Unknown language: expected zh-hans or en.")
    return value, None


def _interviewer_parser(text):
    if len(text) > MAX_INTERVIEWER:
        return "", _("Interviewer ids have at most %(n)d characters.") % {
            "n": MAX_INTERVIEWER
        }
    return text, None
