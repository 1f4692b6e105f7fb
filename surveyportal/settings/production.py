"""Production: only hardens base. Refuses to start without a secret key."""

from django.core.exceptions import ImproperlyConfigured

from surveyportal.env import cache_config, env_bool, env_str

from .base import *  # noqa: F403

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random string of at least 50 characters "
        "in production (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# docs/deploy.md puts nginx in front: the client is the address it appends.
TRUSTED_PROXY_COUNT = int(env_str("DJANGO_TRUSTED_PROXY_COUNT", "1") or 0)
# Several gunicorn workers must share one cache (see base.py); without
# DJANGO_CACHE_URL, use the Celery broker's Redis when there is one.
if not env_str("DJANGO_CACHE_URL") and (CELERY_BROKER_URL or "").startswith(  # noqa: F405
    ("redis://", "rediss://")
):
    CACHES = {"default": cache_config(CELERY_BROKER_URL)}  # noqa: F405
