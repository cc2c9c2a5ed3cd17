"""Demand pages under /<lang>/ (namespace `demand`)."""

from django.urls import path

from osaamo.demand import views

app_name = "demand"

urlpatterns = [
    # employers
    path("organisation/<slug:slug>/needs/", views.needs, name="needs"),
    path("organisation/<slug:slug>/needs/new/", views.need_new, name="need_new"),
    path("organisation/<slug:slug>/needs/skills/", views.skill_search, name="skills"),
    path("organisation/<slug:slug>/needs/skills/chosen/", views.skill_chosen, name="skill_chosen"),
    path("organisation/<slug:slug>/needs/<int:pk>/", views.need_detail, name="need"),
    path("organisation/<slug:slug>/needs/<int:pk>/edit/", views.need_edit, name="need_edit"),
    path("organisation/<slug:slug>/needs/<int:pk>/close/", views.need_close, name="need_close"),
    path("organisation/<slug:slug>/pledges/", views.pledges, name="pledges"),
    path("organisation/<slug:slug>/pledges/new/<int:offering_pk>/", views.pledge_new, name="pledge_new"),
    path("organisation/<slug:slug>/pledges/<int:pk>/withdraw/", views.pledge_withdraw, name="pledge_withdraw"),
    # providers
    path("provider/<slug:slug>/demand/", views.board, name="board"),
    path("provider/<slug:slug>/pooling/", views.provider_pooling, name="provider_pooling"),
    path("provider/<slug:slug>/pooling/<int:pk>/", views.provider_offering, name="provider_offering"),
    path("provider/<slug:slug>/planned/new/", views.plan_new, name="plan_new"),
    path("provider/<slug:slug>/planned/<int:pk>/", views.plan_detail, name="plan"),
    # everyone
    path("pooling/<int:pk>/", views.offering_page, name="offering"),
    path("pooling/<int:pk>/interest/", views.register_interest, name="interest"),
    path("planned/<int:pk>/interest/", views.planned_interest, name="planned_interest"),
]
