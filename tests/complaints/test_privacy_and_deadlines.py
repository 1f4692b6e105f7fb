"""Contact details removed after retention with statistics intact; deadlines."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from complaints.calendar import add_working_days, deadline_after
from complaints.choices import ComplaintAction
from complaints.models import (
    CalendarDay,
    CategoryDeadline,
    ComplaintPhoto,
    ComplaintSettings,
)
from complaints.report import settlement_report
from complaints.selectors import complaints_frame, complaints_overdue
from complaints.services import complaint_transition, feedback_submit
from tests.factories.complaints import ComplaintFactory, days_ago, handler

SHANGHAI = "Asia/Shanghai"


def test_working_days_skip_weekends_holidays_and_count_make_up_days():
    friday = dt.date(2026, 9, 25)
    assert add_working_days(friday, 1) == dt.date(2026, 9, 28)  # Monday
    national_day = {dt.date(2026, 10, d) for d in range(1, 8)}
    # 2026-09-27 (Sunday) is a make-up working day in this test's calendar.
    due = add_working_days(
        friday, 2, holidays=national_day, working_days={dt.date(2026, 9, 27)}
    )
    assert due == dt.date(2026, 9, 28)
    assert add_working_days(dt.date(2026, 9, 30), 1, holidays=national_day) == (
        dt.date(2026, 10, 8)
    )
    with pytest.raises(ValueError, match="negative"):
        add_working_days(friday, -1)


def test_a_deadline_ends_at_the_end_of_the_local_working_day():
    # 17:00 UTC on Friday is already Saturday 01:00 in Jiaxing.
    received = dt.datetime(2026, 5, 8, 17, 0, tzinfo=dt.UTC)
    due = deadline_after(received, 1, timezone=SHANGHAI)
    assert due.date() == dt.date(2026, 5, 11)
    assert (due.hour, due.minute) == (23, 59)


@pytest.mark.django_db
def test_deadlines_follow_the_category_settings_and_the_holiday_calendar():
    CategoryDeadline.objects.create(
        category="safety", acknowledge_days=1, settle_days=3
    )
    CalendarDay.objects.create(date=dt.date(2026, 5, 12), kind="holiday", name="test")
    received = timezone.make_aware(dt.datetime(2026, 5, 11, 10, 0))  # Monday
    safety = ComplaintFactory(category="safety", received_at=received)
    assert timezone.localtime(safety.acknowledge_by).date() == dt.date(2026, 5, 13)
    assert timezone.localtime(safety.settle_by).date() == dt.date(2026, 5, 15)
    settings = ComplaintSettings.load()
    settings.settle_days = 2
    settings.save()
    price = ComplaintFactory(category="price", received_at=received)
    assert timezone.localtime(price.settle_by).date() == dt.date(2026, 5, 14)
    # The default acknowledgement is 5 working days, skipping the holiday.
    assert timezone.localtime(price.acknowledge_by).date() == dt.date(2026, 5, 19)


@pytest.mark.django_db
def test_the_overdue_list_holds_open_complaints_past_either_deadline():
    actor = handler()
    unacknowledged = ComplaintFactory(received_at=days_ago(10))
    late = ComplaintFactory(received_at=days_ago(40))
    complaint_transition(complaint_id=late.pk, action="accept", actor=actor)
    on_track = ComplaintFactory(received_at=days_ago(10))
    complaint_transition(complaint_id=on_track.pk, action="accept", actor=actor)
    settled_late = ComplaintFactory(received_at=days_ago(40))
    complaint_transition(complaint_id=settled_late.pk, action="accept", actor=actor)
    complaint_transition(
        complaint_id=settled_late.pk, action="settle", actor=actor, note="done"
    )
    overdue = set(complaints_overdue(timezone.now()))
    assert overdue == {unacknowledged, late}
    late.refresh_from_db()
    on_track.refresh_from_db()
    assert late.is_overdue(timezone.now()) and not on_track.is_overdue(timezone.now())


def concluded_with_contacts(days: float, photo_root) -> object:
    from django.core.files.base import ContentFile

    complaint = ComplaintFactory(
        received_at=days_ago(days + 10),
        contact_name="王芳",
        contact_phone="13800000000",
        contact_email="wang@example.cn",
        contact_consent=True,
    )
    photo = ComplaintPhoto(
        complaint=complaint, content_type="image/png", size=3, uploaded_at=days_ago(5)
    )
    photo.image.save("x.png", ContentFile(b"png"), save=True)
    actor = handler(f"h{complaint.pk}")
    complaint_transition(complaint_id=complaint.pk, action="accept", actor=actor)
    complaint_transition(
        complaint_id=complaint.pk,
        action="settle",
        actor=actor,
        note="Refund",
        now=days_ago(days),
    )
    feedback_submit(complaint_id=complaint.pk, overall=5, resolved="yes")
    return complaint


@pytest.mark.django_db
def test_the_purge_command_removes_old_contacts_and_photos_and_keeps_statistics(
    photo_root, django_capture_on_commit_callbacks
):
    old = concluded_with_contacts(400, photo_root)
    recent = concluded_with_contacts(30, photo_root)
    open_one = ComplaintFactory(
        received_at=days_ago(500), contact_phone="139", contact_consent=True
    )
    photo_path = photo_root / old.photos.get().image.name
    as_of = timezone.now()
    before = settlement_report(as_of=as_of)
    frame_before = complaints_frame()

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_complaint_contacts", stdout=out)
    assert "Removed contact details of 1 complaint(s)." in out.getvalue()

    old.refresh_from_db()
    assert (old.contact_name, old.contact_phone, old.contact_email) == ("", "", "")
    assert old.contacts_purged_at is not None and not old.contact_consent
    assert not old.photos.exists() and not photo_path.exists()
    assert old.transitions.last().action == ComplaintAction.PURGE_CONTACTS
    recent.refresh_from_db()
    open_one.refresh_from_db()
    assert recent.contact_phone == "13800000000" and recent.photos.exists()
    assert open_one.contact_phone == "139"

    pd.testing.assert_frame_equal(complaints_frame(), frame_before)
    after = settlement_report(as_of=as_of)
    for name, table in before.rates.items():
        pd.testing.assert_frame_equal(after.rates[name], table)
    pd.testing.assert_frame_equal(after.satisfaction, before.satisfaction)

    # Run twice: the same state, nothing more removed.
    call_command("purge_complaint_contacts", stdout=out)
    assert "Removed contact details of 0 complaint(s)." in out.getvalue()


@pytest.mark.django_db
def test_the_retention_period_is_configurable_and_checked(photo_root):
    recent = concluded_with_contacts(30, photo_root)
    call_command("purge_complaint_contacts", "--days", "20", stdout=io.StringIO())
    recent.refresh_from_db()
    assert recent.contact_phone == ""
    with pytest.raises(CommandError, match="at least 1"):
        call_command("purge_complaint_contacts", "--days", "0")
