from django.urls import path

from osaamo.web import views

app_name = "web"

urlpatterns = [
    path("sources/", views.sources, name="sources"),
]
