"""Private file storage: files kept outside MEDIA_ROOT, with no public URL.

Complaint photos and generated reports hold personal or unpublished data, so
only permission-checked views serve them. Each subclass names the setting
that holds its directory; the setting is read when used (not at import) so
tests can point it at a temporary directory.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """A FileSystemStorage under ``settings.<root_setting>`` that refuses URLs."""

    root_setting: str = ""
    no_url_reason: str = "private files have no public URL"

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(getattr(settings, self.root_setting))

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:  # type: ignore[override]
        return None

    def url(self, name: str | None) -> str:
        raise ValueError(self.no_url_reason)
