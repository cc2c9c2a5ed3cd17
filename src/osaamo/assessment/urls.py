from django.urls import path

from osaamo.assessment import views

app_name = "assessment"

urlpatterns = [
    # the learner
    path("my-studies/", views.my_studies, name="my_studies"),
    # provider staff: administrators, registrars and teachers
    path("provider/<slug:slug>/assessment/", views.offerings, name="offerings"),
    path("provider/<slug:slug>/assessment/<int:pk>/", views.offering, name="offering"),
    path("provider/<slug:slug>/assessment/<int:pk>/issuing/", views.issuing_setting, name="issuing"),
    path("provider/<slug:slug>/assessment/<int:pk>/issue/", views.issue, name="issue"),
    path("provider/<slug:slug>/assessment/<int:pk>/group/", views.grid, name="grid"),
    path("provider/<slug:slug>/assessment/<int:pk>/learners/<int:enrolment_pk>/", views.learner_result,
         name="learner"),
    path("provider/<slug:slug>/assessment/<int:pk>/results.csv", views.results_csv, name="csv"),
    path("provider/<slug:slug>/assessment/<int:pk>/upload/", views.upload, name="upload"),
    path("provider/<slug:slug>/assessment/<int:pk>/upload/<int:import_pk>/", views.result_import, name="import"),
]
