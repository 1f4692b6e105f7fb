import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import override_settings

from core.models import HomePage
from surveys.models import Region, Sector, ServiceClass
from tests.shared_rows import rolled_back_after

pytestmark = pytest.mark.django_db

JIAXING_REGIONS = {
    "Nanhu District",
    "Xiuzhou District",
    "Jiashan County",
    "Haiyan County",
    "Haining City",
    "Pinghu City",
    "Tongxiang City",
}


def run_load_demo(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="class")
def first_run(django_db_setup, django_db_blocker, tmp_path_factory):
    """What the first ``load_demo`` printed on an empty database, once for a
    class of tests (it takes seconds)."""
    base_dir = tmp_path_factory.mktemp("checkout")
    with rolled_back_after(django_db_blocker), override_settings(BASE_DIR=base_dir):
        yield run_load_demo()


class TestTheLoadedDemo:
    """One load of the demo, shared; the runs these tests make after it are
    the second runs ``make run`` makes."""

    def test_load_demo_creates_regions_sectors_and_a_home_page(self, first_run):
        assert set(Region.objects.values_list("name_en", flat=True)) == JIAXING_REGIONS
        classes = dict(Sector.objects.values_list("code", "service_class"))
        assert classes == {
            "education": ServiceClass.CONSUMER,
            "public-transport": ServiceClass.CONSUMER,
            "medical": ServiceClass.CONSUMER,
            "elderly-care": ServiceClass.CONSUMER,
            "tourism": ServiceClass.CONSUMER,
            "finance": ServiceClass.PRODUCER,
            "logistics": ServiceClass.PRODUCER,
        }
        assert HomePage.objects.count() == 1
        from complaints.models import Complaint

        assert Complaint.objects.filter(service_point__sector__code="tourism").exists()

    def test_load_demo_twice_changes_nothing_and_the_printed_password_logs_in(
        self, first_run
    ):
        counts = (
            Region.objects.count(),
            Sector.objects.count(),
            HomePage.objects.count(),
        )
        second = run_load_demo()
        assert counts == (
            Region.objects.count(),
            Sector.objects.count(),
            HomePage.objects.count(),
        )
        username, password = re.search(
            r"as '(\w+)' with password '([^']+)'", second
        ).groups()
        assert first_run.splitlines()[-1] == second.splitlines()[-1]
        user = authenticate(username=username, password=password)
        assert user is not None and user.is_superuser

    def test_load_demo_prints_the_sign_in_address_where_make_run_serves(
        self, first_run
    ):
        printed = run_load_demo("--site-url", "http://127.0.0.1:8011/")
        assert "Log in at http://127.0.0.1:8011/admin/ as 'admin'" in printed


def test_the_home_page_is_rebuilt_when_the_page_tree_was_emptied():
    from wagtail.models import Locale, Page

    from core.demo import ensure_home_page

    Page.objects.all().delete()
    Locale.objects.all().delete()
    home = ensure_home_page()
    assert HomePage.objects.get() == home
    assert home.get_parent().depth == 1
    assert home.get_site().is_default_site
