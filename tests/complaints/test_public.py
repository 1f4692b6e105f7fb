"""The public form, the secret lookup link, adding information, the follow-up survey."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from complaints.choices import ComplaintAction, ComplaintChannel, ComplaintStatus
from complaints.models import Complaint, ComplaintPhoto, HandlingFeedback
from complaints.services import complaint_transition
from tests.antibot import stamp_from
from tests.factories.complaints import ComplaintFactory, handler, scenic_area

pytestmark = pytest.mark.django_db

VALID = {
    "category": "price",
    "description": "The boat ride cost 200 yuan instead of the posted 100.",
    "occurred_at": "2026-05-01T14:30",
    # A tourist who took a minute over the form (tests/complaints/
    # test_anti_automation.py covers the faster ones).
    "shown": stamp_from(60),
}


def png(size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, format="PNG")
    return buffer.getvalue()


def en(name: str, *args: str) -> str:
    """The English page's URL: messages are asserted in English."""
    with translation.override("en"):
        return reverse(name, args=args)


def track(complaint) -> str:
    return en("complaints:track", complaint.reference, complaint.secret)


def submit(client, point, **data):
    url = en("complaints:new_at", point.code)
    return client.post(url, {"service_point": point.code, **VALID, **data})


def test_the_qr_link_opens_the_form_with_the_scenic_area_filled_in(client):
    point = scenic_area()
    response = client.get(f"/complaints/new/{point.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "乌镇" in html
    assert f'type="hidden" name="service_point" value="{point.code}"' in html
    assert 'enctype="multipart/form-data"' in html


def test_the_form_is_in_english_under_en(client):
    point = scenic_area()
    html = client.get(f"/en/complaints/new/{point.code}/").content.decode()
    assert '<html lang="en">' in html and "Wuzhen" in html
    assert "Make a complaint" in html


def test_an_unknown_or_inactive_scenic_area_is_not_found(client):
    point = scenic_area()
    point.active = False
    point.save()
    assert client.get("/complaints/new/nowhere/").status_code == 404
    assert client.get(f"/complaints/new/{point.code}/").status_code == 404


def test_a_complaint_from_a_qr_code_gets_a_reference_and_a_secret_link(client):
    point = scenic_area()
    response = submit(client, point, contact_phone="13800000000", contact_consent="on")
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.channel == ComplaintChannel.QR
    assert complaint.service_point == point
    assert complaint.contact_phone == "13800000000"
    assert response["Location"].startswith(
        f"/en/complaints/track/{complaint.reference}/"
    )
    page = client.get(response["Location"])
    html = page.content.decode()
    assert f'data-testid="reference">{complaint.reference}<' in html
    assert (
        f'data-testid="track-link">http://testserver{response["Location"].split("?")[0]}'
        in html
    )
    assert "no-store" in page["Cache-Control"]
    assert page["X-Robots-Tag"] == "noindex"
    assert complaint.transitions.get().action == ComplaintAction.RECEIVE
    # The secret is not stored, only its hash.
    secret = response["Location"].split("/")[5]
    assert secret not in complaint.lookup_secret_hash


def test_the_general_form_lets_the_tourist_choose_the_place(client):
    point = scenic_area()
    response = client.post(en("complaints:new"), {"service_point": point.code, **VALID})
    assert response.status_code == 302
    assert Complaint.objects.get().channel == ComplaintChannel.WEB


def test_the_places_are_grouped_by_sector_with_the_scenic_areas_first(client):
    import re

    from tests.factories.surveys import SectorFactory, ServicePointFactory

    school = SectorFactory(code="education", name_en="Education", sort_order=1)
    ServicePointFactory(code="no1-school", name_en="No. 1 School", sector=school)
    scenic_area()  # tourism sorts after education in the sectors' own order
    page = client.get(en("complaints:new")).content.decode()
    select = re.search(r'<select name="service_point".*?</select>', page, re.S)[0]
    assert re.findall(r'<optgroup label="([^"]+)"', select) == ["Tourism", "Education"]
    first = re.search(r"<option[^>]*>([^<]+)</option>", select)[1]
    assert first == "Choose the place"  # not a row of dashes
    assert select.index("Wuzhen") < select.index("No. 1 School")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"description": ""}, "Please describe what happened."),
        ({"description": "short"}, "at least 10 characters"),
        ({"category": "bribery"}, "Select a valid choice"),
        ({"occurred_at": "yesterday"}, "Enter the date and time"),
        ({"occurred_at": "2999-01-01T10:00"}, "The date is in the future."),
        ({"contact_phone": "13800000000"}, "Tick the box to let us contact you"),
        ({"contact_phone": "call me maybe"}, "Enter a phone number"),
        ({"service_point": "atlantis"}, "Please choose the place from the list."),
        ({"description": "x" * 4001}, "at most 4000 characters"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(client, data, message):
    point = scenic_area()
    response = client.post(
        en("complaints:new"), {"service_point": point.code, **VALID, **data}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "There is a problem" in html
    assert not Complaint.objects.exists()


def test_contact_details_are_dropped_without_consent(client):
    point = scenic_area()
    from complaints.services import complaint_submit

    complaint, _secret = complaint_submit(
        service_point=point,
        category="price",
        description="Overcharged for parking near the gate.",
        channel=ComplaintChannel.WEB,
        contact_phone="13800000000",
        contact_consent=False,
    )
    assert complaint.contact_phone == ""


def test_photos_are_kept_privately_under_a_random_name(client, photo_root):
    point = scenic_area()
    photo = SimpleUploadedFile("我的照片.png", png(), content_type="image/png")
    assert submit(client, point, photos=[photo]).status_code == 302
    stored = ComplaintPhoto.objects.get()
    assert stored.content_type == "image/png"
    assert "我的照片" not in stored.image.name and stored.image.name.endswith(".png")
    assert (photo_root / stored.image.name).exists()
    with pytest.raises(ValueError, match="no public URL"):
        stored.image.url  # noqa: B018


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            [SimpleUploadedFile("a.jpg", b"<script>alert(1)</script>", "image/jpeg")],
            "is not a JPEG, PNG or WebP photo",
        ),
        (
            [
                SimpleUploadedFile(
                    "a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 50, "image/png"
                )
            ],
            "is damaged or not a real image",
        ),
        (
            [
                SimpleUploadedFile(
                    "big.png", png() + b"\0" * (5 * 1024 * 1024), "image/png"
                )
            ],
            "is too large",
        ),
        (
            [SimpleUploadedFile(f"p{i}.png", png(), "image/png") for i in range(4)],
            "at most 3 photos",
        ),
    ],
)
def test_bad_uploads_are_refused_with_a_message_and_nothing_is_stored(
    client, files, message
):
    point = scenic_area()
    response = submit(client, point, photos=files)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Complaint.objects.exists() and not ComplaintPhoto.objects.exists()


