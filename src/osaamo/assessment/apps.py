from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "osaamo.assessment"
    label = "assessment"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        from osaamo.assessment.selectors import awards_for_issuing
        from osaamo.credentials.awards import register_award_source

        # Bulk issuing states each result's grade, date and identity verification on its credential.
        register_award_source(awards_for_issuing)
