"""Admin URLs and menu items of the dashboard and the reports.

Wagtail only auto-loads ``<app>/wagtail_hooks.py``; this module is imported
from ``AnalysisConfig.ready``.
"""

from django.urls import path, reverse
from django.utils.functional import lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from analysis.dashboard import views
from analysis.dashboard.labels import words
from analysis.dashboard.views import DOWNLOAD, VIEW_UNPUBLISHED


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


def _label(key: str) -> str:
    from django.utils.translation import get_language

    return words(get_language() or "zh-hans")[key]


localized_label = lazy(_label, str)


@hooks.register("register_admin_urls")
def dashboard_urls():
    return [
        path("dashboard/", views.dashboard, name="analysis_dashboard"),
        path("dashboard/reports/", views.report_list, name="analysis_reports"),
        path(
            "dashboard/reports/<int:report_id>/",
            views.report_progress,
            name="analysis_report",
        ),
        path(
            "dashboard/reports/<int:report_id>/download/",
            views.report_download,
            name="analysis_report_download",
        ),
    ]


@hooks.register("register_admin_menu_item")
def dashboard_menu_item():
    return PermissionMenuItem(
        localized_label("dashboard"),
        reverse("analysis_dashboard"),
        name="dashboard",
        icon_name="view",
        order=150,
        permission=VIEW_UNPUBLISHED,
    )


@hooks.register("register_admin_menu_item")
def reports_menu_item():
    return PermissionMenuItem(
        localized_label("reports"),
        reverse("analysis_reports"),
        name="reports",
        icon_name="download",
        order=160,
        permission=DOWNLOAD,
    )
