"""The responses table's references, checked per statement by triggers
(surveys migration 0009) instead of per-row foreign keys: the database must
still refuse every response that points nowhere, and every delete that would
leave one pointing nowhere, whoever writes the SQL."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from surveys.models import Response, ServicePoint
from tests.factories.analysis import responses_for
from tests.factories.complaints import official
from tests.factories.surveys import ServicePointFactory
from tests.services import require

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql(db):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")


@pytest.fixture
def point(db):
    return ServicePointFactory(code="wuzhen")


@pytest.fixture
def answered(survey, point):
    responses_for(survey, [point], 3, seed=1)
    return Response.objects.filter(survey=survey).order_by("pk")


def copies(response: Response, count: int, **changes) -> list[Response]:
    rows = []
    for i in range(count):
        row = Response.objects.get(pk=response.pk)
        row.pk = None
        row.idempotency_key = f"copy-{i}"
        row.resume_digest = f"copy-{response.pk}-{i}"
        for name, value in changes.items():
            setattr(row, name, value)
        rows.append(row)
    return rows


def missing_id(model) -> int:
    return (
        model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ) + 1000


def refused(action) -> str:
    """The message of the IntegrityError ``action`` raises, in a savepoint."""
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        action()
    return str(error.value)


@pytest.mark.parametrize(
    "column, model_name",
    [
        ("service_point_id", "ServicePoint"),
        ("survey_id", "SurveyPage"),
        ("revision_id", "Revision"),
        ("invitation_id", "Invitation"),
        ("excluded_by_id", "User"),
    ],
)
def test_a_response_pointing_at_a_missing_row_is_refused(answered, column, model_name):
    model = next(
        f.related_model for f in Response._meta.concrete_fields if f.column == column
    )
    assert model.__name__ == model_name
    before = Response.objects.count()
    bad = copies(answered[0], 1, **{column: missing_id(model)})
    message = refused(lambda: Response.objects.bulk_create(bad))
    assert f"Key ({column})=({missing_id(model)}) is not present" in message
    assert Response.objects.count() == before


def test_one_bad_row_refuses_the_whole_statement(answered, point):
    good = copies(answered[0], 50)
    bad = copies(answered[0], 1, service_point_id=missing_id(ServicePoint))
    bad[0].idempotency_key = "copy-bad"
    before = Response.objects.count()
    refused(lambda: Response.objects.bulk_create(good + bad))
    assert Response.objects.count() == before
    Response.objects.bulk_create(good)  # the same rows without it are fine
    assert Response.objects.count() == before + 50


def test_changing_a_reference_to_a_missing_row_is_refused(answered, point):
    response = answered[0]
    message = refused(
        lambda: Response.objects.filter(pk=response.pk).update(
            service_point_id=missing_id(ServicePoint)
        )
    )
    assert "service_point_id" in message
    reviewer = official()
    Response.objects.filter(pk=response.pk).update(excluded_by=reviewer)
    other = ServicePointFactory(code="xitang")
    Response.objects.filter(pk=response.pk).update(service_point=other)
    response.refresh_from_db()
    assert (response.service_point_id, response.excluded_by_id) == (
        other.pk,
        reviewer.pk,
    )


def test_a_referenced_row_cannot_be_deleted_even_in_raw_sql(answered, point, survey):
    def delete(table, key, value):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE {key} = %s", [value])  # noqa: S608

    message = refused(lambda: delete("surveys_servicepoint", "id", point.pk))
    assert "is still referenced" in message
    refused(lambda: delete("wagtailcore_revision", "id", survey.live_revision_id))
    assert ServicePoint.objects.filter(pk=point.pk).exists()
    spare = ServicePointFactory(code="spare")
    delete("surveys_servicepoint", "id", spare.pk)  # referenced by nothing
    assert not ServicePoint.objects.filter(pk=spare.pk).exists()


def test_the_orm_still_protects_referenced_rows(answered, point):
    with pytest.raises(ProtectedError):
        point.delete()
    answered.delete()
    point.delete()  # nothing refers to it any more
