import pytest

from surveys.models import Channel, Response, ResponseStatus
from tests.surveys.flow import (
    EXPECTED,
    SECTION_ANSWERS,
    answer_all,
    only_response,
    start,
    token_of,
)

pytestmark = pytest.mark.django_db


def test_a_complete_response_stores_exactly_the_answers_given(client, survey):
    review = answer_all(client, survey)
    page = client.get(review)
    assert "海报" in page.content.decode()
    done = client.post(review)
    assert done.status_code == 302 and done["Location"].endswith("/thanks/")
    response = only_response(survey)
    assert response.status == ResponseStatus.SUBMITTED
    assert response.answers == EXPECTED
    assert response.revision_id == survey.live_revision_id
    assert response.channel == Channel.QR
    assert response.language == "zh-hans"
    assert response.submitted_at.minute == 0 and response.submitted_at.second == 0
    assert response.started_at.minute == 0
    thanks = client.get(done["Location"])
    assert "谢谢" in thanks.content.decode()


def test_the_english_flow_shows_english_wording_and_records_the_language(
    client, survey
):
    url = start(client, survey, prefix="/en")
    assert url.startswith("/en/")
    html = client.get(url).content.decode()
    assert "Have you visited?" in html and "Part one" in html
    assert '<html lang="en">' in html and "Save and continue" in html
    chinese = client.get(url.removeprefix("/en")).content.decode()
    assert "保存并继续" in chinese and "您来过吗？" in chinese
    assert Response.objects.get().language == "en"


def test_a_missing_required_answer_shows_a_summary_and_a_message_by_the_field(
    client, survey
):
    url = start(client, survey)
    response = client.post(url, {"q_wait": "500"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in html
    assert 'href="#id_q_visited_0"' in html
    assert "Choose an answer to this question." in html or "请选择" in html
    assert 'id="id_q_wait-error"' in html
    assert Response.objects.get().answers == {}


def test_a_hidden_question_is_neither_required_nor_stored(client, survey):
    url = start(client, survey)
    first = dict(SECTION_ANSWERS[1], q_visited="no")
    url = client.post(url, first)["Location"]
    html = client.get(url).content.decode()
    assert "q_staff" not in html
    url = client.post(url, {"q_overall": "3", "q_nps": "2"})["Location"]
    url = client.post(url, {})["Location"]
    # going back and answering yes makes the question visible again
    assert url.endswith("/review/")
    client.post(url)
    answers = only_response(survey).answers
    assert "q_staff" not in answers
    assert answers["q_visited"] == "no"


def test_answers_to_questions_hidden_by_a_later_change_are_dropped(client, survey):
    review = answer_all(client, survey)
    section_one = review.replace("review/", "1/")
    client.post(section_one, dict(SECTION_ANSWERS[1], q_visited="no"))
    client.post(review)
    answers = only_response(survey).answers
    assert "q_staff" not in answers


def test_going_back_shows_earlier_answers_and_keeps_them(client, survey):
    url = start(client, survey)
    second = client.post(url, SECTION_ANSWERS[1])["Location"]
    html = client.get(second).content.decode()
    assert f'href="{url}"' in html  # the back link
    back = client.get(url).content.decode()
    assert 'value="15"' in back and "海报" in back


def test_resume_link_continues_on_another_device(client, survey, django_user_model):
    from django.test import Client

    url = start(client, survey)
    client.post(url, SECTION_ANSWERS[1])
    token = token_of(url)
    other = Client()
    resumed = other.get(f"{survey.url}r/{token}/")
    assert resumed.status_code == 302 and resumed["Location"].endswith("/2/")
    assert other.get(resumed["Location"]).status_code == 200


def test_an_unknown_or_expired_resume_link_gives_a_clear_page(client, survey):
    from datetime import timedelta

    assert client.get(f"{survey.url}r/forged-token/").status_code == 404
    url = start(client, survey)
    Response.objects.update(
        saved_at=Response.objects.get().saved_at - timedelta(days=30)
    )
    expired = client.get(url)
    assert expired.status_code == 410
    assert "expired" in expired.content.decode() or "过期" in expired.content.decode()


def test_submitting_twice_creates_one_response(client, survey):
    review = answer_all(client, survey)
    assert client.post(review).status_code == 302
    again = client.post(review)
    assert again.status_code == 302 and again["Location"].endswith("/thanks/")
    assert Response.objects.filter(status=ResponseStatus.SUBMITTED).count() == 1


def test_sections_cannot_be_skipped_by_editing_the_url(client, survey):
    url = start(client, survey)
    jump = client.get(url.replace("/1/", "/3/"))
    assert jump.status_code == 302 and jump["Location"].endswith("/1/")
    review = client.get(url.removesuffix("1/") + "review/")
    assert review.status_code == 302


def test_service_point_attribution_from_the_link(client, survey):
    from tests.factories.surveys import ServicePointFactory

    point = ServicePointFactory(sector=survey.sector)
    intro = client.get(f"{survey.url}?sp={point.code}&ch=qr").content.decode()
    assert f'value="{point.code}"' in intro
    client.post(f"{survey.url}start/", {"sp": point.code, "ch": "qr"})
    response = Response.objects.get()
    assert response.service_point == point and response.channel == Channel.QR


def test_assessor_text_is_escaped(client, survey_index):
    from tests.factories.surveys import likert, published_survey

    body = [likert("q_x", label="<b>粗体</b><script>x()</script>")]
    body[0]["value"]["help_text"] = "<img src=x onerror=alert(1)>"
    survey = published_survey(survey_index, body=body, thank_you="<p>ok</p>")
    url = start(client, survey)
    html = client.get(url).content.decode()
    assert "<script>x()</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;x()&lt;/script&gt;" in html
    client.post(url, {"q_x": "3"})
    review = client.get(url.removesuffix("1/") + "review/").content.decode()
    assert "<script>x()</script>" not in review
