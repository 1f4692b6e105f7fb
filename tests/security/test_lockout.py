"""Brute force on the admin sign-in: locked per account and per address, 30 min."""

import ipaddress
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.utils import timezone

from accounts.addresses import HASH_PREFIX, client_address, hashed_client_address

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
HOME = "203.0.113.7"
OTHER = "198.51.100.99"


@pytest.fixture
def users(db):
    return [User.objects.create_user(name, password="right") for name in "ab"]


def attempt(client, username, password, address=HOME, **extra):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        **extra,
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and "/login/" not in response["Location"]


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(
    client, users
):
    for _ in range(4):
        assert attempt(client, "a", "wrong").status_code == 200
    assert attempt(client, "a", "wrong").status_code == 429  # the fifth locks
    locked = attempt(client, "a", "right", address=OTHER)
    assert locked.status_code == 429
    # The admin outside /en/ speaks the default language, zh-hans.
    assert "登录失败次数过多" in locked.content.decode()  # "Too many failed sign-ins"
    assert not signed_in(attempt(client, "a", "right", address="192.0.2.1"))


def test_four_wrong_passwords_do_not_lock(client, users):
    for _ in range(4):
        attempt(client, "a", "wrong")
    assert signed_in(attempt(client, "a", "right"))


def test_five_failures_from_one_address_lock_that_address_for_every_account(
    client, users
):
    for number in range(5):
        attempt(client, f"guess{number}", "wrong")
    assert attempt(client, "b", "right").status_code == 429
    assert signed_in(attempt(client, "b", "right", address=OTHER))


def test_an_attacker_rotating_x_forwarded_for_is_still_one_address(client, users):
    for number in range(5):
        attempt(
            client, f"guess{number}", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}"
        )
    assert attempt(client, "b", "right").status_code == 429


def test_the_lock_lifts_after_thirty_minutes(client, users):
    for _ in range(5):
        attempt(client, "a", "wrong")
    assert attempt(client, "a", "right").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert signed_in(attempt(client, "a", "right"))


def test_attempts_store_a_hash_of_the_address_never_the_address(client, users):
    attempt(client, "a", "wrong")
    attempt(client, "a", "wrong", address=OTHER)
    stored = set(AccessAttempt.objects.values_list("ip_address", flat=True))
    assert len(stored) == 2
    for value in stored:
        assert value not in {HOME, OTHER}
        assert value.startswith("2001:db8:")


def request_from(address: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=address, **extra)


def test_the_hash_is_stable_per_address_distinct_between_them_and_keyed(settings):
    settings.ADDRESS_HASH_KEY = "one key"
    first = hashed_client_address(request_from(HOME))
    assert first == hashed_client_address(request_from(HOME))
    assert first != hashed_client_address(request_from(OTHER))
    assert ipaddress.ip_address(first) in HASH_PREFIX
    settings.ADDRESS_HASH_KEY = "another key"
    assert hashed_client_address(request_from(HOME)) != first


@pytest.mark.parametrize(
    ("remote", "forwarded", "proxies", "expected"),
    [
        (HOME, None, 0, HOME),
        (HOME, "10.9.9.9", 0, HOME),  # no proxy trusted: the header is ignored
        ("127.0.0.1", f"10.9.9.9, {HOME}", 1, HOME),  # nginx appended HOME
        ("127.0.0.1", "not-an-address", 1, "127.0.0.1"),
        ("127.0.0.1", "", 1, "127.0.0.1"),
        ("127.0.0.1", f"{HOME}", 2, "127.0.0.1"),  # fewer hops than proxies
        ("", None, 0, "unknown"),
        ("garbage", None, 0, "unknown"),
        ("2001:DB8:0:0::1", None, 0, "2001:db8::1"),
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(
    settings, remote, forwarded, proxies, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_address(request_from(remote, forwarded)) == expected
