"""A tourist complains from a QR code on a phone; a handler settles it; the tourist
follows the status and answers the follow-up survey (issue #7, acceptance 1)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from complaints.choices import ComplaintStatus
from complaints.models import Complaint, HandlingFeedback
from tests.accounts.helpers import login_verified
from tests.e2e.axe import serious_violations
from tests.factories.complaints import handler, scenic_area

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def chinese(label) -> str:
    with translation.override("zh-hans"):
        return str(label)


def signed_in(context, user, live_server) -> None:
    """Give a browser context the session of ``user``, past the second factor."""
    client = Client()
    login_verified(client, user)
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )


def test_a_tourist_complains_by_qr_and_follows_it_to_the_survey(
    phone, desktop, live_server
):
    point = scenic_area()
    qr_link = f"{live_server.url}/complaints/new/{point.code}/"

    # The tourist scans the poster at Wuzhen and files the complaint.
    phone.goto(qr_link)
    assert "乌镇" in phone.locator("main").inner_text()
    assert serious_violations(phone) == []
    phone.locator("input[name=category][value=price]").check()
    phone.locator("textarea[name=description]").fill(
        "游船票价比公示价格高一倍。The boat ticket cost twice the posted price."
    )
    phone.locator("input[name=contact_phone]").fill("13800000000")
    phone.locator("input[name=contact_consent]").check()
    phone.locator("main button[type=submit]").click()
    phone.wait_for_url("**/complaints/track/**")
    reference = phone.get_by_test_id("reference").inner_text()
    track_link = phone.get_by_test_id("track-link").inner_text()
    complaint = Complaint.objects.get()
    assert reference == complaint.reference
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(phone) == []

    # A handler accepts and settles it in the admin.
    signed_in(desktop.context, handler("li"), live_server)
    desktop.goto(f"{live_server.url}/admin/complaints/edit/{complaint.pk}/")
    desktop.locator("form[data-action=accept] button[type=submit]").click()
    desktop.wait_for_selector("form[data-action=settle]")
    desktop.locator("form[data-action=settle] textarea[name=note]").fill(
        "The operator refunded the difference (100 yuan)."
    )
    desktop.locator("form[data-action=settle] button[type=submit]").click()
    desktop.wait_for_selector("form[data-action=settle]", state="detached")
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.SETTLED

    # The tourist opens the secret link again, sees the new status, answers.
    phone.goto(track_link)
    status = phone.get_by_test_id("status").inner_text()
    assert status == chinese(ComplaintStatus.SETTLED.label)
    assert "The operator refunded the difference" in phone.locator("main").inner_text()
    phone.locator("input[name=overall][value='5']").check()
    phone.locator("input[name=speed][value='4']").check()
    phone.locator("input[name=resolved][value=yes]").check()
    phone.locator("textarea[name=comment]").fill("处理得很快 Quick and fair")
    phone.locator("form:has(input[name=form][value=feedback]) button").click()
    phone.wait_for_url("**thanks=1")
    answer = HandlingFeedback.objects.get(complaint=complaint)
    assert (answer.overall, answer.speed, answer.resolved) == (5, 4, "yes")
    assert phone.locator("input[name=overall]").count() == 0
    assert serious_violations(phone) == []


def test_the_complaint_form_works_without_javascript(browser, live_server):
    point = scenic_area()
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/en/complaints/new/{point.code}/")
        page.locator("main button[type=submit]").click()
        assert "There is a problem" in page.locator("main").inner_text()
        page.locator("input[name=category][value=hygiene]").check()
        page.locator("textarea[name=description]").fill(
            "The toilets at the east gate were locked all afternoon."
        )
        page.locator("main button[type=submit]").click()
        page.wait_for_url("**/complaints/track/**")
        assert page.get_by_test_id("reference").inner_text().startswith("JX-")
    finally:
        context.close()
