"""The handlers' workspace in the Wagtail admin.

Complaints are listed by a ModelViewSet whose "edit" view is the handling page
(workflow buttons, reassignment, notes, timeline): no form edits a complaint's
fields directly, and nobody adds or deletes complaints here.
"""

from __future__ import annotations

from typing import Any

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from . import admin_views
from .models import Agency, CalendarDay, CategoryDeadline, Complaint


class ComplaintPermissionPolicy(ModelPermissionPolicy):
    """Complaints come from the public form and imports, and are never deleted."""

    refused = frozenset({"add", "delete"})

    def user_has_permission(self, user: Any, action: str) -> bool:
        return action not in self.refused and super().user_has_permission(user, action)

    def user_has_any_permission(self, user: Any, actions: Any) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(Complaint, ComplaintPermissionPolicy(Complaint))


class ComplaintIndexView(IndexView):
    # (permission needed, label, URL name, icon) of the buttons above the list.
    links = (
        ("complaints.view_complaint", _("Overdue"), "overdue", "warning"),
        ("complaints.import_complaints", _("Import cases"), "import", "upload"),
        (
            "complaints.view_complaintstatistics",
            _("Settlement report"),
            "report",
            "table",
        ),
    )

    @property
    def header_buttons(self) -> list[HeaderButton]:
        return [
            HeaderButton(
                label,
                url=reverse(f"wagtailadmin_complaints:{name}"),
                icon_name=icon,
            )
            for permission, label, name, icon in self.links
            if self.request.user.has_perm(permission)
        ]


class FlagColumn(Column):
    """The column's label where the flag is set, nothing where it is not: the
    few flagged rows stand out, instead of "True"/"False" on every row."""

    def get_value(self, instance: Any) -> str:
        return str(self.label) if super().get_value(instance) else ""


class ComplaintViewSet(ModelViewSet):
    model = Complaint
    name = "complaints"
    # The public app owns the "complaints" namespace.
    url_namespace = "wagtailadmin_complaints"
    icon = "warning"
    menu_label = _("Complaints")
    index_view_class = ComplaintIndexView
    list_display = [
        "reference",
        "status",
        "category",
        "service_point",
        "channel",
        "received_at",
        "settle_by",
        "handler",
        FlagColumn("suspected_bot", label=_("Suspected bot")),
    ]
    list_filter = [
        "status",
        "category",
        "channel",
        "service_point",
        "agency",
        "suspected_bot",
    ]
    search_fields = ["reference", "external_reference", "description"]
    search_backend_name = None
    form_fields = ["category"]  # unused: the edit URL is the handling view

    def get_urlpatterns(self) -> list[Any]:
        kept = [
            pattern
            for pattern in super().get_urlpatterns()
            if pattern.name in {"index", "index_results", "history", "history_results"}
        ]
        return [
            *kept,
            path(
                "edit/<int:pk>/", admin_views.ComplaintHandleView.as_view(), name="edit"
            ),
            path("overdue/", admin_views.OverdueView.as_view(), name="overdue"),
            path("import/", admin_views.ImportView.as_view(), name="import"),
            path("report/", admin_views.SettlementReportView.as_view(), name="report"),
            path("photo/<int:pk>/", admin_views.complaint_photo, name="photo"),
            path("qr/<slug:point>/", admin_views.complaint_qr, name="qr"),
            # Referenced by generic views; answered by the handling view's rules.
            path("new/", admin_views.ComplaintHandleView.refuse, name="add"),
            path(
                "delete/<int:pk>/",
                admin_views.ComplaintHandleView.refuse,
                name="delete",
            ),
            path(
                "usage/<int:pk>/", admin_views.ComplaintHandleView.refuse, name="usage"
            ),
        ]


class AgencyViewSet(ModelViewSet):
    model = Agency
    icon = "group"
    list_display = ["code", "name", "name_en"]
    form_fields = ["code", "name", "name_en"]


class CategoryDeadlineViewSet(ModelViewSet):
    model = CategoryDeadline
    icon = "time"
    list_display = ["category", "acknowledge_days", "settle_days"]
    form_fields = ["category", "acknowledge_days", "settle_days"]


class CalendarDayViewSet(ModelViewSet):
    model = CalendarDay
    icon = "date"
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    form_fields = ["date", "kind", "name"]


class ComplaintsGroup(ModelViewSetGroup):
    menu_label = _("Tourist complaints")
    menu_icon = "warning"
    menu_order = 250
    items = (
        ComplaintViewSet,
        AgencyViewSet,
        CategoryDeadlineViewSet,
        CalendarDayViewSet,
    )


@hooks.register("register_admin_viewset")
def register_complaints() -> ComplaintsGroup:
    return ComplaintsGroup()


class StatisticsMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return request.user.has_perm("complaints.view_complaintstatistics")


@hooks.register("register_admin_menu_item")
def register_settlement_report() -> MenuItem:
    return StatisticsMenuItem(
        _("Complaint settlement"),
        reverse("wagtailadmin_complaints:report"),
        icon_name="table",
        order=260,
    )
