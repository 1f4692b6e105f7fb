"""Stored codes (quality flags, channels) shown as their words in the
reader's language; a code no longer among the choices is shown as stored."""

from collections.abc import Iterable

from django import template
from django.db.models import TextChoices

from surveys.models import Channel, QualityFlag

register = template.Library()


def _label(choices: type[TextChoices], code: str) -> str:
    return str(choices(code).label) if code in choices.values else code


@register.filter
def flag_label(code: str) -> str:
    return _label(QualityFlag, code)


@register.filter
def flag_labels(codes: Iterable[str]) -> str:
    return ", ".join(_label(QualityFlag, code) for code in codes)


@register.filter
def channel_label(code: str) -> str:
    return _label(Channel, code)
