"""Private storage for complaint photos: outside MEDIA_ROOT, no public URL.

Photos may show faces and receipts, so only the handlers' view serves them.
The directory comes from ``COMPLAINT_PHOTO_ROOT`` (default ``var/complaint_photos``),
read when used, so tests can point it at a temporary directory.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class ComplaintPhotoStorage(FileSystemStorage):
    @property
    def base_location(self) -> str:  # type: ignore[override]
        default = Path(settings.BASE_DIR) / "var" / "complaint_photos"
        return str(getattr(settings, "COMPLAINT_PHOTO_ROOT", default))

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:  # type: ignore[override]
        return None

    def url(self, name: str | None) -> str:
        raise ValueError("complaint photos have no public URL")


photo_storage = ComplaintPhotoStorage()
