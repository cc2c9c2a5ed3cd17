from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from osaamo.api.api import api

urlpatterns = [
    path("api/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("", include("osaamo.credentials.public_urls")),
]

urlpatterns += i18n_patterns(
    path("", include("osaamo.web.urls")),
    path("accounts/", include("osaamo.accounts.urls")),
    path("design/", include("osaamo.catalog.design_urls")),
    path("framework/", include("osaamo.framework.urls")),
    path("", include("osaamo.enrolment.urls")),
    path("", include("osaamo.assessment.urls")),
    path("", include("osaamo.demand.urls")),
    path("", include("osaamo.credentials.urls")),
    path("", include("osaamo.catalog.urls")),
    prefix_default_language=True,
)
