"""Fixtures the XSS tests share or borrow from the apps' own test packages."""

import pytest

from tests.analysis.conftest import run_wave  # noqa: F401 - fixture
from tests.surveys.conftest import survey, survey_index  # noqa: F401 - fixtures


@pytest.fixture
def hostile_complaints(db):
    """One complaint per payload, in its description and contact name."""
    from tests.factories.complaints import ComplaintFactory, scenic_area
    from tests.xss.corpus import PAYLOADS

    point = scenic_area()
    return [
        ComplaintFactory(
            service_point=point,
            description=f"{payload} happened here.",
            contact_name=payload[:80],
        )
        for payload in PAYLOADS
    ]
