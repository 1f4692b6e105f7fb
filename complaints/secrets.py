"""Reference numbers and lookup secrets (only the secret's hash is stored)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string

# No 0/O, 1/I/L: reference numbers are read out over the phone.
_ALPHABET = "".join(sorted(set(string.ascii_uppercase + string.digits) - set("01OIL")))


def new_reference(day_stamp: str) -> str:
    """``JX-YYMMDD-XXXXX``: the day received and five unambiguous characters."""
    suffix = "".join(secrets.choice(_ALPHABET) for _ in range(5))
    return f"JX-{day_stamp}-{suffix}"


def new_lookup_secret() -> str:
    return secrets.token_urlsafe(24)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    """Constant-time comparison, so timing reveals nothing about the hash."""
    return hmac.compare_digest(hash_secret(secret), stored_hash)
