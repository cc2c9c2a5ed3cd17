"""Language-neutral addresses that verifiers fetch: did:web documents, issuer profiles, status lists."""

from django.urls import path

from osaamo.credentials import views

app_name = "credentials_public"

urlpatterns = [
    path("issuers/<slug:slug>/did.json", views.did_document, name="did"),
    path("issuers/<slug:slug>", views.issuer_profile, name="profile"),
    path("status/<slug:slug>/<int:number>", views.status_list, name="status_list"),
    path("achievements/<slug:provider_slug>/<slug:slug>/<int:number>", views.achievement, name="achievement"),
]
