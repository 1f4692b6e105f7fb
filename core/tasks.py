from celery import shared_task

from core.services import heartbeat_record


@shared_task(acks_late=True, soft_time_limit=10, time_limit=20)
def record_heartbeat(worker: str) -> int:
    """Record that ``worker`` is alive; returns its beat count. Idempotent per call."""
    return heartbeat_record(worker=worker).beats
