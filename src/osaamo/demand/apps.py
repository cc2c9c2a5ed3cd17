from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandConfig(AppConfig):
    name = "osaamo.demand"
    label = "demand"
    verbose_name = _("Demand")

    def ready(self) -> None:
        from osaamo.catalog.signals import offering_cancelled
        from osaamo.demand.receivers import release_pledges_of_cancelled_offering

        offering_cancelled.connect(release_pledges_of_cancelled_offering,
                                   dispatch_uid="demand.release_pledges_of_cancelled_offering")
