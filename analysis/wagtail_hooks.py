from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from analysis import admin_views
from analysis.models import PopulationMargin, RollupWeight, Wave
from analysis.validation import margin_form_errors


class PopulationMarginForm(WagtailAdminModelForm):
    """Explains, before saving, why a margin table cannot be used."""

    def clean(self):
        cleaned = super().clean()
        cells_formset = self.formsets.get("cells")
        if cells_formset is None or not cells_formset.is_valid():
            return cleaned
        cells = [
            (form.cleaned_data.get("category", ""), form.cleaned_data.get("population"))
            for form in cells_formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        for message in margin_form_errors(
            wave=cleaned.get("wave"),
            variables=cleaned.get("variables", ""),
            cells=cells,
            instance_pk=self.instance.pk,
        ):
            self.add_error(None, message)
        return cleaned


PopulationMargin.base_form_class = PopulationMarginForm


class WaveViewSet(SnippetViewSet):
    model = Wave
    icon = "date"
    list_display = ["name", "slug", "period_start", "period_end", "published_at"]
    search_fields = ["slug", "name", "name_en"]


class PopulationMarginViewSet(SnippetViewSet):
    model = PopulationMargin
    icon = "group"
    list_display = ["wave", "variables", "source", "updated_at"]
    list_filter = ["wave"]


class RollupWeightViewSet(SnippetViewSet):
    model = RollupWeight
    icon = "order"
    list_display = ["wave", "rollup", "sector", "weight"]
    list_filter = ["wave", "rollup"]


class AssessmentGroup(SnippetViewSetGroup):
    menu_label = _("Assessment")
    menu_icon = "table"
    menu_order = 310
    items = (WaveViewSet, PopulationMarginViewSet, RollupWeightViewSet)


register_snippet(AssessmentGroup)


@hooks.register("register_snippet_listing_buttons")
def wave_runs_button(snippet, user, next_url=None):
    from wagtail.admin.widgets.button import Button

    if isinstance(snippet, Wave):
        yield Button(
            _("Runs and results"),
            reverse("analysis_admin_wave_runs", args=[snippet.pk]),
            priority=5,
            icon_name="table",
        )


@hooks.register("register_admin_urls")
def analysis_admin_urls():
    return [
        path(
            "assessment/waves/<int:wave_id>/",
            admin_views.wave_runs,
            name="analysis_admin_wave_runs",
        ),
        path(
            "assessment/waves/<int:wave_id>/run/",
            admin_views.run_request,
            name="analysis_admin_run_request",
        ),
        path(
            "assessment/waves/<int:wave_id>/publish/",
            admin_views.wave_publish,
            name="analysis_admin_wave_publish",
        ),
        path(
            "assessment/runs/<int:run_id>/",
            admin_views.run_progress,
            name="analysis_admin_run",
        ),
        path(
            "assessment/runs/<int:run_id>/status.json",
            admin_views.run_status,
            name="analysis_admin_run_status",
        ),
    ]
