"""Header cells -> what each column holds, in Chinese or English, or why not."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from exchange.problems import Problem
from surveys.questionnaire import OTHER_SUFFIX, Questionnaire

SERVICE_POINT = "service_point"
CHANNEL = "channel"
INTERVIEW_DATE = "interview_date"
INTERVIEWER = "interviewer_id"
LANGUAGE = "language"
RESPONSE_ID = "response_id"

# What people head these columns with; compared after normalize_header().
META_ALIASES: dict[str, tuple[str, ...]] = {
    SERVICE_POINT: ("service point", "service point code", "服务点", "服务点编码"),
    CHANNEL: ("channel", "mode", "渠道", "调查方式", "访问方式"),
    INTERVIEW_DATE: ("interview date", "date", "访问日期", "调查日期", "日期"),
    INTERVIEWER: ("interviewer", "interviewer id", "访问员", "访问员编号", "调查员"),
    LANGUAGE: ("language", "语言"),
}
REQUIRED_META = (SERVICE_POINT, CHANNEL, INTERVIEW_DATE)
# Columns our own exports add; accepted on import and not used.
EXPORT_ONLY = (
    RESPONSE_ID,
    "region",
    "sector",
    "wave",
    "submitted_at",
    "flags",
    "excluded",
    "design_weight",
    "weight",
)
CODE_IN_HEADER = re.compile(r"[(\[]\s*([a-z][a-z0-9_]{0,39}(?:\.other)?)\s*[)\]]\s*$")


def normalize_header(text: str) -> str:
    """Full-width to half-width, case and spacing folded, _ read as a space."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    return " ".join(text.replace("_", " ").split())


@dataclass(frozen=True)
class Column:
    position: int
    header: str
    role: str  # "meta", "question", "other" or "ignored"
    target: str  # meta name or question code

    @property
    def letter(self) -> str:
        return column_letter(self.position)


def column_letter(position: int) -> str:
    letters, n = "", position + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class ColumnMap:
    columns: tuple[Column, ...]

    def meta(self, name: str) -> Column | None:
        return next(
            (c for c in self.columns if c.role == "meta" and c.target == name), None
        )

    def question(self, code: str) -> Column | None:
        return next(
            (c for c in self.columns if c.role == "question" and c.target == code),
            None,
        )

    def other(self, code: str) -> Column | None:
        return next(
            (c for c in self.columns if c.role == "other" and c.target == code), None
        )


def _lookup(questionnaire: Questionnaire) -> dict[str, tuple[str, str]]:
    """Normalized header -> (role, target); labels only where they are unique."""
    table: dict[str, tuple[str, str]] = {}
    for name, aliases in META_ALIASES.items():
        for alias in (name, *aliases):
            table[normalize_header(alias)] = ("meta", name)
    for name in EXPORT_ONLY:
        table[normalize_header(name)] = ("ignored", name)
    labels: dict[str, list[str]] = {}
    for question in questionnaire.questions:
        table[normalize_header(question.code)] = ("question", question.code)
        other = question.code + OTHER_SUFFIX
        table[normalize_header(other)] = ("other", question.code)
        for label in {question.label, question.label_en} - {""}:
            labels.setdefault(normalize_header(label), []).append(question.code)
    # A question's own wording beats a meta column's alias ("渠道" may be a
    # question), never a canonical name such as "channel".
    canonical = {normalize_header(n) for n in (*META_ALIASES, *EXPORT_ONLY)}
    for label, codes in labels.items():
        taken_by = table.get(label, ("meta",))[0]
        if len(codes) == 1 and label not in canonical and taken_by != "question":
            table[label] = ("question", codes[0])
    return table


def map_columns(
    headers: Sequence[str], questionnaire: Questionnaire, *, survey_title: str
) -> tuple[ColumnMap, list[Problem]]:
    """Match each header to a column role; problems for unknown, duplicate and
    missing columns, and a plain verdict when the file is another survey's."""
    lookup = _lookup(questionnaire)
    columns: list[Column] = []
    unknown: list[tuple[int, str]] = []
    for position, header in enumerate(headers):
        key = normalize_header(header)
        found = lookup.get(key)
        if found is None:
            coded = CODE_IN_HEADER.search(unicodedata.normalize("NFKC", header))
            found = lookup.get(normalize_header(coded.group(1))) if coded else None
        if found is None:
            unknown.append((position, header))
            continue
        columns.append(Column(position, header, *found))
    problems = _duplicates(columns, headers)
    codes = [q.code for q in questionnaire.questions]
    present = {c.target for c in columns if c.role == "question"}
    missing = [code for code in codes if code not in present]
    if unknown and len(present) < max(1, len(codes) // 2):
        return ColumnMap(tuple(columns)), [
            Problem(
                _(
                    "This file does not belong to the survey “%(survey)s”: its "
                    "columns %(unknown)s are not questions of this survey, and the "
                    "survey's questions %(missing)s are missing. Choose the survey "
                    "the file was made for, or download this survey's template."
                )
                % {
                    "survey": survey_title,
                    "unknown": _names(h for _p, h in unknown),
                    "missing": _names(missing),
                }
            )
        ]
    for position, header in unknown:
        problems.append(
            Problem(
                _(
                    "Unknown column %(letter)s: it is neither a question code or "
                    "label of this survey nor one of service_point, channel, "
                    "interview_date, interviewer_id, language. Remove it or "
                    "correct the header."
                )
                % {"letter": column_letter(position)},
                row=1,
                column=header,
            )
        )
    meta = {c.target for c in columns if c.role == "meta"}
    for name in [n for n in REQUIRED_META if n not in meta] + missing:
        problems.append(
            Problem(
                _("The column “%(name)s” is missing; the header row must have it.")
                % {"name": name},
                row=1,
                column=name,
            )
        )
    return ColumnMap(tuple(columns)), problems


def _duplicates(columns: list[Column], headers: Sequence[str]) -> list[Problem]:
    seen: dict[tuple[str, str], Column] = {}
    problems = []
    for column in columns:
        if column.role == "ignored":
            continue
        key = (column.role, column.target)
        first = seen.setdefault(key, column)
        if first is not column:
            problems.append(
                Problem(
                    _(
                        "Columns %(first)s (“%(first_header)s”) and %(second)s "
                        "(“%(second_header)s”) both hold “%(target)s”. Keep one."
                    )
                    % {
                        "first": first.letter,
                        "first_header": first.header,
                        "second": column.letter,
                        "second_header": column.header,
                        "target": column.target,
                    },
                    row=1,
                    column=column.header,
                )
            )
    return problems


def _names(names) -> str:
    names = list(names)
    shown = ", ".join(f"“{n}”" for n in names[:8])
    return shown + (f" (+{len(names) - 8})" if len(names) > 8 else "")
