from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from surveys.models import Quota

        # Submissions remember a survey's quota cells for a few seconds; the
        # process that edits them forgets at once (cache upkeep, not a rule).
        for signal in (post_save, post_delete):
            signal.connect(
                _forget_quota_cells, sender=Quota, dispatch_uid=f"quota-{signal}"
            )


def _forget_quota_cells(sender, instance, **kwargs) -> None:
    from surveys.services import forget_quota_cells

    forget_quota_cells(instance.survey_id)
