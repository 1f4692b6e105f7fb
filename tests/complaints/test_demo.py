"""The demo register of tourist complaints that `make run` loads: made by the
real services, dated back, loaded once, and a settlement rate that misses the
100% target the way a real city's does."""

import datetime as dt

import pytest
from django.utils import timezone

from analysis.dashboard.quality import wave_settlement
from analysis.models import Wave
from complaints.choices import ComplaintAction, ComplaintStatus
from complaints.demo import DEMO_PREFIX, load_demo_complaints
from complaints.models import Complaint
from complaints.services.intake import deadlines
from tests.factories.complaints import scenic_area
from tests.shared_rows import rolled_back_after

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 11, 22, 12, 0))
PATH_TO = {
    ComplaintStatus.SETTLED: [
        ComplaintAction.RECEIVE,
        ComplaintAction.ACCEPT,
        ComplaintAction.START,
        ComplaintAction.SETTLE,
    ],
    ComplaintStatus.REJECTED: [ComplaintAction.RECEIVE, ComplaintAction.REJECT],
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The register, loaded once for this module's tests (it takes seconds):
    every test here reads it, and what a test adds is rolled back after it."""
    with rolled_back_after(django_db_blocker):
        scenic_area("wuzhen", "乌镇景区", "Wuzhen Scenic Area")
        scenic_area("xitang", "西塘景区", "Xitang Scenic Area")
        yield load_demo_complaints(now=NOW)


def test_the_demo_complaints_are_loaded_once(demo):
    assert demo > 150  # about two a day since 1 July
    assert Complaint.objects.count() == demo
    assert load_demo_complaints(now=NOW) == 0
    assert Complaint.objects.count() == demo
    assert not Complaint.objects.exclude(external_reference__startswith=DEMO_PREFIX)


def test_each_history_is_the_workflows_own_and_lies_in_the_past(demo):
    statuses = set()
    for complaint in Complaint.objects.prefetch_related("transitions"):
        steps = sorted(complaint.transitions.all(), key=lambda t: t.created_at)
        assert all(step.created_at <= NOW for step in steps)
        assert steps[0].created_at == complaint.received_at
        if complaint.status in PATH_TO:
            assert [s.action for s in steps] == PATH_TO[complaint.status]
        if complaint.status == ComplaintStatus.SETTLED:
            assert complaint.received_at < complaint.settled_at <= NOW
            assert complaint.resolution
        acknowledge_by, settle_by = deadlines(complaint.category, complaint.received_at)
        assert complaint.settle_by == settle_by
        statuses.add(complaint.status)
    # settled, still open and concluded otherwise: a handler's real queue
    assert {ComplaintStatus.SETTLED, ComplaintStatus.IN_PROGRESS} <= statuses


def test_the_dashboard_rate_misses_the_target_as_a_real_register_does(demo):
    wave = Wave.objects.create(
        name="2026 Q3",
        slug="2026-q3",
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 9, 30),
    )
    settlement = wave_settlement(wave, "en")
    assert settlement.counted > 100
    assert 0.85 < settlement.rate < 1.0
    assert settlement.verdict == "not met"
