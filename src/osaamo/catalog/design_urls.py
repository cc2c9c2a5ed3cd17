from django.urls import path

from osaamo.catalog import design_views

app_name = "design"

urlpatterns = [
    path("<slug:provider>/", design_views.design_list, name="list"),
]
