"""Client addresses, only ever kept as a keyed hash.

No raw IP address is written to the database (docs/security.md, privacy). Where a
component insists on an address-shaped value (django-axes stores its attempts in
a ``GenericIPAddressField``, an ``inet`` column on PostgreSQL), it gets
:func:`hashed_client_address`: an HMAC of the address written as an IPv6
address inside the documentation prefix 2001:db8::/32, so it can never be
mistaken for, or turned back into, a real one.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

HASH_PREFIX = ipaddress.IPv6Network("2001:db8::/32")
_HASH_BITS = 128 - HASH_PREFIX.prefixlen
UNKNOWN_ADDRESS = "unknown"


def _valid_address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The address the request came from, as typed: never store it.

    Behind ``TRUSTED_PROXY_COUNT`` reverse proxies the client is the entry that
    many places from the end of X-Forwarded-For (entries before it are the
    client's own claims and can be forged); otherwise the connection's address.
    """
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            address = _valid_address(hops[-proxies])
            if address:
                return address
    return _valid_address(request.META.get("REMOTE_ADDR", "")) or UNKNOWN_ADDRESS


def address_hash(address: str) -> str:
    """A keyed, one-way hash of ``address``, as 64 hex characters."""
    key = getattr(settings, "ADDRESS_HASH_KEY", "") or settings.SECRET_KEY
    return salted_hmac(
        "accounts.addresses.address_hash", address, secret=key, algorithm="sha256"
    ).hexdigest()


def hashed_client_address(request: HttpRequest) -> str:
    """The client's address hashed into 2001:db8::/32 (django-axes' IP callable).

    The same client always gets the same value, so per-address lockout works;
    the value reveals nothing of the address without ``ADDRESS_HASH_KEY``.
    """
    digest = int(address_hash(client_address(request)), 16)
    host = digest & ((1 << _HASH_BITS) - 1)
    return str(HASH_PREFIX.network_address + host)
