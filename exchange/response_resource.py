"""The wide response format as a plain django-import-export resource.

This is the per-row path (one validation call per cell, one lookup and one
``save()`` per row). Assessors' uploads go through the set-based engine in
:mod:`exchange.plan` and :mod:`exchange.loaders`; this resource is what the
benchmark compares it with, and it serves code that wants the import-export
API. Both validate each answer with :func:`surveys.forms.json_answer`.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import fields, resources, widgets

from exchange import columns as cols
from exchange.meta import parse_interview_date
from exchange.resources import CodeOrNameWidget
from exchange.validation import file_value
from surveys.forms import json_answer
from surveys.models import Response, ResponseStatus, ServicePoint
from surveys.services import to_the_hour


class ResponseResource(resources.ModelResource):
    service_point = fields.Field(
        attribute="service_point",
        column_name=cols.SERVICE_POINT,
        widget=CodeOrNameWidget(ServicePoint, "code"),
    )
    channel = fields.Field(attribute="channel", column_name=cols.CHANNEL)
    idempotency_key = fields.Field(
        attribute="idempotency_key", column_name="idempotency_key"
    )
    answers = fields.Field(
        attribute="answers", column_name="answers", widget=widgets.Widget()
    )

    class Meta:
        model = Response
        fields = ("service_point", "channel", "idempotency_key", "answers")
        import_id_fields = ("idempotency_key",)

    def __init__(self, *, survey, questionnaire, revision_id: int):
        super().__init__()
        self.survey, self.questionnaire = survey, questionnaire
        self.revision_id = revision_id

    def get_queryset(self):
        # A key identifies a response within its survey: look it up there, by
        # the unique (survey, idempotency_key) index.
        return Response.objects.filter(survey=self.survey)

    def before_import(self, dataset, **kwargs):
        """The key and the answers are computed per row: give them columns, as
        import-export checks the headers for ``import_id_fields`` first."""
        for header in ("idempotency_key", "answers"):
            if header not in (dataset.headers or []):
                dataset.append_col([""] * len(dataset), header=header)
        super().before_import(dataset, **kwargs)

    def before_import_row(self, row, **kwargs):
        """Validate each answer with the web's rule; keys from the content."""
        given = {}
        for question in self.questionnaire.questions:
            text = str(row.get(question.code) or "").strip()
            if text:
                try:
                    given[question.code] = json_answer(
                        question, file_value(question, text)
                    )
                except ValidationError as error:
                    raise ValueError(" ".join(error.messages)) from None
            other = str(row.get(question.code + ".other") or "").strip()
            if other:
                given[question.code + ".other"] = other
        row["answers"] = self.questionnaire.keep_visible(given)
        content = repr(sorted(row.items())).encode()
        row["idempotency_key"] = "rows:" + hashlib.sha256(content).hexdigest()[:48]

    def before_save_instance(self, instance, row, **kwargs):
        moment = parse_interview_date(str(row.get(cols.INTERVIEW_DATE) or ""))
        if moment is None:
            raise ValueError("interview_date: not a date")
        hour = to_the_hour(timezone.make_aware(moment))
        instance.survey = self.survey
        instance.revision_id = self.revision_id
        instance.status = ResponseStatus.SUBMITTED
        instance.resume_digest = secrets.token_hex(32)
        instance.language = "zh-hans"
        instance.started_at = instance.saved_at = instance.submitted_at = hour
        instance.sections_done = len(self.questionnaire.sections)
