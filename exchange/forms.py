"""Admin forms: what to import, and which responses to export."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from analysis.models import Wave
from exchange.models import ExportFormat, ImportKind
from surveys.models import QualityFlag, Sector, ServicePoint, SurveyPage

KIND_PERMISSIONS = {
    ImportKind.RESPONSES: ("surveys.add_response",),
    ImportKind.SERVICE_POINTS: (
        "surveys.add_servicepoint",
        "surveys.change_servicepoint",
    ),
    ImportKind.QUESTION_BANK: ("surveys.add_questionset", "surveys.change_questionset"),
    ImportKind.MARGINS: (
        "analysis.add_populationmargin",
        "analysis.change_populationmargin",
    ),
}
EXPORT_PERMISSION = "surveys.view_response"


def allowed_kinds(user) -> list[tuple[str, str]]:
    return [
        (kind.value, kind.label)
        for kind in ImportKind
        if user.has_perms(KIND_PERMISSIONS[kind])
    ]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"))
    survey = forms.ModelChoiceField(
        queryset=SurveyPage.objects.order_by("-latest_revision_created_at"),
        required=False,
        label=_("Survey (for responses)"),
        empty_label=_("Choose the survey"),
    )
    upload = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_(
            "CSV in UTF-8 or GB18030/GBK, or an Excel workbook; headers in "
            "Chinese or English. Nothing is written before you confirm."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = allowed_kinds(user)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == ImportKind.RESPONSES and not cleaned.get("survey"):
            self.add_error("survey", _("Choose the survey the responses belong to."))
        return cleaned


class ExportForm(forms.Form):
    survey = forms.ModelChoiceField(
        queryset=SurveyPage.objects.order_by("-latest_revision_created_at"),
        required=False,
        label=_("Survey"),
        empty_label=_("All surveys"),
        help_text=_("Leave empty to export every survey matching the filters."),
    )
    wave = forms.ModelChoiceField(
        queryset=Wave.objects.order_by("-period_end", "slug"),
        to_field_name="slug",
        required=False,
        label=_("Wave"),
        empty_label=_("All waves"),
        help_text=_(
            "The responses to the surveys the wave assesses, with the wave's "
            "calibrated weights."
        ),
    )
    sector = forms.ModelChoiceField(
        queryset=Sector.objects.all(),
        required=False,
        label=_("Sector"),
        empty_label=_("All sectors"),
    )
    service_point = forms.ModelChoiceField(
        queryset=ServicePoint.objects.all(),
        required=False,
        label=_("Service point"),
        empty_label=_("All service points"),
    )
    flags = forms.MultipleChoiceField(
        choices=QualityFlag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Only responses with any of these flags"),
    )
    unflagged_only = forms.BooleanField(
        required=False, label=_("Only responses without flags")
    )
    include_excluded = forms.BooleanField(
        required=False, label=_("Include responses excluded from analysis")
    )
    file_format = forms.ChoiceField(
        choices=ExportFormat.choices, initial=ExportFormat.CSV, label=_("Format")
    )
