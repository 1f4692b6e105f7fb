from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.two_factor import two_factor_reset


class Command(BaseCommand):
    help = (
        "Remove a user's authenticator apps (lost phone): they enrol a new one at "
        "their next sign-in."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        removed = two_factor_reset(user=user)
        self.stdout.write(f"Removed {removed} authenticator app(s) of {username!r}.")
