"""The enrolment API: a learner's own enrolments (session), provider staff's lists (token), one error shape."""

from __future__ import annotations

from typing import Any

import pytest

from osaamo.enrolment import services
from osaamo.enrolment.references import is_valid_rf_reference
from tests.api.conftest import ApiClient, assert_error, make_token
from tests.enrolment.conftest import make_learner
from tests.factories import ORGANISATION_BILLING, PERSON_BILLING


def session_client(user: Any) -> ApiClient:
    client = ApiClient()
    client.client.force_login(user)
    return client


@pytest.fixture
def enrolments(paid_offering: Any, employer: Any, employer_admin: Any) -> dict[str, Any]:
    """One invoiced learner, one on a seat, one waiting: the offering (3 places) is then full."""
    invoiced = services.enrolment_enrol(offering=paid_offering, learner=make_learner("Ilona Invoice"),
                                        billing=PERSON_BILLING, prerequisites_confirmed=True)
    purchase = services.purchase_create(offering=paid_offering, organisation=employer, by=employer_admin,
                                        quantity=2, billing=ORGANISATION_BILLING)
    seat = services.seat_issue_code(seat=purchase.seats.first(), by=employer_admin)
    seated = services.seat_redeem(secret=seat.secret, learner=make_learner("Seppo Seat"), prerequisites_confirmed=True)
    waiting = services.enrolment_enrol(offering=paid_offering, learner=make_learner("Wilma Waiting"),
                                       billing=PERSON_BILLING, prerequisites_confirmed=True)
    return {"invoiced": invoiced, "seated": seated, "waiting": waiting}


def test_a_learner_reads_their_own_enrolments(enrolments: dict[str, Any]) -> None:
    invoiced = enrolments["invoiced"]
    response = session_client(invoiced.learner).get("/me/enrolments")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["id"], item["state"], item["payment_method"], item["price"], item["currency"]) == (
        invoiced.pk, "enrolled", "invoice", "290.00", "EUR")
    assert item["offering"]["title"]["fi"] == "Tietosuoja käytännön työssä"
    assert item["offering"]["provider"] == "helsinki" and item["organisation"] is None
    invoice = item["invoice"]
    assert invoice["number"] == invoiced.invoice.number and invoice["state"] == "open"
    assert is_valid_rf_reference(invoice["rf_reference"]) and invoice["rf_reference"].endswith(invoice["reference"])


def test_a_seat_shows_the_paying_organisation(enrolments: dict[str, Any]) -> None:
    item = session_client(enrolments["seated"].learner).get("/me/enrolments").json()["items"][0]
    assert (item["payment_method"], item["organisation"], item["invoice"]) == ("employer_seat", "konepaja", None)


def test_the_learner_list_filters_by_state(enrolments: dict[str, Any]) -> None:
    client = session_client(enrolments["waiting"].learner)
    assert client.get("/me/enrolments", {"state": "waitlisted"}).json()["count"] == 1
    assert client.get("/me/enrolments", {"state": "enrolled"}).json()["count"] == 0
    error = assert_error(client.get("/me/enrolments", {"state": "lost"}), 422, "invalid_input")
    assert "query.state" in error["details"]


def test_without_signing_in_the_learner_list_is_401(db: Any) -> None:
    error = assert_error(ApiClient().get("/me/enrolments"), 401, "authentication_required")
    assert "Sign in on the website first" in error["message"]
    finnish = assert_error(ApiClient(language="fi").get("/me/enrolments"), 401, "authentication_required")
    assert finnish["message"] != error["message"]


def test_registrars_list_the_enrolments_of_their_offering(enrolments: dict[str, Any], paid_offering: Any,
                                                          helsinki: Any, helsinki_registrar: Any) -> None:
    client = ApiClient(make_token(helsinki_registrar, helsinki))
    body = client.get(f"/manage/offerings/{paid_offering.pk}/enrolments").json()
    assert body["count"] == 3
    by_name = {item["learner"]["full_name"]: item for item in body["items"]}
    assert by_name["Wilma Waiting"]["state"] == "waitlisted" and by_name["Wilma Waiting"]["invoice"] is None
    assert by_name["Seppo Seat"]["organisation"] == "konepaja"
    waiting_only = client.get(f"/manage/offerings/{paid_offering.pk}/enrolments", {"state": "waitlisted"}).json()
    assert [i["learner"]["full_name"] for i in waiting_only["items"]] == ["Wilma Waiting"]
    places = client.get(f"/manage/offerings/{paid_offering.pk}/places").json()
    assert places == {"capacity": 3, "enrolled": 2, "reserved_seats": 1, "left": 0, "waitlisted": 1,
                      "interested": 0}


def test_another_university_gets_404_and_a_designer_403(enrolments: dict[str, Any], paid_offering: Any, aalto: Any,
                                                        aalto_admin: Any, helsinki: Any,
                                                        helsinki_designer: Any) -> None:
    aalto_client = ApiClient(make_token(aalto_admin, aalto))
    assert_error(aalto_client.get(f"/manage/offerings/{paid_offering.pk}/enrolments"), 404, "not_found")
    assert_error(aalto_client.get(f"/manage/offerings/{paid_offering.pk}/places"), 404, "not_found")
    assert_error(aalto_client.get("/manage/offerings/99999999/enrolments"), 404, "not_found")
    designer = ApiClient(make_token(helsinki_designer, helsinki))
    assert_error(designer.get(f"/manage/offerings/{paid_offering.pk}/enrolments"), 403, "permission_denied")


def test_staff_operations_need_a_token(paid_offering: Any) -> None:
    assert_error(ApiClient().get(f"/manage/offerings/{paid_offering.pk}/enrolments"), 401, "authentication_required")
    assert_error(ApiClient("osm_not-a-real-token").get(f"/manage/offerings/{paid_offering.pk}/places"), 401,
                 "invalid_token")


def test_an_employer_token_is_not_a_provider(paid_offering: Any, employer: Any, employer_admin: Any) -> None:
    client = ApiClient(make_token(employer_admin, employer))
    assert_error(client.get(f"/manage/offerings/{paid_offering.pk}/enrolments"), 403, "permission_denied")
