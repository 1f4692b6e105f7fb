"""XLSX, SPSS and Stata renderings of an export, and the per-survey template.

Each writes to a temporary file (the caller streams it) and returns the number
of data rows; labels come from the questionnaire the responses answered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from exchange import columns as cols
from exchange.exports import (
    META_HEADER,
    column_names,
    export_rows,
    neutralize_text,
)
from exchange.readers import META_SHEET
from exchange.validation import expected
from surveys.models import Channel, QuestionKind, ServicePoint
from surveys.questionnaire import NOT_APPLICABLE, Question

XLSX_MAX_DATA_ROWS = 1_048_575
NOT_APPLICABLE_CODE = 99  # SPSS user-missing value; Stata's extended missing .a
STATA_NAME = 32
SPSS_NAME = 64
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.DEMOGRAPHIC)


class TooManyRows(Exception):  # noqa: N818
    pass


def write_xlsx(path: Path, rows, header) -> int:
    """A write-only workbook (constant memory); numbers stay numbers."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("responses")
    sheet.append(column_names(header))
    count = 0
    for row in export_rows(rows, header):
        count += 1
        if count > XLSX_MAX_DATA_ROWS:
            raise TooManyRows(XLSX_MAX_DATA_ROWS)
        sheet.append([_typed(cell) for cell in row])
    workbook.save(path)
    return count


def _typed(cell):
    if isinstance(cell, str) and re.fullmatch(r"-?\d{1,15}", cell):
        return int(cell)
    if isinstance(cell, str):
        # A control character typed by a respondent must not fail the workbook.
        return ILLEGAL_CHARACTERS_RE.sub("", cell)
    return cell


def _variable_names(names: Iterable[str], limit: int) -> list[str]:
    """Valid, unique SPSS/Stata names: letters, digits and _, within ``limit``."""
    result, taken = [], set()
    for name in names:
        base = re.sub(r"[^A-Za-z0-9_]", "_", name)[:limit] or "v"
        if not base[0].isalpha():
            base = ("v" + base)[:limit]
        candidate, n = base, 1
        while candidate.lower() in taken:
            suffix = f"_{n}"
            candidate, n = base[: limit - len(suffix)] + suffix, n + 1
        taken.add(candidate.lower())
        result.append(candidate)
    return result


def statistical_frame(rows, header, *, stata: bool):
    """A typed frame with variable labels, value labels and N/A codes."""
    names = column_names(header)
    records = list(export_rows(rows, header))
    text = pd.DataFrame(records, columns=names, dtype=object)
    labels: dict[str, str] = {}
    value_labels: dict[str, dict] = {}
    missing: dict[str, list] = {}
    out = {name: text[name].astype(str) for name in META_HEADER}
    out["response_id"] = text["response_id"].astype("int64")
    out["excluded"] = text["excluded"].astype("int64")
    out["design_weight"] = text["design_weight"].astype("float64")
    out["weight"] = pd.to_numeric(text["weight"], errors="coerce")  # "" -> missing
    labels["design_weight"] = _("Design weight (1: self-weighting sample)")
    labels["weight"] = _(
        "Calibrated weight: raked to the wave's population margins "
        "(missing: not in the analysis)"
    )
    labels["wave"] = _("Wave (code)")
    for column, question, is_other in header:
        series = text[column]
        labels[column] = question.label
        if is_other:
            out[column] = series.astype(str)
            labels[column] = question.label + " — " + _("other")
        elif question.kind in (QuestionKind.LIKERT, QuestionKind.NPS):
            na = series == NOT_APPLICABLE
            numbers = pd.to_numeric(series.where(~na, None), errors="coerce")
            if stata:
                out[column] = numbers.astype(object).where(~na, "a")
                missing[column] = ["a"]
            else:
                out[column] = numbers.where(~na, NOT_APPLICABLE_CODE)
                missing[column] = [NOT_APPLICABLE_CODE]
            value_labels[column] = _scale_labels(question, stata=stata)
        elif question.kind in CHOICE_KINDS:
            codes = {o.value: i for i, o in enumerate(question.options, start=1)}
            out[column] = series.map(codes).astype("float64")
            value_labels[column] = {
                float(i): f"{o.value} {o.label}"
                for o, i in zip(question.options, codes.values(), strict=True)
            }
        elif question.kind == QuestionKind.MULTIPLE:
            answered = series != ""
            for option in question.options:
                dummy = f"{column}__{option.value}"
                ticked = series.str.split(";").map(lambda v, o=option.value: o in v)
                out[dummy] = np.where(answered, ticked.astype(float), np.nan)
                labels[dummy] = f"{question.label}: {option.label}"
                value_labels[dummy] = {0.0: _("not chosen"), 1.0: _("chosen")}
            out[column] = series.astype(str)
        elif question.kind == QuestionKind.NUMBER:
            out[column] = pd.to_numeric(series, errors="coerce")
        else:
            out[column] = series.astype(str)
    frame = pd.DataFrame(out)
    return frame, labels, value_labels, missing, len(records)


