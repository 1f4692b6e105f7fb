"""Remove complainants' contact details and photos after the retention period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from complaints.services import complaint_contacts_purge


class Command(BaseCommand):
    help = (
        "Erase contact details and photos of complaints concluded more than the "
        "retention period ago (default: the complaint settings' value). "
        "Statistics are unchanged. Safe to run daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Retention in days, overriding the complaint settings.",
        )

    def handle(self, *args: Any, days: int | None = None, **options: Any) -> None:
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1")
        purged = complaint_contacts_purge(retention_days=days)
        self.stdout.write(f"Removed contact details of {purged} complaint(s).")
