"""Pages (inside the language prefix): wallet, sharing, verification, provider staff, operator."""

from django.urls import path

from osaamo.credentials import views

app_name = "credentials"

urlpatterns = [
    # the learner
    path("wallet/", views.wallet, name="wallet"),
    path("wallet/identifier/", views.wallet_did, name="wallet_did"),
    path("wallet/export.zip", views.wallet_export, name="wallet_export"),
    path("wallet/<str:uuid>/", views.wallet_credential, name="wallet_credential"),
    path("wallet/<str:uuid>/credential.json", views.wallet_json, name="wallet_json"),
    path("wallet/<str:uuid>/certificate.pdf", views.wallet_pdf, name="wallet_pdf"),
    path("wallet/<str:uuid>/share/", views.share_create, name="share_create"),
    path("wallet/<str:uuid>/share/<int:pk>/withdraw/", views.share_withdraw, name="share_withdraw"),
    # everyone
    path("share/<str:token>/", views.share, name="share"),
    path("share/<str:token>/credential.json", views.share_json, name="share_json"),
    path("verify/", views.verify, name="verify"),
    path("verify/c/<str:code>/", views.verify_code, name="verify_code"),
    # provider staff
    path("provider/<slug:slug>/credentials/", views.staff_credentials, name="staff_credentials"),
    path("provider/<slug:slug>/credentials/issue/", views.staff_issue, name="staff_issue"),
    path("provider/<slug:slug>/credentials/keys/", views.staff_keys, name="staff_keys"),
    path("provider/<slug:slug>/credentials/offerings/<int:pk>/issue/", views.staff_bulk, name="staff_bulk"),
    path("provider/<slug:slug>/credentials/jobs/<int:pk>/", views.staff_job, name="staff_job"),
    path("provider/<slug:slug>/credentials/jobs/<int:pk>/resume/", views.staff_job_resume, name="staff_job_resume"),
    path("provider/<slug:slug>/credentials/<str:uuid>/", views.staff_credential, name="staff_credential"),
    path("provider/<slug:slug>/credentials/<str:uuid>/revoke/", views.staff_revoke, name="staff_revoke"),
    path("provider/<slug:slug>/credentials/<str:uuid>/suspend/", views.staff_suspend, name="staff_suspend"),
    path("provider/<slug:slug>/credentials/<str:uuid>/unsuspend/", views.staff_unsuspend, name="staff_unsuspend"),
    # the operator
    path("operator/recognised-issuers/", views.trusted_issuers, name="trusted_issuers"),
    path("operator/recognised-issuers/<int:pk>/remove/", views.trusted_issuer_remove, name="trusted_issuer_remove"),
]
