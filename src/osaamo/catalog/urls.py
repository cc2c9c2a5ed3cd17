from django.urls import path

from osaamo.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.catalog_list, name="list"),
    path("micro-credentials/<slug:provider_slug>/<slug:slug>/", views.catalog_detail, name="detail"),
    path("universities/", views.provider_list, name="providers"),
    path("universities/<slug:slug>/", views.provider_detail, name="provider"),
]
