"""Two-factor authentication (TOTP, django-otp) for everyone who uses the admin.

Who must verify, the enrolment of an authenticator app and the check of a code.
Views and the middleware call these; nothing here reads a request's input.
"""

from __future__ import annotations

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import ADMIN_ACCESS, ROLE_PERMISSIONS

DEVICE_NAME = "Authenticator app"


def requires_two_factor(user: AbstractBaseUser) -> bool:
    """Whether ``user`` must pass a second factor before the admin lets them in."""
    if not user.is_authenticated:
        return False
    return (
        user.is_superuser
        or user.is_staff
        or user.has_perm(ADMIN_ACCESS)
        or user.groups.filter(name__in=ROLE_PERMISSIONS).exists()
    )


def confirmed_devices(user: AbstractBaseUser):
    """The user's enrolled authenticator apps."""
    return TOTPDevice.objects.filter(user=user, confirmed=True)


def has_confirmed_device(user: AbstractBaseUser) -> bool:
    return confirmed_devices(user).exists()


@transaction.atomic
def totp_enrolment_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """The unconfirmed device whose secret the user scans; one per user.

    Raises ``PermissionError`` when the user already has a confirmed device:
    replacing it needs an administrator (``manage.py two_factor_reset``), or a
    stolen password would be enough to enrol the thief's phone.
    """
    if has_confirmed_device(user):
        raise PermissionError("this account already has an authenticator app")
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("pk")
        .first()
    )
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_enrolment_confirm(
    *, request: HttpRequest, device: TOTPDevice, token: str
) -> bool:
    """Confirm ``device`` with a code from the app and verify the session by it."""
    if device.confirmed or device.user_id != request.user.pk:
        return False
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user_id=device.user_id, confirmed=False).delete()
    _verify_session(request, device)
    return True


def totp_verify(*, request: HttpRequest, token: str) -> TOTPDevice | None:
    """The confirmed device that accepts ``token``, after verifying the session by it.

    django-otp throttles each device: every wrong code doubles the wait before
    the next one is even checked.
    """
    for device in confirmed_devices(request.user):
        with transaction.atomic():
            locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            if locked.verify_token(token):
                _verify_session(request, locked)
                return locked
    return None


def seconds_until_next_try(user: AbstractBaseUser) -> int:
    """How long django-otp's throttle makes the user wait (0: they may try now)."""
    waits = []
    for device in TOTPDevice.objects.filter(user=user):
        allowed, details = device.verify_is_allowed()
        if not allowed and details and details.get("locked_until"):
            remaining = (details["locked_until"] - timezone.now()).total_seconds()
            waits.append(max(1, int(remaining + 0.999)))
    return min(waits) if waits else 0


def _verify_session(request: HttpRequest, device: TOTPDevice) -> None:
    # A new session key at the moment the session gains privilege, so a key
    # planted or seen before cannot ride along (session fixation).
    request.session.cycle_key()
    otp_login(request, device)


def provisioning_qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// URI as an inline SVG QR code, drawn on the server."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10
    )
    return image.to_string(encoding="unicode")


def secret_for_typing(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for apps that cannot scan."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def two_factor_reset(*, user: AbstractBaseUser) -> int:
    """Remove all of ``user``'s devices, so they enrol again; returns how many.

    Also ends their sessions' verification: django-otp drops a session whose
    device no longer exists.
    """
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    return removed
