"""Forms: the public complaint form, the complainant's follow-ups, handler actions."""

from __future__ import annotations

from typing import Any

import tablib
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.formats import base_formats

from accounts.roles import COMPLAINT_HANDLERS
from core.antibot import AutomationChecksMixin
from surveys.models import ServicePoint

from .choices import IMPORT_CHANNELS, ComplaintCategory, Rating, Resolved
from .models import Agency
from .models.complaint import DESCRIPTION_MAX_LENGTH
from .services.intake import Photo
from .uploads import MAX_PHOTOS, check_photo

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Up to three photos; each is checked for size and real image content."""

    widget = MultiplePhotoInput

    def clean(self, data: Any, initial: Any = None) -> list[Photo]:
        uploads = (
            [item for item in (data or []) if item]
            if isinstance(data, list | tuple)
            else ([data] if data else [])
        )
        if len(uploads) > MAX_PHOTOS:
            raise ValidationError(
                _("Please attach at most %(count)d photos.") % {"count": MAX_PHOTOS}
            )
        photos, errors = [], []
        for upload in uploads:
            try:
                photos.append(Photo(upload=upload, content_type=check_photo(upload)))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return photos


TOURISM_SECTOR = "tourism"


def complaint_service_points():
    """Active service points, with their sectors (the form groups them)."""
    return ServicePoint.objects.filter(active=True).select_related("sector")


def grouped_choices(points) -> list[tuple[str, list[tuple[str, str]]]]:
    """The points as option groups by sector, tourism's group first, so a
    tourist finds a scenic area without reading past schools and bus lines."""
    groups: dict = {}
    for point in points:  # sectors equal by primary key: one group each
        groups.setdefault(point.sector, []).append((point.code, str(point)))
    ordered = sorted(groups.items(), key=lambda item: item[0].code != TOURISM_SECTOR)
    return [(str(sector), options) for sector, options in ordered]


class ComplaintForm(AutomationChecksMixin, forms.Form):
    service_point = forms.ModelChoiceField(
        label=_("Scenic area or place"),
        queryset=ServicePoint.objects.none(),
        to_field_name="code",
        error_messages={
            "invalid_choice": _("Please choose the place from the list."),
            "required": _("Please choose the place your complaint is about."),
        },
    )
    category = forms.ChoiceField(
        label=_("What is your complaint about?"),
        choices=ComplaintCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose what your complaint is about.")},
    )
    description = forms.CharField(
        label=_("What happened?"),
        help_text=_("Describe what happened, where, and what you expect."),
        widget=forms.Textarea(attrs={"rows": 6}),
        min_length=10,
        max_length=DESCRIPTION_MAX_LENGTH,
        error_messages={"required": _("Please describe what happened.")},
    )
    occurred_at = forms.DateTimeField(
        label=_("When did it happen?"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
        help_text=_("Date and time, e.g. 2026-05-01 14:30."),
        error_messages={"invalid": _("Enter the date and time as 2026-05-01 14:30.")},
    )
    photos = MultiplePhotoField(
        label=_("Photos"),
        required=False,
        help_text=_("Up to 3 photos, JPEG, PNG or WebP, at most 5 MB each."),
        widget=MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    contact_name = forms.CharField(label=_("Your name"), max_length=80, required=False)
    contact_phone = forms.RegexField(
        label=_("Phone"),
        regex=r"^\+?[0-9 ()-]{5,30}$",
        required=False,
        max_length=30,
        error_messages={"invalid": _("Enter a phone number using digits only.")},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    contact_email = forms.EmailField(
        label=_("Email"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    contact_consent = forms.BooleanField(
        label=_(
            "I agree that the complaint handlers may use these contact details to "
            "contact me about this complaint. They are removed after the retention "
            "period."
        ),
        required=False,
    )

    def __init__(self, *args: Any, fixed_point: ServicePoint | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_point = fixed_point
        points = complaint_service_points()
        field = self.fields["service_point"]
        field.queryset = points
        # Shown grouped; still validated against the queryset.
        field.choices = [("", _("Choose the place")), *grouped_choices(points)]
        if fixed_point is not None:
            field.initial = fixed_point.code
            field.widget = forms.HiddenInput()

    def clean_occurred_at(self) -> Any:
        occurred_at = self.cleaned_data.get("occurred_at")
        if occurred_at and occurred_at > timezone.now():
            raise ValidationError(_("The date is in the future."))
        return occurred_at

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        contacts = any(
            data.get(name)
            for name in ("contact_name", "contact_phone", "contact_email")
        )
        if contacts and not data.get("contact_consent"):
            self.add_error(
                "contact_consent",
                _(
                    "Tick the box to let us contact you, or leave the contact "
                    "details empty."
                ),
            )
        return data


class AddInformationForm(forms.Form):
    text = forms.CharField(
        label=_("Add information to your complaint"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": _("Please write the information to add.")},
    )


def _rating(label: Any, required: bool = False) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[(value, text) for value, text in Rating.choices],
        coerce=int,
        required=required,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose a rating.")},
    )


class FeedbackForm(forms.Form):
    """The follow-up survey: question codes match HandlingFeedback's fields."""

    overall = _rating(
        _("Overall, how satisfied are you with how your complaint was handled?"),
        required=True,
    )
    speed = _rating(_("How satisfied are you with the speed of the handling?"))
    communication = _rating(_("How satisfied are you with how you were kept informed?"))
    fairness = _rating(_("How satisfied are you with the fairness of the outcome?"))
    resolved = forms.ChoiceField(
        label=_("Was your problem solved?"),
        choices=Resolved.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please say whether your problem was solved.")},
    )
    comment = forms.CharField(
        label=_("Anything else you want to tell us? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TransitionForm(forms.Form):
    """One workflow step in the handlers' admin; ``version`` guards stale pages."""

    action = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note, reason or resolution"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def handler_users():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=COMPLAINT_HANDLERS)
        .order_by("username")
        .distinct()
    )


class ReassignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    handler = forms.ModelChoiceField(
        label=_("Handler"), queryset=get_user_model().objects.none(), required=False
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.all(), required=False
    )
    note = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handler_users()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("handler") and not data.get("agency"):
            raise ValidationError(_("Choose a handler or an agency."))
        return data


class NoteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Internal note"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ImportForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Where the cases come from"),
        choices=[(channel.value, channel.label) for channel in IMPORT_CHANNELS],
    )
    file = forms.FileField(
        label=_("CSV or Excel (.xlsx) file"),
        help_text=_(
            "Columns: case_number, received_at (YYYY-MM-DD HH:MM), service_point "
            "(code), category, description; optional occurred_at, contact_name, "
            "contact_phone."
        ),
    )

    MAX_BYTES = 10 * 1024 * 1024

    def clean_file(self) -> tablib.Dataset:
        """The file read as a table; unreadable files are refused here."""
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx")):
            raise ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > self.MAX_BYTES:
            raise ValidationError(_("The file is larger than 10 MB."))
        content = upload.read()
        try:
            if name.endswith(".csv"):
                return base_formats.CSV().create_dataset(content.decode("utf-8-sig"))
            return base_formats.XLSX().create_dataset(content)
        except UnicodeDecodeError as error:
            raise ValidationError(_("The CSV file is not UTF-8 text.")) from error
        except Exception as error:  # noqa: BLE001 - any parser failure: say so
            raise ValidationError(
                _("The file could not be read as %(kind)s.")
                % {"kind": "CSV" if name.endswith(".csv") else "Excel (.xlsx)"}
            ) from error
