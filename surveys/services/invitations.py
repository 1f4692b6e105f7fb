"""Single-use invitations: issued in batches, looked up by token digest."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from surveys.models import Invitation

from .errors import InvitationInvalid
from .tokens import new_token, to_the_hour, token_digest

if TYPE_CHECKING:
    from surveys.models import SurveyPage


def invitation_issue(
    *, survey: SurveyPage, count: int, batch: str = "", days: int | None = None
) -> list[str]:
    """Create ``count`` single-use invitations; returns the tokens (shown once)."""
    now = timezone.now()
    tokens = [new_token() for _ in range(count)]
    Invitation.objects.bulk_create(
        Invitation(
            survey=survey,
            token_digest=token_digest(token),
            batch=batch,
            created_at=to_the_hour(now),
            expires_at=now + timedelta(days=days) if days else None,
        )
        for token in tokens
    )
    return tokens


def invitation_for(survey: SurveyPage, token: str) -> Invitation:
    """The survey's unexpired invitation for ``token``, or ``InvitationInvalid``."""
    invitation = Invitation.objects.filter(
        survey=survey, token_digest=token_digest(token)
    ).first()
    if invitation is None:
        raise InvitationInvalid("unknown")
    if invitation.expires_at and invitation.expires_at < timezone.now():
        raise InvitationInvalid("expired")
    return invitation
