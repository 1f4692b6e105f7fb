import pytest
from django.conf import settings
from django.utils import translation

from tests.factories.surveys import SurveyIndexPageFactory, published_survey


@pytest.fixture(autouse=True)
def _default_language():
    # A language activated by an earlier test's request must not leak into the
    # next (caches are emptied for every test in tests/conftest.py).
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def survey_index(home_page):
    index = SurveyIndexPageFactory(parent=home_page)
    index.save_revision().publish()
    return index


@pytest.fixture
def survey(survey_index):
    return published_survey(survey_index)