def test_scripts_in_text_fields_are_shown_as_text_never_run(client):
    point = scenic_area()
    script = "<script>alert('x')</script> overcharged at the gate"
    response = submit(client, point, description=script)
    page = client.get(response["Location"])
    complaint = Complaint.objects.get()
    assert complaint.description == script  # stored as typed
    actor = handler()
    complaint_transition(complaint_id=complaint.pk, action="accept", actor=actor)
    complaint_transition(
        complaint_id=complaint.pk, action="settle", actor=actor, note=script
    )
    html = client.get(response["Location"]).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert page.status_code == 200


@pytest.mark.parametrize("forge", ["secret", "reference", "both"])
def test_a_forged_lookup_link_finds_nothing_and_says_so(client, forge):
    complaint = ComplaintFactory()
    reference = (
        "JX-000000-AAAAA" if forge in ("reference", "both") else complaint.reference
    )
    secret = "forged-secret-value" if forge in ("secret", "both") else complaint.secret
    response = client.get(en("complaints:track", reference, secret))
    assert response.status_code == 404
    assert "We could not find this complaint" in response.content.decode()
    assert complaint.description not in response.content.decode()


def test_the_complainant_sees_the_status_change_and_public_history_only(client):
    complaint = ComplaintFactory()
    actor = handler()
    complaint_transition(complaint_id=complaint.pk, action="accept", actor=actor)
    from complaints.services import complaint_note

    complaint_note(complaint_id=complaint.pk, actor=actor, note="internal: call boss")
    url = track(complaint)
    html = client.get(url).content.decode()
    assert f'data-testid="status"><strong>{ComplaintStatus.ACCEPTED.label}<' in html
    assert "internal: call boss" not in html


def test_the_complainant_can_add_information_while_open(client):
    complaint = ComplaintFactory()
    url = track(complaint)
    response = client.post(url, {"form": "information", "text": "Receipt no. 42"})
    assert response.status_code == 302
    event = complaint.transitions.last()
    assert (event.action, event.note, event.actor_label) == (
        "add_information",
        "Receipt no. 42",
        "complainant",
    )
    empty = client.post(url, {"form": "information", "text": ""})
    assert empty.status_code == 400
    assert "Please write the information to add." in empty.content.decode()


def test_information_cannot_be_added_once_concluded(client):
    complaint = ComplaintFactory()
    actor = handler()
    complaint_transition(
        complaint_id=complaint.pk, action="reject", actor=actor, note="not tourism"
    )
    url = track(complaint)
    response = client.post(url, {"form": "information", "text": "More details"})
    assert response.status_code == 400
    assert "can no longer be added" in response.content.decode()
    assert "not tourism" in response.content.decode()


def settled_complaint():
    complaint = ComplaintFactory()
    actor = handler()
    complaint_transition(complaint_id=complaint.pk, action="accept", actor=actor)
    complaint_transition(
        complaint_id=complaint.pk, action="settle", actor=actor, note="Refunded."
    )
    return complaint


FEEDBACK = {
    "form": "feedback",
    "overall": "4",
    "speed": "5",
    "communication": "3",
    "resolved": "yes",
    "comment": "Quick refund",
}


def test_after_settlement_the_complainant_is_invited_to_the_survey_once(client):
    complaint = settled_complaint()
    url = track(complaint)
    assert "How was your complaint handled?" in client.get(url).content.decode()
    assert client.post(url, FEEDBACK).status_code == 302
    answer = HandlingFeedback.objects.get()
    assert (answer.overall, answer.speed, answer.fairness, answer.resolved) == (
        4,
        5,
        None,
        "yes",
    )
    html = client.get(url).content.decode()
    assert "How was your complaint handled?" not in html
    again = client.post(url, FEEDBACK)
    assert again.status_code == 400
    assert "already answered" in again.content.decode()
    assert HandlingFeedback.objects.count() == 1


def test_the_survey_is_not_open_before_settlement(client):
    complaint = ComplaintFactory()
    url = track(complaint)
    assert "How was your complaint handled?" not in client.get(url).content.decode()
    response = client.post(url, FEEDBACK)
    assert response.status_code == 400
    assert "opens once the complaint is settled" in response.content.decode()
    assert not HandlingFeedback.objects.exists()


def test_survey_answers_off_the_scale_are_refused(client):
    complaint = settled_complaint()
    url = track(complaint)
    response = client.post(url, {**FEEDBACK, "overall": "9"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not HandlingFeedback.objects.exists()
