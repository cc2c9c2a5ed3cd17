from django.urls import path

from osaamo.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.catalog_list, name="list"),
    path("universities/", views.provider_list, name="providers"),
]
