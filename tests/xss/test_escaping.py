"""The XSS corpus in every field an assessor, a respondent or a complainant
writes, checked escaped on the public pages, the admin and the exports."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from exchange.exports import ExportFilters, export_begin, stream_csv
from exchange.formats import write_xlsx
from surveys.models import Response
from surveys.selectors import revision_questionnaire
from tests.accounts.helpers import login_verified
from tests.factories.surveys import SurveyIndexPageFactory, published_survey
from tests.xss.corpus import PAYLOADS, live_payloads

pytestmark = pytest.mark.django_db
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def text_question(n: int, payload: str) -> dict:
    return {
        "type": "short_text",
        "value": {
            "code": f"q_t{n}",
            "label": payload,
            "label_en": payload,
            "help_text": payload,
            "help_text_en": payload,
            "required": False,
        },
    }


def hostile_body() -> list[dict]:
    options = [
        {"value": f"o{n}", "label": p, "label_en": p} for n, p in enumerate(PAYLOADS)
    ]
    return [
        {"type": "section", "value": {"title": PAYLOADS[0], "title_en": PAYLOADS[1]}},
        {
            "type": "single_choice",
            "value": {
                "code": "q_pick",
                "label": PAYLOADS[2],
                "label_en": PAYLOADS[3],
                "required": True,
                "options": options,
            },
        },
        *(text_question(n, p) for n, p in enumerate(PAYLOADS)),
    ]


@pytest.fixture
def hostile_survey(home_page):
    cache.clear()
    revision_questionnaire.cache_clear()
    index = SurveyIndexPageFactory(parent=home_page)
    index.save_revision().publish()
    return published_survey(
        index, title=PAYLOADS[4][:255], title_en=PAYLOADS[5], body=hostile_body()
    )


def assert_escaped(html: str, where: str) -> None:
    assert not live_payloads(html), (where, live_payloads(html)[:5])


def answer_everything(client, survey) -> tuple[str, Response]:
    """A respondent writes a payload into every text answer; returns the
    review URL and the (submitted) response."""
    first = client.post(survey.url + "start/", {"ch": "web"})["Location"]
    answers = {f"q_t{n}": p.replace("\r", "") for n, p in enumerate(PAYLOADS)}
    page = client.get(first)
    assert_escaped(page.content.decode(), "section page")
    review = client.post(first, {"q_pick": "o7", **answers})
    assert review.status_code == 302, review.content.decode()[:2000]
    return review["Location"], Response.objects.get(survey=survey)


def test_payloads_in_questions_and_answers_are_escaped_on_public_pages(
    client, hostile_survey
):
    for prefix in ("", "/en"):
        intro = client.get(prefix + hostile_survey.url)
        assert intro.status_code == 200
        assert_escaped(intro.content.decode(), f"intro {prefix}")
    review_url, response = answer_everything(client, hostile_survey)
    assert response.answers["q_t2"] == PAYLOADS[2]  # stored as written
    review = client.get(review_url)
    assert review.status_code == 200
    assert PAYLOADS[2].count("<") and "&lt;img src=x onerror=xss()&gt;" in (
        review.content.decode()
    )
    assert_escaped(review.content.decode(), "review page")
    thanks = client.post(review_url, follow=True)
    assert_escaped(thanks.content.decode(), "thanks page")


def test_payloads_are_escaped_in_the_admin(client, hostile_survey):
    answer_everything(client, hostile_survey)
    admin = User.objects.create_superuser("assessor", password="pw")
    login_verified(client, admin)
    pages = [
        f"/admin/pages/{hostile_survey.pk}/edit/",
        f"/admin/pages/{hostile_survey.pk}/view_draft/",
        reverse("surveys_admin_flags", args=[hostile_survey.pk]),
        reverse("surveys_admin_fieldwork", args=[hostile_survey.pk]),
    ]
    for url in pages:
        page = client.get(url)
        assert page.status_code in (200, 302), (url, page.status_code)
        # The editor keeps the raw block values in JSON for its widgets.
        html = page.content.decode()
        assert_escaped(html, url)


def test_complaint_payloads_are_escaped_for_complainant_and_handler(
    client, hostile_complaints
):
    complaints = hostile_complaints
    for complaint in complaints[:10]:
        page = client.get(
            f"/en/complaints/track/{complaint.reference}/{complaint.secret}/"
        )
        assert page.status_code == 200
        assert_escaped(page.content.decode(), "complaint lookup")
    added = client.post(
        f"/en/complaints/track/{complaints[0].reference}/{complaints[0].secret}/",
        {"form": "information", "text": "\n".join(PAYLOADS)},
        follow=True,
    )
    assert_escaped(added.content.decode(), "complaint lookup with information")
    login_verified(client, User.objects.create_superuser("handler", password="pw"))
    listing = client.get(reverse("wagtailadmin_complaints:index"))
    assert listing.status_code == 200
    assert_escaped(listing.content.decode(), "complaint list")
    for complaint in complaints[:5]:
        page = client.get(reverse("wagtailadmin_complaints:edit", args=[complaint.pk]))
        assert page.status_code == 200
        assert_escaped(page.content.decode(), "complaint handling page")


def test_payloads_in_answers_are_neutralized_in_csv_and_xlsx(
    client, hostile_survey, tmp_path
):
    _review_url, _response = answer_everything(client, hostile_survey)
    client.post(_review_url)
    filters = ExportFilters(survey_ids=(hostile_survey.pk,), include_excluded=True)
    export, rows, header = export_begin(filters=filters, file_format="csv", user=None)
    text = b"".join(stream_csv(export, rows, header)).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    hostile = [cell for cell in cells if "xss" in cell]
    assert len(hostile) >= 50
    assert not [c for c in hostile if c.startswith(FORMULA_TRIGGERS)]
    export, rows, header = export_begin(filters=filters, file_format="xlsx", user=None)
    write_xlsx(tmp_path / "responses.xlsx", rows, header)
    sheet = load_workbook(tmp_path / "responses.xlsx").active
    values = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.value for c in values if c.data_type == "f"]
    assert sum("xss" in str(c.value) for c in values) >= 50


def admin_rich_text(payloads: list[str]) -> str:
    """What the admin's rich-text editor stores for paragraphs an assessor typed
    (or pasted) holding the payloads, each with a link to ``javascript:``."""
    import json

    from wagtail.admin.rich_text import get_rich_text_editor_widget

    blocks = [
        {
            "key": f"b{n}",
            "text": payload,
            "type": "unstyled",
            "depth": 0,
            "inlineStyleRanges": [{"offset": 0, "length": 3, "style": "BOLD"}],
            "entityRanges": [{"offset": 0, "length": 3, "key": n}],
            "data": {},
        }
        for n, payload in enumerate(payloads)
    ]
    entities = {
        str(n): {
            "type": "LINK",
            "mutability": "MUTABLE",
            "data": {"url": "javascript:xss()"},
        }
        for n in range(len(payloads))
    }
    contentstate = json.dumps({"blocks": blocks, "entityMap": entities})
    widget = get_rich_text_editor_widget()
    return widget.value_from_datadict({"text": contentstate}, {}, "text")


def test_payloads_in_rich_text_intro_privacy_and_thank_you_are_escaped(
    client, hostile_survey
):
    stored = admin_rich_text(PAYLOADS)
    assert "xss()" in stored  # the text is kept, as text
    for field in ("intro", "privacy_notice", "thank_you"):
        setattr(hostile_survey, field, stored)
        setattr(hostile_survey, f"{field}_en", stored)
    hostile_survey.save_revision().publish()
    cache.clear()
    revision_questionnaire.cache_clear()
    for prefix in ("", "/en"):
        intro = client.get(prefix + hostile_survey.url)
        assert intro.status_code == 200
        html = intro.content.decode()
        assert_escaped(html, f"rich-text intro {prefix}")
        assert "&lt;script&gt;xss()&lt;/script&gt;" in html
    review_url, _response = answer_everything(client, hostile_survey)
    thanks = client.post(review_url, follow=True)
    assert_escaped(thanks.content.decode(), "rich-text thank-you")
    assert "&lt;script&gt;xss()&lt;/script&gt;" in thanks.content.decode()
