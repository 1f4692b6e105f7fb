"""The one place settings read the environment.

Every variable read here is documented in the README's "Configuration" table.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int | None) -> int | None:
    """An integer variable; empty or unset gives ``default``."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        message = f"{name} must be a whole number, not {raw!r}"
        raise ImproperlyConfigured(message) from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def secret_key_or_local(path: Path) -> str:
    """DJANGO_SECRET_KEY, or a key generated once and kept in this checkout.

    Only development uses this fallback; production refuses to start without
    the variable (see settings/production.py).
    """
    key = os.environ.get("DJANGO_SECRET_KEY")
    if key:
        return key
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


def cache_config(url: str | None) -> dict[str, str]:
    """Django's CACHES entry for ``DJANGO_CACHE_URL``.

    ``redis://`` / ``rediss://`` give one cache shared by every process; unset
    or empty gives a cache local to each process.
    """
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if url.startswith(("redis://", "rediss://")):
        return {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "surveyportal",
        }
    raise ImproperlyConfigured(
        f"DJANGO_CACHE_URL must be a redis:// or rediss:// URL, not {url!r}"
    )
