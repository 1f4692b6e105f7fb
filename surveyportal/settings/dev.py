"""Local development: `make run`. Relaxes base; never used in production."""

from surveyportal.env import env_bool, secret_key_or_local

from .base import *  # noqa: F403
from .base import BASE_DIR, STORAGES

DEBUG = env_bool("DJANGO_DEBUG", default=True)
SECRET_KEY = secret_key_or_local(BASE_DIR / ".secret_key")
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
