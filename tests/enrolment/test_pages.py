"""The enrolment pages through HTTP: what learners, employers and provider staff see and may do."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from osaamo.enrolment import services
from osaamo.enrolment.models import Enrolment, EnrolmentState, SeatState
from tests.enrolment.conftest import make_learner, make_offering
from tests.enrolment.pdf_text import pdf_text
from tests.factories import ORGANISATION_BILLING, PERSON_BILLING, make_user


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def purchase(paid_offering: Any, employer: Any, employer_admin: Any) -> Any:
    return services.purchase_create(offering=paid_offering, organisation=employer, by=employer_admin, quantity=2,
                                    billing=ORGANISATION_BILLING, language="en")


# --- the offering page -----------------------------------------------------------------------------------


def test_the_offering_page_shows_the_price_places_and_prerequisites(paid_offering: Any) -> None:
    response = Client().get(f"/en/enrol/{paid_offering.pk}/")
    page = text_of(response)
    assert response.status_code == 200
    assert "Data protection in practice" in page
    assert "290.00\xa0€" in page and "card payment is not available" in page
    assert "3 of 3" in page  # places left
    assert "None." in page  # the stated prerequisites
    assert "Sign in to enrol" in page
    assert "You can cancel your enrolment yourself until the day before the offering starts" in page


def test_an_unknown_or_unpublished_offering_is_404(version: Any, helsinki_admin: Any) -> None:
    assert Client().get("/en/enrol/999999/").status_code == 404


def test_a_learner_enrols_through_the_page(free_offering: Any, django_capture_on_commit_callbacks: Any,
                                           mailoutbox: Any) -> None:
    learner = make_learner()
    client = signed_in(learner)
    page = text_of(client.get(f"/en/enrol/{free_offering.pk}/"))
    assert "I meet the prerequisites stated above." in page and "Enrol free of charge" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/enrol/{free_offering.pk}/", {"prerequisites_confirmed": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == "/en/enrol/mine/"
    assert "You are enrolled. We sent you a confirmation by email." in text_of(response)
    assert Enrolment.objects.get(learner=learner).state == EnrolmentState.ENROLLED
    assert len(mailoutbox) == 1


def test_the_prerequisites_confirmation_is_asked_for_on_the_page(free_offering: Any) -> None:
    learner = make_learner()
    response = signed_in(learner).post(f"/en/enrol/{free_offering.pk}/", {})
    assert response.status_code == 400
    assert "Confirm that you meet the prerequisites of the micro-credential." in text_of(response)
    assert not Enrolment.objects.exists()


def test_a_paid_enrolment_asks_for_billing_details_and_gives_an_invoice(paid_offering: Any) -> None:
    learner = make_learner()
    client = signed_in(learner)
    missing = client.post(f"/en/enrol/{paid_offering.pk}/", {"prerequisites_confirmed": "on", "name": "Liisa"})
    assert missing.status_code == 400 and "Street address: This field is required." in text_of(missing)
    response = client.post(f"/en/enrol/{paid_offering.pk}/", {**PERSON_BILLING, "prerequisites_confirmed": "on"})
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(learner=learner)
    assert enrolment.invoice is not None
    mine = text_of(client.get("/en/enrol/mine/"))
    assert f"Invoice {enrolment.invoice.number} (PDF)" in mine
    pdf = client.get(f"/en/enrol/mine/{enrolment.pk}/invoice.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert enrolment.invoice.number in pdf_text(pdf.content)
    # Nobody else gets the learner's invoice.
    assert signed_in(make_learner()).get(f"/en/enrol/mine/{enrolment.pk}/invoice.pdf").status_code == 404


def test_a_full_offering_offers_the_waiting_list(free_offering: Any) -> None:
    for _ in range(3):
        services.enrolment_enrol(offering=free_offering, learner=make_learner(), prerequisites_confirmed=True)
    client = signed_in(make_learner())
    page = text_of(client.get(f"/en/enrol/{free_offering.pk}/"))
    assert "Join the waiting list" in page and "0 of 3" in page
    response = client.post(f"/en/enrol/{free_offering.pk}/", {"prerequisites_confirmed": "on"}, follow=True)
    assert "you are on the waiting list" in text_of(response)
    assert "number 1 in line" in text_of(response)


def test_enrolling_twice_through_the_page_says_so(free_offering: Any) -> None:
    learner = make_learner()
    services.enrolment_enrol(offering=free_offering, learner=learner, prerequisites_confirmed=True)
    client = signed_in(learner)
    page = text_of(client.get(f"/en/enrol/{free_offering.pk}/"))
    assert "Your enrolment" in page and "Enrolled" in page and "Enrol free of charge" not in page
    response = client.post(f"/en/enrol/{free_offering.pk}/", {"prerequisites_confirmed": "on"}, follow=True)
    assert "You already have a place or a place on the waiting list in this offering." in text_of(response)
    assert Enrolment.objects.filter(learner=learner).count() == 1


def test_a_closed_window_is_shown_and_refused(version: Any, helsinki_admin: Any) -> None:
    from tests.enrolment.conftest import closed_window

    offering = make_offering(version, helsinki_admin, **closed_window())
    client = signed_in(make_learner())
    assert "Enrolment has closed." in text_of(client.get(f"/en/enrol/{offering.pk}/"))
    response = client.post(f"/en/enrol/{offering.pk}/", {"prerequisites_confirmed": "on"}, follow=True)
    assert "Enrolment has closed." in text_of(response)
    assert not Enrolment.objects.exists()


def test_anonymous_enrolment_goes_to_sign_in(free_offering: Any) -> None:
    response = Client().post(f"/en/enrol/{free_offering.pk}/", {"prerequisites_confirmed": "on"})
    assert response.status_code == 302 and response["Location"].startswith("/en/accounts/login/")


def test_registering_interest_through_the_page(free_offering: Any) -> None:
    learner = make_learner()
    response = signed_in(learner).post(f"/en/enrol/{free_offering.pk}/interest/", follow=True)
    assert "Your interest is registered. No place is reserved for you." in text_of(response)
    assert Enrolment.objects.get(learner=learner).state == EnrolmentState.INTERESTED


def test_cancelling_through_the_page(free_offering: Any) -> None:
    learner = make_learner()
    enrolment = services.enrolment_enrol(offering=free_offering, learner=learner, prerequisites_confirmed=True)
    client = signed_in(learner)
    assert f"/en/enrol/mine/{enrolment.pk}/cancel/" in text_of(client.get("/en/enrol/mine/"))
    confirm = text_of(client.get(f"/en/enrol/mine/{enrolment.pk}/cancel/"))
    assert "Yes, cancel my enrolment" in confirm and "Your place goes to the first person" in confirm
    response = client.post(f"/en/enrol/mine/{enrolment.pk}/cancel/", follow=True)
    assert "Your enrolment is cancelled." in text_of(response)
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.CANCELLED
    # Another learner cannot cancel it (or even see it).
    other = services.enrolment_enrol(offering=free_offering, learner=make_learner(), prerequisites_confirmed=True)
    assert client.post(f"/en/enrol/mine/{other.pk}/cancel/").status_code == 404
    other.refresh_from_db()
    assert other.state == EnrolmentState.ENROLLED


# --- employers ---------------------------------------------------------------------------------------------


def test_an_employer_admin_buys_seats_through_the_page(paid_offering: Any, employer: Any,
                                                       employer_admin: Any) -> None:
    client = signed_in(employer_admin)
    assert "Buy seats for Konepaja Oy" in text_of(client.get(f"/en/enrol/{paid_offering.pk}/"))
    form_page = client.get(f"/en/organisation/konepaja/seats/buy/{paid_offering.pk}/")
    assert form_page.status_code == 200 and "450.00\xa0€" in text_of(form_page)
    response = client.post(f"/en/organisation/konepaja/seats/buy/{paid_offering.pk}/",
                           {**ORGANISATION_BILLING, "quantity": "2", "language": "en"}, follow=True)
    page = text_of(response)
    purchase = employer.seat_purchases.get()
    assert response.redirect_chain[-1][0] == f"/en/organisation/konepaja/seats/{purchase.pk}/"
    assert "The seats are yours." in page and purchase.invoice.number in page
    assert page.count("Not handed out") == 2
    pdf = client.get(f"/en/organisation/konepaja/seats/{purchase.pk}/invoice.pdf")
    text = pdf_text(pdf.content)
    assert "Konepaja Oy" in text and purchase.invoice.number in text


@pytest.mark.parametrize(("quantity", "message"), [
    ("abc", "Enter a whole number."), ("0", "greater than or equal to 1"), ("4", "Only 3 places are left; you asked for 4."),
])
def test_buying_bad_numbers_of_seats_gives_a_clear_message(paid_offering: Any, employer_admin: Any, quantity: str,
                                                           message: str) -> None:
    response = signed_in(employer_admin).post(f"/en/organisation/konepaja/seats/buy/{paid_offering.pk}/",
                                              {**ORGANISATION_BILLING, "quantity": quantity, "language": "en"})
    assert response.status_code in (400, 409)
    assert message in text_of(response)


def test_assigning_codes_and_revoking_through_the_page(purchase: Any, employer_admin: Any,
                                                       django_capture_on_commit_callbacks: Any,
                                                       mailoutbox: Any) -> None:
    client = signed_in(employer_admin)
    base = f"/en/organisation/konepaja/seats/{purchase.pk}"
    first, second = purchase.seats.order_by("number")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{base}/seat/{first.pk}/assign/", {"email": "tiina@konepaja.example"}, follow=True)
    assert "Seat 1 is assigned; we sent the person a link by email." in text_of(response)
    assert "tiina@konepaja.example" in text_of(response)
    assert mailoutbox[-1].to == ["tiina@konepaja.example"]
    response = client.post(f"{base}/seat/{second.pk}/code/", follow=True)
    second.refresh_from_db()
    assert second.state == SeatState.CODE and second.code_display in text_of(response)
    response = client.post(f"{base}/seat/{second.pk}/revoke/", follow=True)
    assert "Seat 2 was taken back" in text_of(response)
    bad = client.post(f"{base}/seat/{first.pk}/assign/", {"email": "not an address"}, follow=True)
    assert "Enter a valid email address." in text_of(bad)


def test_another_employers_admin_cannot_see_or_use_a_purchase(purchase: Any, other_employer_admin: Any) -> None:
    client = signed_in(other_employer_admin)
    seat = purchase.seats.first()
    for address in ("/en/organisation/konepaja/seats/", f"/en/organisation/konepaja/seats/{purchase.pk}/",
                    f"/en/organisation/konepaja/seats/{purchase.pk}/invoice.pdf",
                    f"/en/organisation/sahatehdas/seats/{purchase.pk}/",
                    f"/en/organisation/sahatehdas/seats/{purchase.pk}/invoice.pdf"):
        assert client.get(address).status_code == 404, address
    for action in ("code", "revoke"):
        assert client.post(f"/en/organisation/sahatehdas/seats/{purchase.pk}/seat/{seat.pk}/{action}/").status_code == 404
    assert client.post(f"/en/organisation/konepaja/seats/{purchase.pk}/seat/{seat.pk}/assign/",
                       {"email": "x@sahatehdas.example"}).status_code == 404
    seat.refresh_from_db()
    assert seat.state == SeatState.UNASSIGNED


def test_an_employee_member_is_not_an_administrator(purchase: Any, employer: Any) -> None:
    member = make_user("matti.member@konepaja.example", "Matti Member", employer, "employer_member")
    assert signed_in(member).get(f"/en/organisation/konepaja/seats/{purchase.pk}/").status_code == 404


def test_an_employee_takes_an_assigned_seat_by_the_link(purchase: Any, employer_admin: Any) -> None:
    seat = services.seat_assign(seat=purchase.seats.first(), email="tiina@konepaja.example", by=employer_admin)
    link = f"/en/enrol/seat/{seat.secret}/"
    assert Client().get(link)["Location"].startswith("/en/accounts/login/")
    stranger = signed_in(make_learner())
    assert "This seat is reserved for tiina@konepaja.example." in text_of(stranger.get(link))
    employee = make_user("tiina@konepaja.example", "Tiina")
    client = signed_in(employee)
    page = text_of(client.get(link))
    assert "Konepaja Oy has paid for a place for you" in page and "I meet the prerequisites" in page
    response = client.post(link, {"prerequisites_confirmed": "on"}, follow=True)
    assert "You are enrolled. Your employer pays for the place." in text_of(response)
    assert "Paid by Konepaja Oy" in text_of(response)
    assert "This seat has already been used." in text_of(client.get(link))


def test_an_employee_takes_a_seat_with_a_code(purchase: Any, employer_admin: Any) -> None:
    seat = services.seat_issue_code(seat=purchase.seats.first(), by=employer_admin)
    learner = make_learner()
    client = signed_in(learner)
    first = client.post("/en/enrol/code/", {"code": seat.code_display})
    assert first.status_code == 200  # the code is good: the prerequisites are shown for confirmation
    assert "I meet the prerequisites stated above." in text_of(first) and "Data protection in practice" in text_of(first)
    response = client.post("/en/enrol/code/", {"code": seat.code_display, "prerequisites_shown": "1",
                                               "prerequisites_confirmed": "on"}, follow=True)
    assert "You are enrolled. Your employer pays for the place." in text_of(response)
    again = signed_in(make_learner()).post("/en/enrol/code/", {"code": seat.code_display, "prerequisites_shown": "1",
                                                               "prerequisites_confirmed": "on"})
    assert again.status_code == 400 and "This seat has already been used." in text_of(again)


def test_a_wrong_code_gives_a_clear_message(purchase: Any) -> None:
    response = signed_in(make_learner()).post("/en/enrol/code/", {"code": "NOPE-NOPE-NOPE-NOPE"})
    assert response.status_code == 400
    assert "This link or code is not valid" in text_of(response)
    assert signed_in(make_learner()).get("/en/enrol/seat/not-a-real-token/").status_code == 404


# --- provider staff ----------------------------------------------------------------------------------------


def test_registrars_see_the_enrolments_of_their_offerings(paid_offering: Any, purchase: Any,
                                                          helsinki_registrar: Any) -> None:
    learner = make_learner("Ville Väänänen")
    services.enrolment_enrol(offering=paid_offering, learner=learner, billing=PERSON_BILLING,
                             prerequisites_confirmed=True)
    waiting = make_learner("Wilma Waiting")
    services.enrolment_enrol(offering=paid_offering, learner=waiting, billing=PERSON_BILLING,
                             prerequisites_confirmed=True)
    client = signed_in(helsinki_registrar)
    overview = text_of(client.get("/en/provider/helsinki/enrolments/"))
    assert "Data protection in practice" in overview
    page = text_of(client.get(f"/en/provider/helsinki/enrolments/{paid_offering.pk}/"))
    assert "Ville Väänänen" in page and "Wilma Waiting" in page and "On the waiting list" in page
    assert "Konepaja Oy" in page  # the seats bought
    response = client.get(f"/en/provider/helsinki/enrolments/{paid_offering.pk}/enrolments.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {(r["learner_name"], r["state"]) for r in rows} == {("Ville Väänänen", "enrolled"),
                                                               ("Wilma Waiting", "waitlisted")}
    assert all(r["price"] == "290.00" and r["currency"] == "EUR" for r in rows)


def test_the_csv_export_defuses_spreadsheet_formulas(free_offering: Any, helsinki_registrar: Any) -> None:
    learner = make_learner("=HYPERLINK(\"http://evil.example\")")
    services.enrolment_enrol(offering=free_offering, learner=learner, prerequisites_confirmed=True)
    response = signed_in(helsinki_registrar).get(f"/en/provider/helsinki/enrolments/{free_offering.pk}/enrolments.csv")
    row = next(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert row["learner_name"].startswith("'=")


def test_another_universitys_staff_cannot_see_the_enrolments(free_offering: Any, aalto_admin: Any,
                                                             helsinki_designer: Any) -> None:
    enrolment = services.enrolment_enrol(offering=free_offering, learner=make_learner(), prerequisites_confirmed=True)
    aalto = signed_in(aalto_admin)
    for address in ("/en/provider/helsinki/enrolments/", f"/en/provider/helsinki/enrolments/{free_offering.pk}/",
                    f"/en/provider/helsinki/enrolments/{free_offering.pk}/enrolments.csv",
                    f"/en/provider/aalto/enrolments/{free_offering.pk}/",
                    f"/en/provider/aalto/enrolments/{free_offering.pk}/enrolments.csv"):
        assert aalto.get(address).status_code == 404, address
    assert aalto.post(f"/en/provider/aalto/enrolments/{free_offering.pk}/cancel/{enrolment.pk}/").status_code == 404
    # A designer of the same university does not manage enrolments either.
    assert signed_in(helsinki_designer).get("/en/provider/helsinki/enrolments/").status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.ENROLLED


def test_a_registrar_cancels_an_enrolment_and_the_waiting_list_moves(free_offering: Any,
                                                                      helsinki_registrar: Any) -> None:
    holders = [services.enrolment_enrol(offering=free_offering, learner=make_learner(), prerequisites_confirmed=True)
               for _ in range(3)]
    waiting = services.enrolment_enrol(offering=free_offering, learner=make_learner(), prerequisites_confirmed=True)
    response = signed_in(helsinki_registrar).post(
        f"/en/provider/helsinki/enrolments/{free_offering.pk}/cancel/{holders[0].pk}/", {"reason": "duplicate"},
        follow=True)
    assert "The enrolment is cancelled" in text_of(response)
    waiting.refresh_from_db()
    assert waiting.state == EnrolmentState.ENROLLED


def test_provider_admin_sets_the_invoicing_details(helsinki_admin: Any, helsinki_registrar: Any) -> None:
    client = signed_in(helsinki_admin)
    bad = client.post("/en/provider/helsinki/invoicing/", {"iban": "FI00 1234", "payment_term_days": "14"})
    assert bad.status_code == 400 and "Enter a valid IBAN" in text_of(bad)
    good = client.post("/en/provider/helsinki/invoicing/", {
        "street_address": "Yliopistonkatu 4", "postal_code": "00100", "city": "Helsinki",
        "iban": "FI21 1234 5600 0007 85", "bic": "NDEAFIHH", "payment_term_days": "21",
        "contact_email": "laskutus@helsinki.example"}, follow=True)
    assert "The invoicing details are saved." in text_of(good)
    assert signed_in(helsinki_registrar).get("/en/provider/helsinki/invoicing/").status_code == 404


def test_the_pages_speak_finnish(free_offering: Any) -> None:
    page = text_of(Client().get(f"/fi/enrol/{free_offering.pk}/"))
    assert "Ilmoittaudu" in page and "Hinta yksityishenkilöille" in page
    assert Decimal("0") == free_offering.price_individual


def test_list_pages_read_a_bounded_number_of_queries(version: Any, helsinki_admin: Any, helsinki_registrar: Any,
                                                     employer: Any, employer_admin: Any,
                                                     django_assert_max_num_queries: Any) -> None:
    offering = make_offering(version, helsinki_admin, seats=None, min_participants=None,
                             price_individual=Decimal("290.00"))
    learners = [make_learner() for _ in range(25)]
    for learner in learners:
        services.enrolment_enrol(offering=offering, learner=learner, billing=PERSON_BILLING,
                                 prerequisites_confirmed=True)
    purchase = services.purchase_create(offering=offering, organisation=employer, by=employer_admin, quantity=25,
                                        billing=ORGANISATION_BILLING)
    registrar = signed_in(helsinki_registrar)
    with django_assert_max_num_queries(14):
        staff_page = registrar.get(f"/en/provider/helsinki/enrolments/{offering.pk}/")
    assert text_of(staff_page).count("Cancel<span") == 25
    with django_assert_max_num_queries(8):
        csv_export = registrar.get(f"/en/provider/helsinki/enrolments/{offering.pk}/enrolments.csv")
    assert csv_export.content.decode("utf-8-sig").count("\n") == 26
    employer_client, learner_client = signed_in(employer_admin), signed_in(learners[0])
    with django_assert_max_num_queries(10):
        seats_page = employer_client.get(f"/en/organisation/konepaja/seats/{purchase.pk}/")
    assert text_of(seats_page).count("Not handed out") == 25
    with django_assert_max_num_queries(8):
        mine = learner_client.get("/en/enrol/mine/")
    assert "Data protection in practice" in text_of(mine)


def test_after_a_new_version_its_learners_still_follow_the_old_offering(free_offering: Any, helsinki_admin: Any) -> None:
    from osaamo.catalog.services import version_edit_or_new, version_publish

    learner = make_learner()
    services.enrolment_enrol(offering=free_offering, learner=learner, prerequisites_confirmed=True)
    draft = version_edit_or_new(micro_credential=free_offering.version.micro_credential, by=helsinki_admin)
    version_publish(version=draft, by=helsinki_admin)  # the offering's version is now retired
    page = text_of(signed_in(learner).get(f"/en/enrol/{free_offering.pk}/"))
    assert "Your enrolment" in page and "Enrolled" in page
    newcomer = signed_in(make_learner())
    assert "has replaced this offering, so it takes no new enrolments" in text_of(newcomer.get(f"/en/enrol/{free_offering.pk}/"))
    refused = newcomer.post(f"/en/enrol/{free_offering.pk}/", {"prerequisites_confirmed": "on"}, follow=True)
    assert "Enrolment for this offering is not open." in text_of(refused)
    assert Enrolment.objects.filter(offering=free_offering).count() == 1
