"""The design tool for provider staff, under /<lang>/design/<provider>/ (namespace `design`)."""

from django.urls import path

from osaamo.catalog import design_views as views

app_name = "design"

urlpatterns = [
    path("<slug:provider>/", views.design_list, name="list"),
    path("<slug:provider>/new/", views.micro_credential_new, name="new"),
    path("<slug:provider>/findings/", views.design_findings, name="findings"),
    path("<slug:provider>/outcome-row/", views.outcome_row, name="outcome_row"),
    path("<slug:provider>/outcome-row/removed/", views.outcome_removed, name="outcome_removed"),
    path("<slug:provider>/skills/", views.skills_search, name="skills"),
    path("<slug:provider>/skills/chosen/", views.skill_chosen, name="skill_chosen"),
    path("<slug:provider>/skills/suggested/", views.skill_suggestions_for_row, name="skill_suggestions"),
    path("<slug:provider>/from-catalog/", views.catalog_clone, name="catalog_clone"),
    path("<slug:provider>/<int:pk>/", views.micro_credential_detail, name="detail"),
    path("<slug:provider>/<int:pk>/edit/", views.version_start, name="start"),
    path("<slug:provider>/versions/<int:pk>/", views.version_preview, name="preview"),
    path("<slug:provider>/versions/<int:pk>/edit/", views.version_edit, name="edit"),
    path("<slug:provider>/versions/<int:pk>/submit/", views.version_submit, name="submit"),
    path("<slug:provider>/versions/<int:pk>/return/", views.version_return, name="return"),
    path("<slug:provider>/versions/<int:pk>/publish/", views.version_publish, name="publish"),
    path("<slug:provider>/versions/<int:pk>/retire/", views.version_retire, name="retire"),
    path("<slug:provider>/versions/<int:pk>/clone/", views.version_clone, name="clone"),
    path("<slug:provider>/versions/<int:pk>/offerings/new/", views.offering_new, name="offering_new"),
    path("<slug:provider>/offerings/<int:pk>/", views.offering_edit, name="offering_edit"),
    path("<slug:provider>/offerings/<int:pk>/cancel/", views.offering_cancel, name="offering_cancel"),
]
