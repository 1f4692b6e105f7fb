"""Import of hotline (96345, 12345, 12301) and platform cases via django-import-export.

The resource maps columns and reports bad values per row; the service
(:func:`complaints.services.complaints_import`) decides to keep all or nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from surveys.models import ServicePoint

from .models import Complaint

# Column headings of the import template, in order.
COLUMNS = (
    "case_number",
    "received_at",
    "service_point",
    "category",
    "description",
    "occurred_at",
    "contact_name",
    "contact_phone",
)
REQUIRED_COLUMNS = COLUMNS[:5]
# Filled by the intake service, not read from the file.
DERIVED_FIELDS = (
    "reference",
    "lookup_secret_hash",
    "status",
    "acknowledge_by",
    "settle_by",
    "channel",
)


class ServicePointWidget(widgets.ForeignKeyWidget):
    """Looks a service point up by code; an unknown code is a row error, not a crash."""

    def __init__(self) -> None:
        super().__init__(ServicePoint, field="code")

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        code = str(value or "").strip()
        if not code:
            raise ValueError(_("a service point code is required"))
        try:
            return ServicePoint.objects.get(code=code)
        except ServicePoint.DoesNotExist as error:
            raise ValueError(
                _("no service point has the code “%(code)s”") % {"code": code}
            ) from error


def _text() -> widgets.CharWidget:
    """Empty Excel cells arrive as None; store them as empty text."""
    return widgets.CharWidget(allow_blank=True)


class ComplaintImportResource(resources.ModelResource):
    external_reference = fields.Field(
        attribute="external_reference", column_name="case_number", widget=_text()
    )
    received_at = fields.Field(
        attribute="received_at",
        column_name="received_at",
        widget=widgets.DateTimeWidget(format="%Y-%m-%d %H:%M"),
    )
    service_point = fields.Field(
        attribute="service_point",
        column_name="service_point",
        widget=ServicePointWidget(),
    )
    category = fields.Field(
        attribute="category", column_name="category", widget=_text()
    )
    description = fields.Field(
        attribute="description", column_name="description", widget=_text()
    )
    occurred_at = fields.Field(
        attribute="occurred_at",
        column_name="occurred_at",
        widget=widgets.DateTimeWidget(format="%Y-%m-%d %H:%M"),
    )
    contact_name = fields.Field(
        attribute="contact_name", column_name="contact_name", widget=_text()
    )
    contact_phone = fields.Field(
        attribute="contact_phone", column_name="contact_phone", widget=_text()
    )

    class Meta:
        model = Complaint
        fields = (
            "external_reference",
            "received_at",
            "service_point",
            "category",
            "description",
            "occurred_at",
            "contact_name",
            "contact_phone",
        )
        # Every row is a new complaint (get_instance below); case numbers are
        # matched per channel by skip_row, not by the instance loader.
        import_id_fields = ("external_reference",)
        clean_model_instances = True
        use_transactions = True
        skip_diff = True

    def __init__(
        self, *, channel: str, prepare: Any, save: Any, after_save: Any
    ) -> None:
        """Callbacks from the service: fill derived fields, save, record receipt."""
        super().__init__()
        self.channel = channel
        self.prepare = prepare
        self.save = save
        self.after_save = after_save
        self.duplicates: list[str] = []
        self._seen: set[str] = set()

    def get_instance(self, instance_loader: Any, row: Any) -> None:
        return None

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        references = {str(value).strip() for value in dataset["case_number"]}
        self._existing = set(
            Complaint.objects.filter(
                channel=self.channel, external_reference__in=references
            ).values_list("external_reference", flat=True)
        )

    def import_instance(self, instance: Complaint, row: Any, **kwargs: Any) -> None:
        errors: dict[str, list[ValidationError]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        instance.channel = self.channel
        instance.external_reference = str(instance.external_reference or "").strip()
        if not instance.external_reference:
            errors["external_reference"] = [
                ValidationError(_("the case number is empty"))
            ]
        if not instance.received_at and "received_at" not in errors:
            errors["received_at"] = [ValidationError(_("the date received is empty"))]
        if errors:
            raise ValidationError(errors)
        self.prepare(instance)

    def validate_instance(
        self,
        instance: Complaint,
        import_validation_errors: dict | None = None,
        validate_unique: bool = True,
    ) -> None:
        """Model validation of what the file gave; derived fields are ours."""
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=[*errors, *DERIVED_FIELDS], validate_unique=False
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def skip_row(
        self, instance: Complaint, original: Any, row: Any, errors: Any
    ) -> bool:
        reference = instance.external_reference
        duplicate = reference in self._existing or reference in self._seen
        self._seen.add(reference)
        if duplicate and not errors:
            self.duplicates.append(reference)
            return True
        return False

    def do_instance_save(self, instance: Complaint, is_create: bool) -> None:
        self.save(instance)

    def after_save_instance(self, instance: Complaint, row: Any, **kwargs: Any) -> None:
        self.after_save(instance)
