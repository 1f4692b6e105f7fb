"""Factories for complaints: a scenic area, complaints in any workflow state."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import COMPLAINT_HANDLERS, OFFICIALS
from complaints.choices import ComplaintCategory, ComplaintChannel
from complaints.models import Agency, Complaint
from complaints.services.intake import prepare_new_complaint, record_receipt
from tests.factories.surveys import SectorFactory, ServicePointFactory


def scenic_area(code: str = "wuzhen", name: str = "乌镇", name_en: str = "Wuzhen"):
    """A tourism service point, as the QR posters at scenic areas point to."""
    tourism = SectorFactory(code="tourism", name="旅游", name_en="Tourism")
    return ServicePointFactory(code=code, name=name, name_en=name_en, sector=tourism)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.Sequence(lambda n: f"旅游局{n}")
    name_en = factory.Sequence(lambda n: f"Tourism bureau {n}")


class ComplaintFactory(factory.django.DjangoModelFactory):
    """A received complaint with deadlines computed as the intake service does.

    The lookup secret is kept on ``complaint.secret`` for tests.
    """

    class Meta:
        model = Complaint

    service_point = factory.LazyFunction(scenic_area)
    category = ComplaintCategory.PRICE
    channel = ComplaintChannel.QR
    description = "The boat ticket cost twice the posted price."
    received_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        complaint = model_class(*args, **kwargs)
        complaint.secret = prepare_new_complaint(complaint, now=complaint.received_at)
        complaint.save()
        record_receipt(complaint, actor="complainant")
        return complaint


def user_in(group_name: str, username: str, **extra) -> object:
    user = get_user_model().objects.create_user(
        username=username,
        password="pw-for-tests-only",
        **extra,  # noqa: S106
    )
    user.groups.add(Group.objects.get(name=group_name))
    return user


def handler(username: str = "handler", **extra) -> object:
    return user_in(COMPLAINT_HANDLERS, username, **extra)


def official(username: str = "official") -> object:
    return user_in(OFFICIALS, username)


def days_ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)
