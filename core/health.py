"""Liveness and readiness for load balancers and monitoring."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "down"
    return "ok"


def broker_status() -> str:
    """ "in-process" when tasks run eagerly (the embedded default), else ok/down."""
    if not settings.CELERY_BROKER_URL:
        return "in-process"
    from kombu import Connection

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=1) as broker:
            broker.ensure_connection(max_retries=1, timeout=1)
    except Exception:  # noqa: BLE001 - any failure to connect means "down"
        return "down"
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = checks["database"] == "ok"
    status = "ok" if healthy and checks["broker"] != "down" else "degraded"
    if not healthy:
        status = "down"
    return JsonResponse({"status": status, **checks}, status=200 if healthy else 503)
