"""Private storage for complaint photos: outside MEDIA_ROOT, no public URL.

Photos may show faces and receipts, so only the handlers' view serves them.
The directory comes from ``COMPLAINT_PHOTO_ROOT`` (``DJANGO_COMPLAINT_PHOTO_ROOT``).
"""

from __future__ import annotations

from django.utils.deconstruct import deconstructible

from core.storage import PrivateStorage


@deconstructible
class ComplaintPhotoStorage(PrivateStorage):
    root_setting = "COMPLAINT_PHOTO_ROOT"
    no_url_reason = "complaint photos have no public URL"


photo_storage = ComplaintPhotoStorage()
