from django.urls import path

from osaamo.framework import views

app_name = "framework"

urlpatterns = [
    path("", views.overview, name="overview"),
]