def _scale_labels(question: Question, *, stata: bool) -> dict:
    points = list(question.points())
    result = {
        float(points[0]): question.low_label,
        float(points[-1]): question.high_label,
    }
    if not stata and question.kind == QuestionKind.LIKERT:
        result[float(NOT_APPLICABLE_CODE)] = _("Not applicable")
    return {k: v for k, v in result.items() if v}


def write_statistical(path: Path, rows, header, *, file_format: str) -> int:
    """SPSS .sav (N/A as user-missing 99) or Stata .dta (N/A as .a)."""
    import pyreadstat

    stata = file_format == "dta"
    frame, labels, value_labels, missing, count = statistical_frame(
        rows, header, stata=stata
    )
    names = _variable_names(frame.columns, STATA_NAME if stata else SPSS_NAME)
    rename = dict(zip(frame.columns, names, strict=True))
    frame = frame.rename(columns=rename)
    column_labels = {
        rename[c]: (labels.get(c) or c)[: 80 if stata else 256] for c in rename
    }
    value_labels = {rename[c]: v for c, v in value_labels.items() if v}
    missing = {rename[c]: v for c, v in missing.items()}
    if stata:
        value_labels = {
            c: {int(k): v[:80] for k, v in labels_.items()}
            for c, labels_ in value_labels.items()
        }
        pyreadstat.write_dta(
            frame,
            str(path),
            column_labels=column_labels,
            variable_value_labels=value_labels,
            missing_user_values=missing,
        )
    else:
        pyreadstat.write_sav(
            frame,
            str(path),
            column_labels=column_labels,
            variable_value_labels=value_labels,
            missing_ranges=missing,
        )
    return count


# --- the template -----------------------------------------------------------


def write_template(path: Path, *, survey, questionnaire, revision_id: int) -> None:
    """A workbook to fill in: the header the importer expects, drop-down lists
    for every choice, scale, channel and service point, and a question guide."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "responses"
    lists = workbook.create_sheet("_lists")
    lists.sheet_state = "hidden"
    guide = workbook.create_sheet("_questions")
    meta = workbook.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    for row in (
        ("survey_id", survey.pk),
        ("survey", survey.title),
        ("revision_id", revision_id),
    ):
        meta.append(row)
    header: list[tuple[str, list[str] | None, str]] = [
        (
            cols.SERVICE_POINT,
            list(
                ServicePoint.objects.filter(active=True).values_list("code", flat=True)
            ),
            _("Service point code"),
        ),
        (cols.CHANNEL, list(Channel.values), _("phone, paper, web or qr")),
        (cols.INTERVIEW_DATE, None, _("Date of the interview, e.g. 2026-11-03")),
        (cols.INTERVIEWER, None, _("Interviewer id (optional)")),
    ]
    for question in questionnaire.questions:
        header.append(
            (
                question.code,
                _choices(question),
                f"{question.label}\n{expected(question)}",
            )
        )
        if question.kind == QuestionKind.MULTIPLE and question.allow_other:
            header.append((question.code + ".other", None, _("Other, please specify")))
    guide.append(["code", "question", "question (English)", "expected"])
    for question in questionnaire.questions:
        guide.append(
            [
                question.code,
                neutralize_text(question.label),
                neutralize_text(question.label_en),
                expected(question),
            ]
        )
    for index, (name, choices, note) in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=index, value=name)
        cell.comment = Comment(note[:500], "template")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(name) + 2)
        if not choices:
            continue
        for row, value in enumerate(choices, start=1):
            lists.cell(row=row, column=index, value=value)
        validation = DataValidation(
            type="list",
            formula1=f"=_lists!${letter}$1:${letter}${len(choices)}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("Not a listed answer"),
            error=_("Choose a value from the list."),
        )
        validation.add(f"{letter}2:{letter}{XLSX_MAX_DATA_ROWS}")
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    workbook.save(path)


def _choices(question: Question) -> list[str] | None:
    if question.kind in CHOICE_KINDS:
        return [o.value for o in question.options]
    if question.kind in (QuestionKind.LIKERT, QuestionKind.NPS):
        values = [str(p) for p in question.points()]
        if question.kind == QuestionKind.LIKERT and question.allow_not_applicable:
            values.append(NOT_APPLICABLE)
        return values
    return None


def export_to_file(*, export, rows, header, path: Path) -> None:
    """Write an XLSX, SPSS or Stata export to ``path`` and record its row
    count and SHA-256."""
    import hashlib

    from exchange.exports import export_finish

    if export.file_format == "xlsx":
        count = write_xlsx(path, rows, header)
    else:
        count = write_statistical(path, rows, header, file_format=export.file_format)
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    export_finish(export=export, row_count=count, checksum=digest.hexdigest())
