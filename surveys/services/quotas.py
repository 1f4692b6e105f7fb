"""Quota cells: remembered per process, claimed by a conditional ``UPDATE``
per cell so that concurrent submissions never overfill one."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from core import memo
from surveys.models import Quota, Response


def quota_cells(survey_id: int) -> tuple[tuple[int, str, str], ...]:
    """(pk, variable, value) of the survey's quota cells, remembered for a few
    seconds per process (most surveys have none, and every submit asks)."""
    return memo.remember(
        ("quota_cells", survey_id),
        lambda: tuple(
            Quota.objects.filter(survey_id=survey_id)
            .order_by("pk")
            .values_list("pk", "variable", "value")
        ),
    )


def forget_quota_cells(survey_id: int) -> None:
    """A quota was added, changed or removed: this process reads them again."""
    memo.forget(("quota_cells", survey_id))


def claim_quotas(response: Response) -> bool:
    """Take one place in every quota cell the response falls in; False if full."""
    quotas = quota_cells(response.survey_id)
    if not quotas:
        return True
    cells = set()
    if response.service_point_id:
        cells.add((Quota.SERVICE_POINT, response.service_point.code))
    cells |= {
        (code, str(value))
        for code, value in response.answers.items()
        if isinstance(value, str | int) and not isinstance(value, bool)
    }
    wanted = [pk for pk, variable, value in quotas if (variable, value) in cells]
    if not wanted:
        return True
    try:
        with transaction.atomic():
            for pk in sorted(wanted):  # a fixed order: no deadlocks between cells
                claimed = Quota.objects.filter(pk=pk, completes__lt=F("limit")).update(
                    completes=F("completes") + 1
                )
                if not claimed:
                    raise _QuotaFull
    except _QuotaFull:
        return False
    return True


class _QuotaFull(Exception):
    pass
