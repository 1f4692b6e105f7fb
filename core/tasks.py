import io

from celery import shared_task
from django.core.management import call_command

from core.services import heartbeat_record


@shared_task(acks_late=True, soft_time_limit=10, time_limit=20)
def record_heartbeat(worker: str) -> int:
    """Record that ``worker`` is alive; returns its beat count. Idempotent per call."""
    return heartbeat_record(worker=worker).beats


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def publish_scheduled() -> None:
    """Open surveys whose go-live time has come and close expired ones (Wagtail's
    ``publish_scheduled``); a second run finds nothing left to do."""
    # Without a periodic run, an approved survey with a go-live date would never
    # open and an expiry date would never close it.
    call_command("publish_scheduled", stdout=io.StringIO())
