from django.urls import path

from osaamo.catalog import compare_views, views

app_name = "catalog"

urlpatterns = [
    path("", views.catalog_list, name="list"),
    path("micro-credentials/<slug:provider_slug>/<slug:slug>/", views.catalog_detail, name="detail"),
    path("universities/", views.provider_list, name="providers"),
    path("universities/<slug:slug>/", views.provider_detail, name="provider"),
    # Compare (catalog/compare_views.py): the shareable side-by-side page and the visitor's selection.
    path("compare/", compare_views.compare, name="compare"),
    path("compare/add/", compare_views.compare_add, name="compare_add"),
    path("compare/remove/", compare_views.compare_remove, name="compare_remove"),
    path("compare/clear/", compare_views.compare_clear, name="compare_clear"),
]
