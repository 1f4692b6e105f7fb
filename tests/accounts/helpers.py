"""Sign a test client in as an admin user who has passed the second factor.

Every admin page refuses a session without it (accounts/middleware.py), so admin
tests use ``login_verified(client, user)`` (or the ``verified_login`` fixture)
where they would have used ``client.force_login(user)``.
"""

from __future__ import annotations

import time

from django.contrib.auth.models import Group, User
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import GroupPagePermission

from accounts.roles import ROLE_PAGE_PERMISSIONS, sync_roles


def member_of(role: str, username: str | None = None) -> User:
    """A new active user in the role group ``role``."""
    user = User.objects.create_user(
        username or role.lower().replace(" ", "-"), password="pw"
    )
    if not _role_in_place(role):
        # A transactional test before this one flushed the tables (groups, or
        # the root page that carries their page permissions): make them again
        # as migrate does.
        sync_roles()
    user.groups.add(Group.objects.get(name=role))
    return user


def _role_in_place(role: str) -> bool:
    group = Group.objects.filter(name=role).first()
    if group is None:
        return False
    return not ROLE_PAGE_PERMISSIONS.get(role) or (
        GroupPagePermission.objects.filter(group=group, page__depth=1).exists()
    )


def enrolled_device(user: User) -> TOTPDevice:
    """The user's confirmed authenticator app, enrolling one if needed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(
        user=user, name="test app", confirmed=True
    )


def login_verified(client, user: User) -> TOTPDevice:
    """``client.force_login(user)`` plus a session verified by a TOTP device."""
    client.force_login(user)
    device = enrolled_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def current_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the user's app shows now (or ``steps_ahead`` periods later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"
