import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_page_answers_in_chinese_at_the_root(client, home_page):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "嘉兴市公共服务满意度" in html


def test_home_page_answers_in_english_under_en(client, home_page):
    response = client.get("/en/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Jiaxing public-service satisfaction" in html


def test_every_public_page_has_landmarks_skip_link_and_language_switcher(
    client, home_page
):
    html = client.get("/").content.decode()
    assert 'href="#main"' in html
    assert '<main id="main"' in html
    assert "<header" in html and "<footer" in html
    assert 'action="/i18n/setlang/"' in html
    assert 'value="en"' in html


def test_switching_language_without_javascript_lands_on_the_english_page(
    client, home_page
):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/en/"
    assert '<html lang="en">' in response.content.decode()


def test_admin_login_page_answers(client):
    assert client.get("/admin/login/").status_code == 200


def test_static_files_are_local_and_no_cdn_is_referenced(client, home_page):
    html = client.get("/").content.decode()
    assert "/static/css/site.css" in html
    assert "//cdn" not in html and "googleapis" not in html


def test_the_home_page_shows_where_to_start(client, home_page):
    """A citizen landing on the front page finds the open surveys, the
    complaint form and the published results, in their language."""
    from tests.factories.surveys import SurveyIndexPageFactory, SurveyPageFactory

    index = SurveyIndexPageFactory(parent=home_page, title_en="Surveys")
    open_survey = SurveyPageFactory(parent=index, title_en="Hospital survey")
    SurveyPageFactory(parent=index, title_en="Draft survey", live=False)

    html = client.get("/en/").content.decode()
    assert f'href="/en/{index.slug}/{open_survey.slug}/"' in html
    assert "Hospital survey" in html
    assert "Draft survey" not in html
    assert 'href="/en/complaints/new/"' in html
    assert 'href="/en/results/"' in html

    chinese = client.get("/").content.decode()
    assert open_survey.title in chinese and "结果公示" in chinese
