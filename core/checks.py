"""Deployment checks of our own, run by ``manage.py check --deploy``."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, deploy=True)
def shared_cache_check(app_configs=None, **kwargs) -> list[CheckMessage]:
    """Warn when the cache is local to a process: limits then multiply."""
    if settings.CACHES["default"]["BACKEND"] not in LOCAL_CACHES:
        return []
    return [
        Warning(
            "The cache is local to each process, so hourly submission limits "
            "and the list of suspected bots are counted per worker.",
            hint="Set DJANGO_CACHE_URL (or CELERY_BROKER_URL) to a redis:// URL.",
            id="core.W001",
        )
    ]
