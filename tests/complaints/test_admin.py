"""The handlers' admin: handling page, permissions, photos, import, overdue, report."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from wagtail.users.models import UserProfile

from accounts.roles import ASSESSORS
from complaints.choices import ComplaintStatus
from complaints.models import Complaint, ComplaintPhoto
from complaints.report import settlement_report
from complaints.services import complaint_transition, feedback_submit
from tests.accounts.helpers import member_of
from tests.factories.complaints import (
    ComplaintFactory,
    days_ago,
    handler,
    official,
    scenic_area,
)

pytestmark = pytest.mark.django_db


def in_english(user):
    """Admin pages follow the user's preferred language; messages are asserted in
    English."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def refused(response) -> bool:
    """Wagtail turns a refused admin page into a redirect to the dashboard."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == "/admin/"
    )


@pytest.fixture
def as_handler(verified_login):
    user = in_english(handler("li", first_name="Li", last_name="Na"))
    verified_login(user)
    return user


def post_step(client, complaint, action, note="", version=None):
    return client.post(
        f"/admin/complaints/edit/{complaint.pk}/",
        {
            "form": "transition",
            "action": action,
            "note": note,
            "version": complaint.version if version is None else version,
        },
    )


def test_a_handler_accepts_and_settles_from_the_handling_page(client, as_handler):
    complaint = ComplaintFactory(contact_phone="13800000000", contact_consent=True)
    page = client.get(f"/admin/complaints/edit/{complaint.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "13800000000" in html and complaint.description in html
    assert 'data-action="accept"' in html and 'data-action="reject"' in html
    assert 'data-action="settle"' not in html
    assert post_step(client, complaint, "accept").status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ACCEPTED
    assert complaint.handler == as_handler
    response = post_step(client, complaint, "settle", note="Refunded 100 yuan")
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.SETTLED
    events = complaint.transitions.values_list("action", "actor_label")
    assert list(events)[-2:] == [("accept", "Li Na"), ("settle", "Li Na")]


def test_refused_steps_come_back_with_a_message_and_no_change(client, as_handler):
    complaint = ComplaintFactory()
    stale = complaint.version
    post_step(client, complaint, "reject", note="Not a tourism matter")
    complaint.refresh_from_db()
    settle_rejected = post_step(client, complaint, "settle", note="x")
    assert settle_rejected.status_code == 409
    assert "cannot be settled" in settle_rejected.content.decode()
    stale_page = post_step(client, complaint, "accept", version=stale)
    assert stale_page.status_code == 409
    assert "Someone else changed this complaint" in stale_page.content.decode()
    missing_reason = ComplaintFactory()
    response = post_step(client, missing_reason, "reject", note="")
    assert response.status_code == 409
    assert "Please give a reason" in response.content.decode()
    broken = client.post(
        f"/admin/complaints/edit/{complaint.pk}/",
        {"form": "transition", "action": "accept"},
    )
    assert broken.status_code == 400
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.REJECTED
    assert complaint.transitions.count() == 2


def test_reassign_and_note_forms(client, as_handler):
    colleague = handler("wang")
    complaint = ComplaintFactory()
    response = client.post(
        f"/admin/complaints/edit/{complaint.pk}/",
        {"form": "reassign", "handler": colleague.pk, "version": complaint.version},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.handler == colleague
    empty = client.post(
        f"/admin/complaints/edit/{complaint.pk}/",
        {"form": "reassign", "version": complaint.version},
    )
    assert empty.status_code == 400
    assert "Choose a handler or an agency." in empty.content.decode()
    noted = client.post(
        f"/admin/complaints/edit/{complaint.pk}/",
        {"form": "note", "note": "Called the operator", "version": complaint.version},
    )
    assert noted.status_code == 302
    assert complaint.transitions.last().note == "Called the operator"


def test_handlers_cannot_add_or_delete_complaints(client, as_handler):
    complaint = ComplaintFactory()
    assert refused(client.get("/admin/complaints/new/"))
    assert refused(client.post(f"/admin/complaints/delete/{complaint.pk}/"))
    listing = client.get("/admin/complaints/").content.decode()
    assert complaint.reference in listing and "/admin/complaints/new/" not in listing
    for link in ("overdue", "import", "report"):
        assert f'href="/admin/complaints/{link}/"' in listing
    assert Complaint.objects.count() == 1


def test_photos_are_served_to_handlers_only(client, verified_login):
    complaint = ComplaintFactory()
    photo = ComplaintPhoto(
        complaint=complaint,
        content_type="image/png",
        size=3,
        uploaded_at=timezone.now(),
    )
    photo.image.save("x.png", ContentFile(b"png"), save=True)
    url = f"/admin/complaints/photo/{photo.pk}/"
    assert client.get(url).status_code == 302  # to the login page
    verified_login(official())
    assert refused(client.get(url))
    verified_login(handler())
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"png"
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]


def test_other_roles_do_not_see_complaints(client, verified_login):
    complaint = ComplaintFactory()
    verified_login(member_of(ASSESSORS))
    assert refused(client.get("/admin/complaints/"))
    assert refused(client.get(f"/admin/complaints/edit/{complaint.pk}/"))
    assert refused(client.get("/admin/complaints/report/"))


def test_an_official_reads_the_settlement_report_and_its_csv(client, verified_login):
    actor = handler()
    settled = ComplaintFactory(received_at=days_ago(30))
    complaint_transition(complaint_id=settled.pk, action="accept", actor=actor)
    complaint_transition(
        complaint_id=settled.pk, action="settle", actor=actor, note="refund"
    )
    feedback_submit(
        complaint_id=settled.pk, overall=4, resolved="yes", comment="Fair refund"
    )
    unsettled = ComplaintFactory(received_at=days_ago(30))
    complaint_transition(complaint_id=unsettled.pk, action="accept", actor=actor)
    complaint_transition(
        complaint_id=unsettled.pk, action="close_unsettled", actor=actor, note="gone"
    )
    verified_login(in_english(handler("reader")))
    handling = client.get(f"/admin/complaints/edit/{settled.pk}/").content.decode()
    assert 'data-testid="feedback"' in handling and "Fair refund" in handling
    verified_login(in_english(official()))
    page = client.get("/admin/complaints/report/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-verdict="not met"' in html
    assert "Time to settlement" in html and "1 answers" in html
    csv = client.get("/admin/complaints/report/?format=csv")
    text = csv.content.decode("utf-8-sig")
    assert csv["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0].startswith("table,group,received")
    overall = next(line for line in text.splitlines() if line.startswith("overall"))
    assert ",0.5," in overall and "not met" in overall
    bad = client.get(
        "/admin/complaints/report/?received_from=2026-05-02&received_to=2026-05-01"
    )
    assert bad.status_code == 400
    assert "The start date is after the end date." in bad.content.decode()


def test_the_report_agrees_with_a_count_by_hand():
    actor = handler()
    outcomes = ["settle", "settle", "settle", "close_unsettled"]
    for action in outcomes:
        complaint = ComplaintFactory(received_at=days_ago(40))
        complaint_transition(complaint_id=complaint.pk, action="accept", actor=actor)
        complaint_transition(
            complaint_id=complaint.pk, action=action, actor=actor, note="n"
        )
    ComplaintFactory(received_at=days_ago(1))  # pending: within its deadlines
    report = settlement_report()
    overall = report.rates["overall"].iloc[0]
    assert (overall.received, overall.pending, overall.counted) == (5, 1, 4)
    assert overall.settlement_rate == 0.75 and overall.verdict == "not met"
    medians = report.medians.set_index("group")
    assert medians.loc["All complaints", "events"] == 3


def test_the_overdue_page_and_the_import_page(client, as_handler):
    overdue = ComplaintFactory(received_at=days_ago(30))
    ComplaintFactory()
    html = client.get("/admin/complaints/overdue/").content.decode()
    assert overdue.reference in html and html.count("/admin/complaints/edit/") == 1
    scenic_area()
    good = SimpleUploadedFile(
        "cases.csv",
        b"case_number,received_at,service_point,category,description\n"
        b"12345-1,2026-05-01 09:00,wuzhen,price,Overcharged\n",
    )
    response = client.post(
        "/admin/complaints/import/", {"channel": "12345", "file": good}
    )
    assert response.status_code == 302
    assert Complaint.objects.filter(external_reference="12345-1").exists()
    bad = SimpleUploadedFile(
        "cases.csv",
        b"case_number,received_at,service_point,category,description\n"
        b"12345-2,2026-05-01 09:00,nowhere,price,Overcharged\n",
    )
    refused = client.post(
        "/admin/complaints/import/", {"channel": "12345", "file": bad}
    )
    assert refused.status_code == 400
    assert "nowhere" in refused.content.decode()
    assert not Complaint.objects.filter(external_reference="12345-2").exists()


def test_a_qr_code_for_each_scenic_area(client, as_handler):
    point = scenic_area()
    response = client.get(f"/admin/complaints/qr/{point.code}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


def test_the_list_marks_suspected_bots_in_words_and_leaves_others_blank(
    client, as_handler
):
    flagged = ComplaintFactory(suspected_bot=True)
    ComplaintFactory()
    page = client.get("/admin/complaints/").content.decode()
    assert flagged.reference in page
    assert re.findall(r"<td[^>]*>\s*Suspected bot\s*</td>", page)
    assert ">True<" not in page and ">False<" not in page
