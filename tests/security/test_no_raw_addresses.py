"""Privacy: no raw IP address is written anywhere in the database."""

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth.models import User
from django.db import connection

from tests.accounts.helpers import current_code, enrolled_device

pytestmark = pytest.mark.django_db

ADDRESSES = ("198.51.100.23", "2001:db8:beef::23")


def database_values():
    """Every value of every row of every table, as text."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - our table names
            for row in cursor.fetchall():
                for value in row:
                    if value is not None:
                        yield table, str(value)


def test_signing_in_failing_and_browsing_leave_no_raw_address_in_any_table(
    client, home_page
):
    admin = User.objects.create_superuser("root", "root@example.org", "right")
    device = enrolled_device(admin)
    for address in ADDRESSES:
        client.get("/", REMOTE_ADDR=address)
        client.post(
            "/admin/login/",
            {"username": "root", "password": "wrong"},
            REMOTE_ADDR=address,
        )
        client.post(
            "/admin/login/",
            {"username": "root", "password": "right"},
            REMOTE_ADDR=address,
        )
        client.post(
            "/admin/two-factor/verify/",
            {"otp_token": current_code(device, steps_ahead=ADDRESSES.index(address))},
            REMOTE_ADDR=address,
        )
        assert client.get("/admin/users/", REMOTE_ADDR=address).status_code == 200
        client.post("/admin/logout/", REMOTE_ADDR=address)
    # The flow did write what django-axes records, so the scan below has teeth.
    assert AccessAttempt.objects.exists() or AccessLog.objects.exists()
    assert AccessLog.objects.count() == len(ADDRESSES)
    leaks = [
        (table, value)
        for table, value in database_values()
        for address in ADDRESSES
        if address in value.lower()
    ]
    assert leaks == [], f"raw addresses stored: {leaks}"
