"""Apply the site's retention periods (docs/privacy.md). Safe to run daily."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.retention import retention_apply


class Command(BaseCommand):
    help = (
        "Delete survey follow-up contacts, erase free-text answers (when "
        "RETENTION_FREE_TEXT_DAYS is set) and purge complaint contacts past "
        "their retention period. Statistics are unchanged."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = retention_apply()
        self.stdout.write(
            f"Deleted {result.follow_up_contacts_deleted} follow-up contact(s); "
            f"erased free text from {result.free_text_answers_erased} response(s); "
            f"purged contacts of {result.complaints_purged} complaint(s)."
        )
