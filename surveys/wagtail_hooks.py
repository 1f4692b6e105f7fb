from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets.button import Button
from wagtail.models import Workflow, WorkflowPage
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from surveys import admin_views
from surveys.models import (
    QuestionSet,
    Quota,
    Region,
    Sector,
    ServicePoint,
    SurveyIndexPage,
    SurveyPage,
)

REVIEW_WORKFLOW = "Questionnaire review"


class SectorViewSet(SnippetViewSet):
    model = Sector
    icon = "folder-open-inverse"
    list_display = ["code", "name", "name_en", "service_class"]
    list_filter = ["service_class"]
    search_fields = ["code", "name", "name_en"]


class RegionViewSet(SnippetViewSet):
    model = Region
    icon = "site"
    list_display = ["code", "name", "name_en", "kind"]
    search_fields = ["code", "name", "name_en"]


class ServicePointViewSet(SnippetViewSet):
    model = ServicePoint
    icon = "pick"
    list_display = ["code", "name", "sector", "region", "active"]
    list_filter = ["sector", "region", "active"]
    search_fields = ["code", "name", "name_en"]


class ReferenceDataGroup(SnippetViewSetGroup):
    menu_label = _("Reference data")
    menu_icon = "list-ul"
    menu_order = 300
    items = (SectorViewSet, RegionViewSet, ServicePointViewSet)


class QuestionSetViewSet(SnippetViewSet):
    model = QuestionSet
    icon = "list-ol"
    menu_label = _("Question bank")
    list_display = ["name", "name_en", "sector"]
    list_filter = ["sector"]
    search_fields = ["name", "name_en", "description"]


class QuotaViewSet(SnippetViewSet):
    model = Quota
    icon = "success"
    list_display = ["survey", "variable", "value", "limit", "completes"]
    list_filter = ["survey"]
    form_fields = ["survey", "variable", "value", "limit"]


class SurveyToolsGroup(SnippetViewSetGroup):
    menu_label = _("Survey tools")
    menu_icon = "form"
    menu_order = 290
    items = (QuestionSetViewSet, QuotaViewSet)


register_snippet(ReferenceDataGroup)
register_snippet(SurveyToolsGroup)


@hooks.register("register_admin_urls")
def survey_admin_urls():
    return [
        path(
            "surveys/<int:page_id>/fieldwork/",
            admin_views.fieldwork,
            name="surveys_admin_fieldwork",
        ),
        path(
            "surveys/<int:page_id>/flags/",
            admin_views.flags,
            name="surveys_admin_flags",
        ),
        path(
            "surveys/<int:page_id>/flags/<int:response_id>/",
            admin_views.review,
            name="surveys_admin_review",
        ),
        path(
            "surveys/<int:page_id>/contacts/",
            admin_views.contacts,
            name="surveys_admin_contacts",
        ),
        path(
            "surveys/<int:page_id>/posters/",
            admin_views.posters,
            name="surveys_admin_posters",
        ),
        path(
            "surveys/<int:page_id>/posters/<slug:point>.<str:fmt>",
            admin_views.poster,
            name="surveys_admin_poster",
        ),
        path(
            "surveys/<int:page_id>/insert-set/",
            admin_views.insert_question_set,
            name="surveys_admin_insert_set",
        ),
        path(
            "surveys/<int:page_id>/invitations/",
            admin_views.invitations,
            name="surveys_admin_invitations",
        ),
    ]


SURVEY_BUTTONS = [
    (_("Fieldwork"), "surveys_admin_fieldwork", "table"),
    (_("Flagged responses"), "surveys_admin_flags", "warning"),
    (_("QR posters"), "surveys_admin_posters", "image"),
    (_("Insert question set"), "surveys_admin_insert_set", "list-ol"),
    (_("Invitations"), "surveys_admin_invitations", "mail"),
    (_("Follow-up contacts"), "surveys_admin_contacts", "user"),
]
# Buttons that need more than seeing responses.
BUTTON_PERMISSIONS = {"surveys_admin_contacts": admin_views.VIEW_CONTACTS}


def _survey_buttons(page, user):
    if not isinstance(page.specific_deferred, SurveyPage):
        return
    if not user.has_perm("surveys.view_response"):
        return
    for priority, (label, name, icon) in enumerate(SURVEY_BUTTONS, start=80):
        if name in BUTTON_PERMISSIONS and not user.has_perm(BUTTON_PERMISSIONS[name]):
            continue
        yield Button(
            label=label,
            url=reverse(name, args=[page.pk]),
            icon_name=icon,
            priority=priority,
        )


@hooks.register("register_page_header_buttons")
def survey_header_buttons(page, user, view_name=None, next_url=None):
    yield from _survey_buttons(page, user)


@hooks.register("register_page_listing_more_buttons")
def survey_listing_buttons(page, user, next_url=None):
    yield from _survey_buttons(page, user)


@hooks.register("after_create_page")
def survey_index_under_review(request, page):
    """New survey indexes get the lead-assessor review workflow."""
    if isinstance(page.specific_deferred, SurveyIndexPage):
        workflow = Workflow.objects.filter(name=REVIEW_WORKFLOW, active=True).first()
        if workflow is not None:
            WorkflowPage.objects.get_or_create(
                page=page, defaults={"workflow": workflow}
            )
