"""Authentication backends: the brute-force lockout in front of the password check."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for logins that arrive over HTTP.

    ``authenticate()`` without a request comes from code on the server (a
    management command, the shell, a test), which no remote attacker can drive;
    django-axes would refuse it outright, so it is passed on to the password
    backend instead.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(
            request, username=username, password=password, **kwargs
        )
