"""Private storage for generated reports: outside MEDIA_ROOT, no public URL.

Reports hold unpublished results, so only the download view serves them
(to officials and assessors). The directory is ``REPORT_FILES_ROOT``
(default ``var/reports``), read when used so tests can redirect it.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class ReportStorage(FileSystemStorage):
    @property
    def base_location(self) -> str:  # type: ignore[override]
        default = Path(settings.BASE_DIR) / "var" / "reports"
        return str(getattr(settings, "REPORT_FILES_ROOT", default))

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:  # type: ignore[override]
        return None

    def url(self, name: str | None) -> str:
        raise ValueError("reports have no public URL; use the download view")


report_storage = ReportStorage()
