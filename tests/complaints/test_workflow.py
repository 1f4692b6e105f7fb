"""Every workflow step from every status, allowed or refused; concurrent handlers."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from complaints.choices import ComplaintAction, ComplaintStatus
from complaints.errors import (
    ComplaintError,
    NoteRequired,
    StaleComplaint,
    TransitionNotAllowed,
)
from complaints.models import Complaint, ComplaintTransition
from complaints.services import (
    TRANSITIONS,
    complaint_note,
    complaint_reassign,
    complaint_transition,
)
from tests.factories.complaints import AgencyFactory, ComplaintFactory, handler
from tests.services import require

pytestmark = pytest.mark.django_db

# The whole table: (status before, action) -> status after, or None if refused.
EXPECTED = {
    (ComplaintStatus.RECEIVED, ComplaintAction.ACCEPT): ComplaintStatus.ACCEPTED,
    (ComplaintStatus.RECEIVED, ComplaintAction.REJECT): ComplaintStatus.REJECTED,
    (ComplaintStatus.ACCEPTED, ComplaintAction.START): ComplaintStatus.IN_PROGRESS,
    (ComplaintStatus.ACCEPTED, ComplaintAction.SETTLE): ComplaintStatus.SETTLED,
    (
        ComplaintStatus.ACCEPTED,
        ComplaintAction.CLOSE_UNSETTLED,
    ): ComplaintStatus.CLOSED_UNSETTLED,
    (ComplaintStatus.IN_PROGRESS, ComplaintAction.SETTLE): ComplaintStatus.SETTLED,
    (
        ComplaintStatus.IN_PROGRESS,
        ComplaintAction.CLOSE_UNSETTLED,
    ): ComplaintStatus.CLOSED_UNSETTLED,
}
# How to bring a fresh complaint into each status.
PATH_TO = {
    ComplaintStatus.RECEIVED: [],
    ComplaintStatus.ACCEPTED: [ComplaintAction.ACCEPT],
    ComplaintStatus.IN_PROGRESS: [ComplaintAction.ACCEPT, ComplaintAction.START],
    ComplaintStatus.SETTLED: [ComplaintAction.ACCEPT, ComplaintAction.SETTLE],
    ComplaintStatus.CLOSED_UNSETTLED: [
        ComplaintAction.ACCEPT,
        ComplaintAction.CLOSE_UNSETTLED,
    ],
    ComplaintStatus.REJECTED: [ComplaintAction.REJECT],
}
ALL_CASES = [(status, action) for status in PATH_TO for action in TRANSITIONS]


def complaint_in(status: str, actor) -> Complaint:
    complaint = ComplaintFactory()
    for action in PATH_TO[status]:
        complaint_transition(
            complaint_id=complaint.pk, action=action, actor=actor, note="because"
        )
    complaint.refresh_from_db()
    assert complaint.status == status
    return complaint


def test_the_table_covers_every_allowed_transition_of_the_service():
    allowed = {
        (source, action)
        for action, rule in TRANSITIONS.items()
        for source in rule.sources
    }
    assert allowed == set(EXPECTED)


@pytest.mark.parametrize(("status", "action"), ALL_CASES)
def test_every_step_from_every_status_is_allowed_or_refused_as_specified(
    status, action
):
    actor = handler()
    complaint = complaint_in(status, actor)
    events_before = complaint.transitions.count()
    expected = EXPECTED.get((status, action))
    if expected is None:
        with pytest.raises(TransitionNotAllowed) as refused:
            complaint_transition(
                complaint_id=complaint.pk, action=action, actor=actor, note="x"
            )
        assert complaint.get_status_display() in refused.value.message
        complaint.refresh_from_db()
        assert complaint.status == status
        assert complaint.transitions.count() == events_before
        return
    updated = complaint_transition(
        complaint_id=complaint.pk, action=action, actor=actor, note="the reason"
    )
    assert updated.status == expected
    assert updated.version == complaint.version + 1
    event = updated.transitions.last()
    assert (event.action, event.from_status, event.to_status) == (
        action,
        status,
        expected,
    )
    assert event.actor == actor and event.actor_label == actor.get_username()
    assert event.note == "the reason" and event.created_at is not None


def test_settling_records_resolution_and_dates():
    actor = handler()
    complaint = complaint_in(ComplaintStatus.IN_PROGRESS, actor)
    settled = complaint_transition(
        complaint_id=complaint.pk,
        action=ComplaintAction.SETTLE,
        actor=actor,
        note="Refunded 120 yuan by the boat operator.",
    )
    assert settled.resolution == "Refunded 120 yuan by the boat operator."
    assert settled.settled_at == settled.closed_at is not None
    assert settled.accepted_at is not None and settled.handler == actor


@pytest.mark.parametrize(
    "action",
    [ComplaintAction.REJECT, ComplaintAction.SETTLE, ComplaintAction.CLOSE_UNSETTLED],
)
def test_steps_that_conclude_need_a_reason_or_resolution(action):
    actor = handler()
    source = TRANSITIONS[action].sources[-1]
    complaint = complaint_in(source, actor)
    with pytest.raises(NoteRequired):
        complaint_transition(
            complaint_id=complaint.pk, action=action, actor=actor, note="   "
        )
    complaint.refresh_from_db()
    assert complaint.status == source


def test_an_unknown_action_is_refused_with_a_message():
    complaint = ComplaintFactory()
    with pytest.raises(ComplaintError, match="Unknown action"):
        complaint_transition(complaint_id=complaint.pk, action="reopen", actor=None)


def test_a_handler_acting_on_a_stale_page_is_refused_and_nothing_is_lost():
    first, second = handler("first"), handler("second")
    complaint = complaint_in(ComplaintStatus.ACCEPTED, first)
    seen_by_both = complaint.version
    complaint_transition(
        complaint_id=complaint.pk,
        action=ComplaintAction.SETTLE,
        actor=first,
        note="refunded",
        expected_version=seen_by_both,
    )
    with pytest.raises(StaleComplaint):
        complaint_transition(
            complaint_id=complaint.pk,
            action=ComplaintAction.CLOSE_UNSETTLED,
            actor=second,
            note="operator refuses",
            expected_version=seen_by_both,
        )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.SETTLED
    assert complaint.resolution == "refunded" and complaint.closing_reason == ""
    actions = list(complaint.transitions.values_list("action", flat=True))
    assert actions == ["receive", "accept", "settle"]


def test_a_stale_version_is_refused_for_notes_and_reassignment_too():
    actor = handler()
    complaint = complaint_in(ComplaintStatus.ACCEPTED, actor)
    stale = complaint.version - 1
    with pytest.raises(StaleComplaint):
        complaint_note(
            complaint_id=complaint.pk, actor=actor, note="x", expected_version=stale
        )
    with pytest.raises(StaleComplaint):
        complaint_reassign(
            complaint_id=complaint.pk,
            actor=actor,
            agency=AgencyFactory(),
            expected_version=stale,
        )


def test_reassignment_to_another_handler_and_agency_is_recorded_internally():
    first, second = handler("first"), handler("second", first_name="Li")
    complaint = complaint_in(ComplaintStatus.ACCEPTED, first)
    agency = AgencyFactory(name="乌镇景区管委会", name_en="Wuzhen scenic area office")
    updated = complaint_reassign(
        complaint_id=complaint.pk,
        actor=first,
        handler=second,
        agency=agency,
        note="the operator is in Wuzhen",
    )
    assert (updated.handler, updated.agency, updated.status) == (
        second,
        agency,
        ComplaintStatus.ACCEPTED,
    )
    event = updated.transitions.last()
    assert event.action == ComplaintAction.REASSIGN and not event.public
    assert "the operator is in Wuzhen" in event.note


def test_reassigning_to_the_same_handler_or_a_concluded_complaint_is_refused():
    actor = handler()
    complaint = complaint_in(ComplaintStatus.ACCEPTED, actor)
    with pytest.raises(ComplaintError, match="different handler"):
        complaint_reassign(complaint_id=complaint.pk, actor=actor, handler=actor)
    settled = complaint_in(ComplaintStatus.SETTLED, actor)
    with pytest.raises(TransitionNotAllowed):
        complaint_reassign(complaint_id=settled.pk, actor=actor, agency=AgencyFactory())


def test_an_internal_note_keeps_the_status_and_is_hidden_from_the_public():
    actor = handler()
    complaint = complaint_in(ComplaintStatus.IN_PROGRESS, actor)
    updated = complaint_note(complaint_id=complaint.pk, actor=actor, note="called")
    assert updated.status == ComplaintStatus.IN_PROGRESS
    assert not updated.transitions.last().public
    with pytest.raises(NoteRequired):
        complaint_note(complaint_id=complaint.pk, actor=actor, note=" ")


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_two_handlers_acting_at_the_same_moment_one_wins_the_other_is_told():
    """Real concurrency: both threads read the same version, then both act."""
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    first, second = handler("first"), handler("second")
    complaint = complaint_in(ComplaintStatus.IN_PROGRESS, first)
    version = complaint.version
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def act(name: str, actor, action: str) -> None:
        try:
            barrier.wait(timeout=10)
            complaint_transition(
                complaint_id=complaint.pk,
                action=action,
                actor=actor,
                note=f"{name} decided",
                expected_version=version,
            )
            outcomes[name] = "done"
        except ComplaintError as error:
            outcomes[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=("first", first, ComplaintAction.SETTLE)),
        threading.Thread(
            target=act, args=("second", second, ComplaintAction.CLOSE_UNSETTLED)
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(map(str, outcomes.values())).count("done") == 1
    refused = [value for value in outcomes.values() if value != "done"]
    assert len(refused) == 1 and isinstance(refused[0], StaleComplaint)
    complaint.refresh_from_db()
    concluding = ComplaintTransition.objects.filter(
        complaint=complaint,
        action__in=[ComplaintAction.SETTLE, ComplaintAction.CLOSE_UNSETTLED],
    )
    assert concluding.count() == 1
    assert concluding.get().to_status == complaint.status
    assert complaint.version == version + 1
