"""Fixtures for the Django side of analysis.

Imports of Django code stay inside the fixtures so that the pure statistical
tests under tests/analysis/stats also run with ``-p no:django``.
"""

import pytest

GENDER = {"female": 510_000.0, "male": 490_000.0}
AGE = {"18-39": 400_000.0, "40-59": 350_000.0, "60+": 250_000.0}


@pytest.fixture
def run_wave(django_capture_on_commit_callbacks):
    """``run_wave(wave)``: request a run, execute it in-process, return it."""

    from analysis import services

    def run(wave, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = services.index_run_request(wave=wave, **kwargs)
        result.refresh_from_db()
        return result

    return run


@pytest.fixture
def wave(db):
    from tests.factories.analysis import add_margin, simulated_wave

    simulated = simulated_wave()
    add_margin(simulated.wave, "gender", GENDER)
    add_margin(simulated.wave, "age_band", AGE)
    return simulated.wave


def login_admin(client, user) -> None:
    """Sign ``client`` in past the admin's second factor where there is one."""
    try:
        from tests.accounts.helpers import login_verified
    except ImportError:  # before two-factor sign-in exists
        client.force_login(user)
    else:
        login_verified(client, user)


def role_user(role: str, username: str):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(username, password="pw")  # noqa: S106
    user.groups.add(Group.objects.get(name=role))
    return user
