"""Shared pieces for the fuzz tests: a survey open to any number of starts."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from surveys.selectors import revision_questionnaire
from tests.factories.surveys import SurveyIndexPageFactory, published_survey

# CI runs the full budget (at least 5,000 cases over the fuzz tests); a laptop
# can run a tenth with FUZZ_SCALE=0.1.
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))


def fuzz_settings(examples: int) -> hypothesis_settings:
    """Bounded hypothesis settings: no deadline (a loaded CI box), no replay
    database (the corpus is in the strategies), shared-database fixtures."""
    return hypothesis_settings(
        max_examples=max(10, int(examples * SCALE)),
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


@pytest.fixture(autouse=True)
def _fresh_state():
    translation.activate(settings.LANGUAGE_CODE)
    cache.clear()
    revision_questionnaire.cache_clear()
    yield
    revision_questionnaire.cache_clear()
    cache.clear()


@pytest.fixture
def open_survey(home_page):
    """A published survey with every question type and no start limit."""
    index = SurveyIndexPageFactory(parent=home_page)
    index.save_revision().publish()
    return published_survey(index, starts_per_client_per_hour=10**9)
