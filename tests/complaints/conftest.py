import pytest


@pytest.fixture(autouse=True)
def photo_root(settings, tmp_path):
    """Complaint photos go to a temporary private directory in every test."""
    settings.COMPLAINT_PHOTO_ROOT = tmp_path / "complaint_photos"
    return settings.COMPLAINT_PHOTO_ROOT


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English; pages still follow their URL's language."""
    from django.utils import translation

    with translation.override("en"):
        yield
