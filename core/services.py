from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.models import WorkerHeartbeat


@transaction.atomic
def heartbeat_record(*, worker: str) -> WorkerHeartbeat:
    """Stamp ``worker``'s heartbeat with the current time and count the beat."""
    beat, _ = WorkerHeartbeat.objects.get_or_create(
        worker=worker, defaults={"beaten_at": timezone.now()}
    )
    WorkerHeartbeat.objects.filter(pk=beat.pk).update(
        beaten_at=timezone.now(), beats=F("beats") + 1
    )
    beat.refresh_from_db()
    return beat
