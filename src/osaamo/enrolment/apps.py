from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrolmentConfig(AppConfig):
    name = "osaamo.enrolment"
    label = "enrolment"
    verbose_name = _("Enrolment")

    def ready(self) -> None:
        from osaamo.catalog.signals import offering_cancelled
        from osaamo.enrolment.receivers import release_cancelled_offering

        offering_cancelled.connect(release_cancelled_offering, dispatch_uid="enrolment.release_cancelled_offering")
