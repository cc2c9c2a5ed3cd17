"""Organisation seat purchases, and handing seats out: assignment links and single-use codes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from osaamo.audit.models import AuditEntry
from osaamo.catalog.services import offering_update
from osaamo.enrolment import services
from osaamo.enrolment.models import Enrolment, EnrolmentState, PaymentMethod, Seat, SeatState
from osaamo.enrolment.references import is_valid_finnish_reference
from osaamo.enrolment.selectors import offering_places
from osaamo.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.enrolment.conftest import make_learner, make_offering
from tests.factories import ORGANISATION_BILLING, PERSON_BILLING, make_user


def buy(offering: Any, organisation: Any, by: Any, quantity: int, **kwargs: Any) -> Any:
    kwargs.setdefault("billing", ORGANISATION_BILLING)
    return services.purchase_create(offering=offering, organisation=organisation, by=by, quantity=quantity, **kwargs)


@pytest.fixture
def big_offering(version: Any, helsinki_admin: Any) -> Any:
    return make_offering(version, helsinki_admin, seats=10, min_participants=2, price_individual=Decimal("290.00"),
                         price_organisation=Decimal("450.00"))


@pytest.fixture
def purchase(big_offering: Any, employer: Any, employer_admin: Any) -> Any:
    return buy(big_offering, employer, employer_admin, 5)


def redeem(secret: str, learner: Any, **kwargs: Any) -> Enrolment:
    kwargs.setdefault("prerequisites_confirmed", True)
    return services.seat_redeem(secret=secret, learner=learner, **kwargs)


# --- buying -----------------------------------------------------------------------------------------------


def test_buying_seats_records_the_organisation_price_and_invoices_it(big_offering: Any, employer: Any,
                                                                     employer_admin: Any, helsinki_admin: Any,
                                                                     committed: Any, mailoutbox: Any) -> None:
    with committed():
        purchase = buy(big_offering, employer, employer_admin, 5, language="sv")
    offering_update(offering=big_offering, by=helsinki_admin, data={"price_organisation": "600.00"})
    purchase.refresh_from_db()
    invoice = purchase.invoice
    assert (purchase.quantity, purchase.unit_price, purchase.total) == (5, Decimal("450.00"), Decimal("2250.00"))
    assert invoice.total == Decimal("2250.00") and invoice.language == "sv"
    assert invoice.buyer["business_id"] == "0112038-9" and invoice.buyer["your_reference"] == "PO-4711"
    assert invoice.lines[0]["quantity"] == 5 and invoice.lines[0]["unit_price"] == "450.00"
    assert invoice.seller["name"]["fi"] == "Helsingin yliopisto"
    assert is_valid_finnish_reference(invoice.reference)
    assert list(purchase.seats.values_list("number", "state")) == [(n, "unassigned") for n in range(1, 6)]
    assert AuditEntry.objects.filter(action="seat_purchase.created", target_id=str(purchase.pk)).exists()
    assert mailoutbox[-1].to == [employer_admin.email]
    assert mailoutbox[-1].subject == "You bought 5 seats: Data protection in practice"


def test_bought_seats_reserve_places(purchase: Any, big_offering: Any) -> None:
    places = offering_places(big_offering)
    assert (places.reserved_seats, places.left) == (5, 5)
    learners = [services.enrolment_enrol(offering=big_offering, learner=make_learner(), billing=PERSON_BILLING,
                                         prerequisites_confirmed=True) for _ in range(6)]
    assert [e.state for e in learners] == ["enrolled"] * 5 + ["waitlisted"]


def test_buying_more_seats_than_are_left_is_refused_clearly(big_offering: Any, employer: Any,
                                                            employer_admin: Any) -> None:
    buy(big_offering, employer, employer_admin, 8)
    with pytest.raises(Conflict) as refused:
        buy(big_offering, employer, employer_admin, 3)
    assert refused.value.code == "not_enough_places"
    assert str(refused.value.message) == "Only 2 places are left; you asked for 3."
    assert refused.value.details == {"places_left": 2}
    buy(big_offering, employer, employer_admin, 2)
    with pytest.raises(Conflict) as full:
        buy(big_offering, employer, employer_admin, 1)
    assert str(full.value.message) == "The offering is full: no places are left to buy."


def test_seats_cannot_be_bought_when_enrolment_is_closed(big_offering: Any, employer: Any,
                                                         employer_admin: Any) -> None:
    with pytest.raises(Conflict) as refused:
        buy(big_offering, employer, employer_admin, 1, now=big_offering.enrolment_closes + timedelta(minutes=1))
    assert refused.value.code == "enrolment_closed"


def test_an_offering_without_an_organisation_price_is_not_sold_to_organisations(
    version: Any, helsinki_admin: Any, employer: Any, employer_admin: Any
) -> None:
    offering = make_offering(version, helsinki_admin, price_organisation=None)
    with pytest.raises(Conflict) as refused:
        buy(offering, employer, employer_admin, 1)
    assert refused.value.code == "not_sold_to_organisations"


def test_only_the_employers_administrator_buys(big_offering: Any, employer: Any, other_employer_admin: Any,
                                               helsinki_admin: Any) -> None:
    member = make_user("matti.member@konepaja.example", "Matti Member", employer, "employer_member")
    for outsider in (member, other_employer_admin, helsinki_admin):
        with pytest.raises(PermissionDenied):
            buy(big_offering, employer, outsider, 1)


@pytest.mark.parametrize(("quantity", "message"), [(0, "between 1 and 1000"), (1001, "between 1 and 1000")])
def test_the_number_of_seats_is_checked(big_offering: Any, employer: Any, employer_admin: Any, quantity: int,
                                        message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        buy(big_offering, employer, employer_admin, quantity)
    assert message in refused.value.details["quantity"][0]


def test_billing_details_are_checked(big_offering: Any, employer: Any, employer_admin: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        buy(big_offering, employer, employer_admin, 1,
            billing={**ORGANISATION_BILLING, "business_id": "0112038-8", "street_address": "", "city": ""})
    assert refused.value.details["business_id"] == ["Enter a valid Finnish business ID (Y-tunnus), e.g. 0112038-9."]
    with pytest.raises(InvalidInput) as no_address:
        buy(big_offering, employer, employer_admin, 1, billing={**ORGANISATION_BILLING, "street_address": ""})
    assert "or an e-invoice address" in no_address.value.details["street_address"][0]
    e_invoice = {**ORGANISATION_BILLING, "street_address": "", "city": "", "postal_code": "",
                 "e_invoice_address": "003701120389", "e_invoice_operator": "E204503"}
    assert buy(big_offering, employer, employer_admin, 1, billing=e_invoice).invoice.buyer["e_invoice_address"]


# --- handing seats out -------------------------------------------------------------------------------------


def test_an_assigned_seat_is_redeemed_by_that_person(purchase: Any, employer_admin: Any, committed: Any,
                                                     mailoutbox: Any) -> None:
    seat = purchase.seats.get(number=1)
    with committed():
        services.seat_assign(seat=seat, email="Tiina.Tyontekija@Konepaja.example", by=employer_admin)
    seat.refresh_from_db()
    assert seat.state == SeatState.ASSIGNED and seat.assigned_email == "tiina.tyontekija@konepaja.example"
    mail = mailoutbox[-1]
    assert mail.to == ["tiina.tyontekija@konepaja.example"]
    assert mail.subject == "Konepaja Oy has a place for you: Data protection in practice"
    link = f"/en/enrol/seat/{seat.secret}/"
    assert link in mail.body
    employee = make_user("tiina.tyontekija@konepaja.example", "Tiina Työntekijä")
    with committed():
        enrolment = redeem(seat.secret, employee)
    seat.refresh_from_db()
    assert enrolment.state == EnrolmentState.ENROLLED and enrolment.payment_method == PaymentMethod.EMPLOYER_SEAT
    assert (enrolment.price, enrolment.seat) == (Decimal("450.00"), seat)
    assert seat.state == SeatState.REDEEMED and seat.redeemed_at is not None
    assert "Your employer Konepaja Oy pays for your place." in mailoutbox[-1].body
    # The seat's place became the enrolment's place: nothing more is taken.
    assert offering_places(purchase.offering).left == 5


def test_an_assigned_seat_is_not_for_anyone_else(purchase: Any, employer_admin: Any) -> None:
    seat = services.seat_assign(seat=purchase.seats.get(number=1), email="tiina@konepaja.example", by=employer_admin)
    with pytest.raises(PermissionDenied) as refused:
        redeem(seat.secret, make_learner())
    assert refused.value.code == "seat_for_someone_else"
    assert "reserved for tiina@konepaja.example" in str(refused.value.message)


def test_a_code_is_single_use(purchase: Any, employer_admin: Any) -> None:
    seat = services.seat_issue_code(seat=purchase.seats.get(number=2), by=employer_admin)
    code = seat.code_display
    assert len(seat.secret) == 16 and code.count("-") == 3
    first = redeem(code.lower(), make_learner())  # typed in any case, with the dashes
    assert first.state == EnrolmentState.ENROLLED
    with pytest.raises(Conflict) as again:
        redeem(seat.secret, make_learner())
    assert again.value.code == "seat_used"
    assert Enrolment.objects.filter(seat=seat).count() == 1


def test_a_wrong_code_is_not_found(purchase: Any) -> None:
    with pytest.raises(NotFound) as refused:
        redeem("AAAA-BBBB-CCCC-DDDD", make_learner())
    assert "not valid" in str(refused.value.message)


def test_reassigning_kills_the_old_link(purchase: Any, employer_admin: Any) -> None:
    seat = services.seat_assign(seat=purchase.seats.get(number=1), email="first@konepaja.example", by=employer_admin)
    old_secret = seat.secret
    seat = services.seat_assign(seat=seat, email="second@konepaja.example", by=employer_admin)
    assert seat.secret != old_secret
    first = make_user("first@konepaja.example", "First")
    with pytest.raises(NotFound):
        redeem(old_secret, first)
    assert redeem(seat.secret, make_user("second@konepaja.example", "Second")).state == EnrolmentState.ENROLLED
    assert list(AuditEntry.objects.filter(target_id=str(seat.pk), target_type="enrolment.seat")
                .order_by("id").values_list("action", flat=True)) == ["seat.assigned", "seat.reassigned",
                                                                      "seat.redeemed"]


def test_revoking_a_code_kills_it_and_frees_the_seat_for_the_employer(purchase: Any, employer_admin: Any) -> None:
    seat = services.seat_issue_code(seat=purchase.seats.get(number=3), by=employer_admin)
    code = seat.secret
    seat = services.seat_revoke(seat=seat, by=employer_admin)
    assert (seat.state, seat.secret) == (SeatState.UNASSIGNED, None)
    with pytest.raises(NotFound):
        redeem(code, make_learner())
    # The place stays the employer's.
    assert offering_places(purchase.offering).reserved_seats == 5


def test_a_used_seat_cannot_be_reassigned_or_revoked(purchase: Any, employer_admin: Any) -> None:
    seat = services.seat_issue_code(seat=purchase.seats.get(number=1), by=employer_admin)
    redeem(seat.secret, make_learner())
    for action in (lambda: services.seat_assign(seat=seat, email="x@konepaja.example", by=employer_admin),
                   lambda: services.seat_issue_code(seat=seat, by=employer_admin),
                   lambda: services.seat_revoke(seat=seat, by=employer_admin)):
        with pytest.raises(Conflict) as refused:
            action()
        assert refused.value.code == "seat_in_use"


def test_seats_can_be_handed_out_only_until_enrolment_closes(purchase: Any, employer_admin: Any) -> None:
    seat = services.seat_issue_code(seat=purchase.seats.get(number=1), by=employer_admin)
    after_close = purchase.offering.enrolment_closes + timedelta(seconds=1)
    for action in (lambda: services.seat_assign(seat=seat, email="x@konepaja.example", by=employer_admin,
                                                now=after_close),
                   lambda: services.seat_issue_code(seat=seat, by=employer_admin, now=after_close),
                   lambda: services.seat_revoke(seat=seat, by=employer_admin, now=after_close)):
        with pytest.raises(Conflict) as refused:
            action()
        assert refused.value.code == "seats_closed"
    with pytest.raises(Conflict) as late:
        redeem(seat.secret, make_learner(), now=after_close)
    assert late.value.code == "enrolment_closed"


def test_another_employer_cannot_touch_the_seats(purchase: Any, other_employer_admin: Any) -> None:
    seat = purchase.seats.get(number=1)
    with pytest.raises(PermissionDenied):
        services.seat_assign(seat=seat, email="x@sahatehdas.example", by=other_employer_admin)
    with pytest.raises(PermissionDenied):
        services.seat_issue_code(seat=seat, by=other_employer_admin)


def test_one_person_gets_one_seat(purchase: Any, employer_admin: Any) -> None:
    services.seat_assign(seat=purchase.seats.get(number=1), email="tiina@konepaja.example", by=employer_admin)
    with pytest.raises(Conflict) as refused:
        services.seat_assign(seat=purchase.seats.get(number=2), email="tiina@konepaja.example", by=employer_admin)
    assert refused.value.code == "already_has_seat"


def test_prerequisites_must_be_confirmed_when_redeeming(purchase: Any, employer_admin: Any) -> None:
    seat = services.seat_issue_code(seat=purchase.seats.get(number=1), by=employer_admin)
    with pytest.raises(InvalidInput):
        redeem(seat.secret, make_learner(), prerequisites_confirmed=False)
    seat.refresh_from_db()
    assert seat.state == SeatState.CODE


def test_a_seat_takes_a_learner_off_the_waiting_list(big_offering: Any, employer: Any, employer_admin: Any) -> None:
    purchase = buy(big_offering, employer, employer_admin, 10)
    waiting_learner = make_learner()
    waiting = services.enrolment_enrol(offering=big_offering, learner=waiting_learner, billing=PERSON_BILLING,
                                       prerequisites_confirmed=True)
    assert waiting.state == EnrolmentState.WAITLISTED
    seat = services.seat_issue_code(seat=purchase.seats.get(number=1), by=employer_admin)
    enrolment = redeem(seat.secret, waiting_learner)
    assert enrolment.pk == waiting.pk and enrolment.state == EnrolmentState.ENROLLED
    assert enrolment.payment_method == PaymentMethod.EMPLOYER_SEAT and enrolment.invoice is None


def test_an_enrolled_learner_cannot_take_a_seat_too(purchase: Any, employer_admin: Any) -> None:
    learner = make_learner()
    services.enrolment_enrol(offering=purchase.offering, learner=learner, billing=PERSON_BILLING,
                             prerequisites_confirmed=True)
    seat = services.seat_issue_code(seat=purchase.seats.get(number=1), by=employer_admin)
    with pytest.raises(Conflict) as refused:
        redeem(seat.secret, learner)
    assert refused.value.code == "already_enrolled"
    seat.refresh_from_db()
    assert seat.state == SeatState.CODE


def test_an_employee_who_cancels_gives_the_seat_back_to_the_employer(purchase: Any, employer_admin: Any) -> None:
    offering = purchase.offering
    # Fill the offering: 5 seats bought, 5 individual places taken, one on the waiting list.
    for _ in range(5):
        services.enrolment_enrol(offering=offering, learner=make_learner(), billing=PERSON_BILLING,
                                 prerequisites_confirmed=True)
    waiting = services.enrolment_enrol(offering=offering, learner=make_learner(), billing=PERSON_BILLING,
                                       prerequisites_confirmed=True)
    seat = services.seat_assign(seat=purchase.seats.get(number=4), email="tiina@konepaja.example", by=employer_admin)
    employee = make_user("tiina@konepaja.example", "Tiina")
    enrolment = redeem(seat.secret, employee)
    services.enrolment_cancel(enrolment=enrolment, by=employee)
    seat.refresh_from_db()
    waiting.refresh_from_db()
    assert (seat.state, seat.secret, seat.assigned_email) == (SeatState.UNASSIGNED, None, "")
    assert waiting.state == EnrolmentState.WAITLISTED  # the place is the employer's, not the waiting list's
    # … and the employer can hand it out again while enrolment is open.
    again = services.seat_issue_code(seat=seat, by=employer_admin)
    assert redeem(again.secret, make_learner()).seat == seat
    assert Seat.objects.get(pk=seat.pk).state == SeatState.REDEEMED


def test_the_invoice_due_date_follows_the_providers_payment_term(big_offering: Any, employer: Any,
                                                                 employer_admin: Any, helsinki: Any,
                                                                 helsinki_admin: Any) -> None:
    services.invoicing_details_update(provider=helsinki, by=helsinki_admin, data={
        "street_address": "Yliopistonkatu 4", "postal_code": "00100", "city": "Helsinki",
        "iban": "FI21 1234 5600 0007 85", "bic": "NDEAFIHH", "payment_term_days": 30,
        "contact_email": "laskutus@helsinki.example",
    })
    invoice = buy(big_offering, employer, employer_admin, 1).invoice
    assert invoice.due_on - invoice.issued_on == timedelta(days=30)
    assert invoice.seller["iban"] == "FI2112345600000785" and invoice.seller["street_address"] == "Yliopistonkatu 4"
    assert invoice.issued_on == timezone.localdate()


def test_invoicing_details_are_the_provider_administrators_and_need_a_valid_iban(helsinki: Any,
                                                                                  helsinki_admin: Any,
                                                                                  helsinki_registrar: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.invoicing_details_update(provider=helsinki, by=helsinki_registrar, data={"city": "Espoo"})
    with pytest.raises(InvalidInput) as refused:
        services.invoicing_details_update(provider=helsinki, by=helsinki_admin, data={"iban": "FI21 1234 5600 0007 86"})
    assert "valid IBAN" in refused.value.details["iban"][0]
