"""Importing hotline and platform cases: all rows or none, duplicates skipped."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import tablib
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import IMPORT_CHANNELS
from ..errors import ImportRejected
from ..models import Complaint
from ..resources import REQUIRED_COLUMNS, ComplaintImportResource
from .intake import _save_with_unique_reference, prepare_new_complaint, record_receipt


@dataclass(frozen=True)
class ImportSummary:
    created: int
    duplicates: tuple[str, ...]


def _problems(result: Any) -> list[str]:
    """One readable line per bad row (numbered as in the spreadsheet)."""
    problems = [str(error.error) for error in result.base_errors]
    for row in result.invalid_rows:
        details = "; ".join(
            f"{field}: {' '.join(str(message) for message in messages)}"
            for field, messages in row.error_dict.items()
        )
        problems.append(
            _("Line %(line)s: %(details)s")
            % {
                "line": row.number + 1,
                "details": details,
            }
        )
    for number, errors in result.row_errors():
        for error in errors:
            problems.append(
                _("Line %(line)s: %(details)s")
                % {
                    "line": number + 1,
                    "details": error.error,
                }
            )
    return problems


@transaction.atomic
def complaints_import(
    *,
    dataset: tablib.Dataset,
    channel: str,
    actor: Any,
    now: dt.datetime | None = None,
) -> ImportSummary:
    """Register every case of a hotline or platform file, or none of them.

    Cases whose case number is already known for the channel (or repeated in
    the file) are skipped as duplicates. Any bad row rejects the whole file
    with one message per problem.
    """
    now = now or timezone.now()
    if channel not in IMPORT_CHANNELS:
        raise ImportRejected([_("Choose the hotline or platform the file comes from.")])
    headers = [str(header).strip() for header in dataset.headers or []]
    missing = [column for column in REQUIRED_COLUMNS if column not in headers]
    if missing:
        raise ImportRejected(
            [
                _("The file lacks the column(s): %(columns)s.")
                % {"columns": ", ".join(missing)}
            ]
        )
    if not len(dataset):
        raise ImportRejected([_("The file has no cases.")])
    dataset.headers = headers

    def prepare(complaint: Complaint) -> None:
        prepare_new_complaint(complaint, now=now)

    def after_save(complaint: Complaint) -> None:
        record_receipt(
            complaint,
            actor=actor,
            note=_("Imported from %(channel)s, case %(case)s")
            % {
                "channel": channel,
                "case": complaint.external_reference,
            },
        )

    resource = ComplaintImportResource(
        channel=channel,
        prepare=prepare,
        save=_save_with_unique_reference,
        after_save=after_save,
    )
    result = resource.import_data(
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )
    problems = _problems(result)
    if problems:
        raise ImportRejected(problems)
    created = sum(1 for row in result.rows if row.import_type == "new")
    return ImportSummary(created=created, duplicates=tuple(resource.duplicates))
