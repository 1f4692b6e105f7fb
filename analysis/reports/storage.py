"""Private storage for generated reports: outside MEDIA_ROOT, no public URL.

Reports hold unpublished results, so only the download view serves them
(to officials and assessors). The directory is ``REPORT_FILES_ROOT``
(``DJANGO_REPORT_FILES_ROOT``).
"""

from __future__ import annotations

from django.utils.deconstruct import deconstructible

from core.storage import PrivateStorage


@deconstructible
class ReportStorage(PrivateStorage):
    root_setting = "REPORT_FILES_ROOT"
    no_url_reason = "reports have no public URL; use the download view"


report_storage = ReportStorage()
