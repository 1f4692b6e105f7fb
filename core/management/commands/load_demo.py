from django.conf import settings
from django.core.management.base import BaseCommand

from analysis.demo import load_demo_results
from complaints.demo import load_demo_complaints
from core.demo import ensure_demo_admin, ensure_home_page
from surveys.demo import load_demo_surveys, load_reference_data


class Command(BaseCommand):
    help = "Load the demo site and data (idempotent: safe to run again)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--site-url",
            default="http://127.0.0.1:8000",
            help="Where the site will be served, for the sign-in line printed "
            "at the end (make run passes its HOST and PORT).",
        )

    def handle(self, *args, **options) -> None:
        ensure_home_page()
        load_reference_data()
        load_demo_surveys()
        created = load_demo_complaints()
        if created:
            self.stdout.write(f"Tourist complaints: {created}")
        for run in load_demo_results():
            self.stdout.write(f"Index run for {run.wave}: {run.get_status_display()}")
        username, password = ensure_demo_admin(
            settings.BASE_DIR / ".demo_admin_password"
        )
        self.stdout.write(self.style.SUCCESS("Demo site loaded."))
        self.stdout.write(
            f"Log in at {options['site_url'].rstrip('/')}/admin/ as {username!r} "
            f"with password {password!r}"
        )
        self.stdout.write(
            "On first sign-in the admin asks for two-factor authentication: scan "
            "its QR code with an authenticator app (Google or Microsoft "
            "Authenticator, FreeOTP, ...) and type the 6-digit code it shows."
        )
