from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "analysis"
    verbose_name = _("Analysis")

    def ready(self) -> None:
        # Wagtail loads only <app>/wagtail_hooks.py; the dashboard's are apart.
        from analysis.dashboard import wagtail_hooks  # noqa: F401
