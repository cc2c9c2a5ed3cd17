from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CredentialsConfig(AppConfig):
    name = "osaamo.credentials"
    label = "credentials"
    verbose_name = _("Credentials")

    def ready(self) -> None:
        from osaamo.credentials import checks  # noqa: F401  (registers the system checks)
