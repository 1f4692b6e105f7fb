"""An assessor's review: excluding a response from analysis or restoring it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from surveys.models import Response, ResponseReview

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


@transaction.atomic
def response_review(
    *, response_id: int, exclude: bool, reviewer: AbstractBaseUser, note: str = ""
) -> Response:
    """Exclude a response from analysis or restore it, recording who and when."""
    response = Response.objects.select_for_update().get(pk=response_id)
    now = timezone.now()
    response.excluded = exclude
    response.excluded_by = reviewer if exclude else None
    response.excluded_at = now if exclude else None
    response.save(update_fields=["excluded", "excluded_by", "excluded_at"])
    ResponseReview.objects.create(
        response=response,
        action=ResponseReview.Action.EXCLUDE
        if exclude
        else ResponseReview.Action.RESTORE,
        reviewer=reviewer,
        reviewed_at=now,
        note=note[:500],
    )
    return response
