from django.core.management.base import BaseCommand

from accounts.roles import sync_roles


class Command(BaseCommand):
    help = "Create the role groups and set each one's permissions exactly."

    def handle(self, *args, **options) -> None:
        sync_roles()
        self.stdout.write(self.style.SUCCESS("Roles are in sync."))
