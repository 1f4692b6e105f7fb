import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from surveys import api
from surveys.selectors import revision_questionnaire
from tests.factories.surveys import SurveyIndexPageFactory, published_survey


@pytest.fixture(autouse=True)
def _fresh_questionnaire_cache():
    # Revision ids can be reused after a test's rollback (SQLite); a language
    # activated by an earlier test's request must not leak into the next.
    translation.activate(settings.LANGUAGE_CODE)
    cache.clear()  # rate limits and duplicate checks live in the cache
    revision_questionnaire.cache_clear()
    api._lookups.clear()
    yield
    revision_questionnaire.cache_clear()


@pytest.fixture
def survey_index(home_page):
    index = SurveyIndexPageFactory(parent=home_page)
    index.save_revision().publish()
    return index


@pytest.fixture
def survey(survey_index):
    return published_survey(survey_index)
