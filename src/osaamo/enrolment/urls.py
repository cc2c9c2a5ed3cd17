from django.urls import path

from osaamo.enrolment import views

app_name = "enrolment"

urlpatterns = [
    # learners
    path("enrol/<int:pk>/", views.offering_page, name="offering"),
    path("enrol/<int:pk>/interest/", views.register_interest, name="interest"),
    path("enrol/mine/", views.my_enrolments, name="mine"),
    path("enrol/mine/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("enrol/mine/<int:pk>/invoice.pdf", views.my_invoice, name="my_invoice"),
    path("enrol/seat/<str:secret>/", views.seat_link, name="seat_link"),
    path("enrol/code/", views.seat_code, name="seat_code"),
    # employers
    path("organisation/<slug:slug>/seats/", views.employer_purchases, name="employer"),
    path("organisation/<slug:slug>/seats/buy/<int:offering_pk>/", views.buy_seats, name="buy"),
    path("organisation/<slug:slug>/seats/<int:pk>/", views.purchase_detail, name="purchase"),
    path("organisation/<slug:slug>/seats/<int:pk>/invoice.pdf", views.purchase_invoice, name="purchase_invoice"),
    path("organisation/<slug:slug>/seats/<int:pk>/seat/<int:seat_pk>/assign/", views.seat_assign,
         name="seat_assign"),
    path("organisation/<slug:slug>/seats/<int:pk>/seat/<int:seat_pk>/code/", views.seat_issue_code,
         name="seat_issue_code"),
    path("organisation/<slug:slug>/seats/<int:pk>/seat/<int:seat_pk>/revoke/", views.seat_revoke,
         name="seat_revoke"),
    # provider staff
    path("provider/<slug:slug>/enrolments/", views.staff_offerings, name="staff_offerings"),
    path("provider/<slug:slug>/enrolments/<int:pk>/", views.staff_offering, name="staff_offering"),
    path("provider/<slug:slug>/enrolments/<int:pk>/enrolments.csv", views.staff_offering_csv, name="staff_csv"),
    path("provider/<slug:slug>/enrolments/<int:pk>/cancel/<int:enrolment_pk>/", views.staff_cancel,
         name="staff_cancel"),
    path("provider/<slug:slug>/invoices/<int:pk>.pdf", views.staff_invoice, name="staff_invoice"),
    path("provider/<slug:slug>/invoicing/", views.invoicing, name="invoicing"),
]
