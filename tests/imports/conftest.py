import pytest
from django.core.cache import cache
from django.utils import translation

from surveys.selectors import revision_questionnaire
from tests.factories.surveys import ServicePointFactory
from tests.surveys.conftest import survey, survey_index  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def _fresh_state(settings, tmp_path):
    # Revision ids are reused after a rollback; uploads go to a throwaway folder.
    settings.MEDIA_ROOT = tmp_path / "media"
    translation.activate(settings.LANGUAGE_CODE)
    cache.clear()
    revision_questionnaire.cache_clear()
    yield
    revision_questionnaire.cache_clear()


@pytest.fixture
def points(db):
    return [
        ServicePointFactory(code="wuzhen", name="乌镇景区", name_en="Wuzhen"),
        ServicePointFactory(code="xitang", name="西塘景区", name_en="Xitang"),
    ]
