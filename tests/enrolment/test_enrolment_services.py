"""Learners' enrolment through the services: every state transition and rule."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from osaamo.audit.models import AuditEntry
from osaamo.catalog.services import offering_cancel, offering_update
from osaamo.enrolment import services
from osaamo.enrolment.models import Enrolment, EnrolmentState, InvoiceState, PaymentMethod
from osaamo.enrolment.references import is_valid_finnish_reference
from osaamo.enrolment.selectors import offering_places, waitlist_position
from osaamo.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.enrolment.conftest import closed_window, make_learner, make_offering
from tests.factories import PERSON_BILLING


def enrol(offering: Any, learner: Any, **kwargs: Any) -> Enrolment:
    kwargs.setdefault("prerequisites_confirmed", True)
    if not offering.is_free:
        kwargs.setdefault("billing", PERSON_BILLING)
    return services.enrolment_enrol(offering=offering, learner=learner, **kwargs)


def audit_actions(target: Any) -> list[str]:
    return list(
        AuditEntry.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk))
        .order_by("id").values_list("action", flat=True)
    )


# --- enrolling ----------------------------------------------------------------------------------------


def test_enrolling_in_a_free_offering_takes_a_place_and_records_the_price(free_offering: Any, committed: Any,
                                                                           mailoutbox: Any) -> None:
    learner = make_learner("Liisa Learner")
    with committed():
        enrolment = enrol(free_offering, learner)
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.ENROLLED
    assert (enrolment.payment_method, enrolment.price, enrolment.currency) == ("free", Decimal("0.00"), "EUR")
    assert enrolment.enrolled_at is not None and enrolment.invoice is None
    assert enrolment.prerequisites_confirmed_at is not None
    assert audit_actions(enrolment) == ["enrolment.enrolled"]
    assert offering_places(free_offering).left == 2
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [learner.email]
    assert mailoutbox[0].subject == "You are enrolled: Data protection in practice"
    assert "Price: free of charge." in mailoutbox[0].body


def test_a_full_offering_puts_the_next_learners_on_the_waiting_list_in_order(free_offering: Any, committed: Any,
                                                                              mailoutbox: Any) -> None:
    enrolled = [enrol(free_offering, make_learner()) for _ in range(3)]
    with committed():
        first = enrol(free_offering, make_learner())
    second = enrol(free_offering, make_learner())
    assert [e.state for e in enrolled] == ["enrolled"] * 3
    assert (first.state, second.state) == ("waitlisted", "waitlisted")
    assert (waitlist_position(first), waitlist_position(second)) == (1, 2)
    assert offering_places(free_offering).waitlisted == 2
    assert mailoutbox[-1].subject == "You are on the waiting list: Data protection in practice"
    assert audit_actions(first) == ["enrolment.waitlisted"]


def test_cancelling_a_place_promotes_the_first_on_the_waiting_list_at_once(free_offering: Any, committed: Any,
                                                                           mailoutbox: Any) -> None:
    holders = [enrol(free_offering, make_learner()) for _ in range(3)]
    first_in_line = enrol(free_offering, make_learner("First Inline"))
    second_in_line = enrol(free_offering, make_learner())
    with committed():
        services.enrolment_cancel(enrolment=holders[1], by=holders[1].learner)
    first_in_line.refresh_from_db()
    second_in_line.refresh_from_db()
    assert first_in_line.state == EnrolmentState.ENROLLED and first_in_line.enrolled_at is not None
    assert second_in_line.state == EnrolmentState.WAITLISTED and waitlist_position(second_in_line) == 1
    assert audit_actions(first_in_line) == ["enrolment.waitlisted", "enrolment.promoted"]
    subjects = {m.to[0]: m.subject for m in mailoutbox}
    assert subjects[first_in_line.learner.email] == "A place opened up: you are enrolled in Data protection in practice"
    assert subjects[holders[1].learner.email] == "Your enrolment is cancelled: Data protection in practice"
    assert offering_places(free_offering).left == 0


def test_cancelling_a_waiting_list_place_promotes_nobody(free_offering: Any) -> None:
    for _ in range(3):
        enrol(free_offering, make_learner())
    waiting = enrol(free_offering, make_learner())
    behind = enrol(free_offering, make_learner())
    services.enrolment_cancel(enrolment=waiting, by=waiting.learner)
    behind.refresh_from_db()
    assert behind.state == EnrolmentState.WAITLISTED and waitlist_position(behind) == 1


def test_an_offering_without_a_limit_never_has_a_waiting_list(version: Any, helsinki_admin: Any) -> None:
    offering = make_offering(version, helsinki_admin, seats=None, min_participants=None)
    states = {enrol(offering, make_learner()).state for _ in range(5)}
    assert states == {EnrolmentState.ENROLLED}
    assert offering_places(offering).left is None


def test_more_seats_on_the_offering_let_the_waiting_list_in(free_offering: Any, helsinki_admin: Any) -> None:
    for _ in range(3):
        enrol(free_offering, make_learner())
    waiting = [enrol(free_offering, make_learner()) for _ in range(3)]
    offering_update(offering=free_offering, by=helsinki_admin, data={"seats": 5})
    promoted = services.offering_fill_waitlist(offering=free_offering, by=helsinki_admin)
    assert [e.pk for e in promoted] == [waiting[0].pk, waiting[1].pk]
    waiting[2].refresh_from_db()
    assert waiting[2].state == EnrolmentState.WAITLISTED


# --- the enrolment window -----------------------------------------------------------------------------


def test_enrolment_is_refused_before_the_window_opens(version: Any, helsinki_admin: Any) -> None:
    now = timezone.now()
    offering = make_offering(version, helsinki_admin, enrolment_opens=(now + timedelta(days=2)).isoformat())
    with pytest.raises(Conflict) as refused:
        enrol(offering, make_learner())
    assert refused.value.code == "enrolment_not_open"
    assert str(refused.value.message) == "Enrolment has not opened yet."
    assert not Enrolment.objects.exists()


def test_enrolment_is_refused_after_the_window_closes(version: Any, helsinki_admin: Any) -> None:
    offering = make_offering(version, helsinki_admin, **closed_window())
    with pytest.raises(Conflict) as refused:
        enrol(offering, make_learner())
    assert refused.value.code == "enrolment_closed"


def test_enrolment_closes_exactly_at_the_closing_time(free_offering: Any) -> None:
    learner = make_learner()
    with pytest.raises(Conflict):
        enrol(free_offering, learner, now=free_offering.enrolment_closes)
    enrolment = enrol(free_offering, learner, now=free_offering.enrolment_closes - timedelta(seconds=1))
    assert enrolment.state == EnrolmentState.ENROLLED


def test_a_cancelled_offering_takes_no_enrolments(free_offering: Any, helsinki_admin: Any) -> None:
    offering_cancel(offering=free_offering, by=helsinki_admin)
    with pytest.raises(Conflict) as refused:
        enrol(free_offering, make_learner())
    assert refused.value.code == "offering_cancelled"


# --- prerequisites ------------------------------------------------------------------------------------


def test_stated_prerequisites_must_be_confirmed(free_offering: Any) -> None:
    learner = make_learner()
    with pytest.raises(InvalidInput) as refused:
        enrol(free_offering, learner, prerequisites_confirmed=False)
    assert refused.value.code == "prerequisites_not_confirmed"
    assert "prerequisites_confirmed" in refused.value.details
    assert not Enrolment.objects.exists()


def test_no_confirmation_is_asked_when_no_prerequisites_are_stated(version_without_prerequisites: Any,
                                                                   helsinki_admin: Any) -> None:
    offering = make_offering(version_without_prerequisites, helsinki_admin)
    enrolment = enrol(offering, make_learner(), prerequisites_confirmed=False)
    assert enrolment.state == EnrolmentState.ENROLLED
    assert enrolment.prerequisites_confirmed_at is None


# --- one active enrolment -------------------------------------------------------------------------------


def test_a_second_enrolment_of_the_same_learner_is_refused(free_offering: Any) -> None:
    learner = make_learner()
    enrol(free_offering, learner)
    with pytest.raises(Conflict) as refused:
        enrol(free_offering, learner)
    assert refused.value.code == "already_enrolled"
    assert Enrolment.objects.filter(learner=learner).count() == 1


def test_the_database_holds_one_active_enrolment_per_learner_and_offering(free_offering: Any) -> None:
    learner = make_learner()
    enrol(free_offering, learner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(offering=free_offering, learner=learner, state=EnrolmentState.WAITLISTED)
    # A cancelled one does not count: the learner may enrol again after cancelling.
    Enrolment.objects.filter(learner=learner).update(state=EnrolmentState.CANCELLED)
    assert enrol(free_offering, learner).state == EnrolmentState.ENROLLED


def test_a_learner_who_cancelled_may_enrol_again(free_offering: Any) -> None:
    learner = make_learner()
    first = enrol(free_offering, learner)
    services.enrolment_cancel(enrolment=first, by=learner)
    again = enrol(free_offering, learner)
    assert again.pk != first.pk and again.state == EnrolmentState.ENROLLED


# --- payment ---------------------------------------------------------------------------------------------


def test_a_paid_enrolment_is_invoiced_at_the_price_of_the_moment(paid_offering: Any, helsinki_admin: Any,
                                                                 committed: Any, mailoutbox: Any) -> None:
    learner = make_learner()
    with committed():
        enrolment = enrol(paid_offering, learner)
    offering_update(offering=paid_offering, by=helsinki_admin, data={"price_individual": "350.00"})
    enrolment.refresh_from_db()
    invoice = enrolment.invoice
    assert (enrolment.payment_method, enrolment.price) == (PaymentMethod.INVOICE, Decimal("290.00"))
    assert invoice is not None and invoice.total == Decimal("290.00") and invoice.state == InvoiceState.OPEN
    assert invoice.buyer["name"] == PERSON_BILLING["name"] and invoice.provider == paid_offering.version.provider
    assert is_valid_finnish_reference(invoice.reference) and invoice.reference.startswith(invoice.number)
    assert invoice.due_on == invoice.issued_on + timedelta(days=14)
    assert f"Your invoice {invoice.number} is due on" in mailoutbox[-1].body


def test_a_paid_enrolment_needs_billing_details(paid_offering: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        enrol(paid_offering, make_learner(), billing={"name": "Liisa", "email": "not-an-address"})
    details = refused.value.details
    assert details["street_address"] == ["This field is required."]
    assert details["email"] == ["Enter a valid email address."]
    assert not Enrolment.objects.exists()


def test_card_payment_and_seats_are_not_enrolment_payment_methods(paid_offering: Any, free_offering: Any) -> None:
    with pytest.raises(InvalidInput) as card:
        enrol(paid_offering, make_learner(), payment_method="card")
    assert "card payment is not available" in card.value.details["payment_method"][0]
    with pytest.raises(InvalidInput) as seat:
        enrol(paid_offering, make_learner(), payment_method="employer_seat")
    assert "open the link or enter the code" in seat.value.details["payment_method"][0]
    with pytest.raises(InvalidInput):
        enrol(free_offering, make_learner(), payment_method="invoice")


def test_a_waitlisted_paid_enrolment_is_invoiced_only_when_it_gets_a_place(paid_offering: Any) -> None:
    holders = [enrol(paid_offering, make_learner()) for _ in range(3)]
    waiting = enrol(paid_offering, make_learner())
    assert waiting.state == EnrolmentState.WAITLISTED and waiting.invoice is None
    services.enrolment_cancel(enrolment=holders[0], by=holders[0].learner)
    waiting.refresh_from_db()
    assert waiting.state == EnrolmentState.ENROLLED
    assert waiting.invoice is not None and waiting.invoice.total == Decimal("290.00")


def test_cancelling_credits_the_invoice(paid_offering: Any, committed: Any, mailoutbox: Any) -> None:
    learner = make_learner()
    enrolment = enrol(paid_offering, learner)
    with committed():
        services.enrolment_cancel(enrolment=enrolment, by=learner)
    enrolment.refresh_from_db()
    assert enrolment.invoice is not None
    assert enrolment.invoice.state == InvoiceState.CREDITED and enrolment.invoice.credited_at is not None
    assert audit_actions(enrolment.invoice) == ["invoice.issued", "invoice.credited"]
    assert f"Invoice {enrolment.invoice.number} is credited in full" in mailoutbox[-1].body


# --- cancelling --------------------------------------------------------------------------------------------


def test_a_learner_can_cancel_until_the_day_before_the_start(free_offering: Any) -> None:
    learner = make_learner()
    enrolment = enrol(free_offering, learner)
    day_before = timezone.make_aware(
        timezone.datetime.combine(free_offering.start_date - timedelta(days=1), timezone.datetime.min.time())
    ) + timedelta(hours=23)
    assert services.can_cancel(enrolment, by=learner, now=day_before)
    with time_machine.travel(day_before + timedelta(hours=1), tick=False):
        assert not services.can_cancel(enrolment, by=learner)
        with pytest.raises(Conflict) as refused:
            services.enrolment_cancel(enrolment=enrolment, by=learner)
    assert refused.value.code == "cancel_closed"
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.ENROLLED


def test_the_providers_registrar_can_cancel_after_the_start(free_offering: Any, helsinki_registrar: Any,
                                                            committed: Any, mailoutbox: Any) -> None:
    enrolment = enrol(free_offering, make_learner())
    after_start = timezone.now() + timedelta(days=40)
    with committed():
        services.enrolment_cancel(enrolment=enrolment, by=helsinki_registrar, reason="moved abroad", now=after_start)
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.CANCELLED
    entry = AuditEntry.objects.get(action="enrolment.cancelled", target_id=str(enrolment.pk))
    assert entry.actor == helsinki_registrar and entry.data["reason"] == "moved abroad" and entry.data["by_staff"]
    assert "The university has cancelled your enrolment" in mailoutbox[-1].body


def test_nobody_else_can_cancel_someone_elses_enrolment(free_offering: Any, aalto_admin: Any,
                                                         helsinki_designer: Any) -> None:
    enrolment = enrol(free_offering, make_learner())
    for outsider in (make_learner(), aalto_admin, helsinki_designer):
        with pytest.raises(NotFound):
            services.enrolment_cancel(enrolment=enrolment, by=outsider)
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.ENROLLED


def test_cancelling_twice_is_refused(free_offering: Any) -> None:
    learner = make_learner()
    enrolment = enrol(free_offering, learner)
    services.enrolment_cancel(enrolment=enrolment, by=learner)
    with pytest.raises(Conflict) as refused:
        services.enrolment_cancel(enrolment=enrolment, by=learner)
    assert refused.value.code == "already_cancelled"


# --- interest ------------------------------------------------------------------------------------------------


def test_registering_interest_takes_no_place(free_offering: Any, committed: Any, mailoutbox: Any) -> None:
    learner = make_learner()
    with committed():
        interest = services.enrolment_register_interest(offering=free_offering, learner=learner)
    assert interest.state == EnrolmentState.INTERESTED
    assert interest.payment_method == "" and interest.price is None
    places = offering_places(free_offering)
    assert (places.left, places.interested) == (3, 1)
    assert mailoutbox[-1].subject == "Your interest is registered: Data protection in practice"
    # Asking again changes nothing.
    assert services.enrolment_register_interest(offering=free_offering, learner=learner).pk == interest.pk
    assert Enrolment.objects.count() == 1


def test_interest_is_possible_outside_the_window_and_becomes_the_enrolment(version: Any,
                                                                           helsinki_admin: Any) -> None:
    now = timezone.now()
    offering = make_offering(version, helsinki_admin, enrolment_opens=(now + timedelta(days=1)).isoformat())
    learner = make_learner()
    interest = services.enrolment_register_interest(offering=offering, learner=learner)
    enrolment = enrol(offering, learner, now=now + timedelta(days=2))
    assert enrolment.pk == interest.pk and enrolment.state == EnrolmentState.ENROLLED
    assert audit_actions(enrolment) == ["enrolment.interested", "enrolment.enrolled"]


def test_interest_is_refused_once_the_offering_has_started(free_offering: Any) -> None:
    with pytest.raises(Conflict) as refused:
        services.enrolment_register_interest(offering=free_offering, learner=make_learner(),
                                             now=timezone.now() + timedelta(days=31))
    assert refused.value.code == "offering_started"


def test_an_enrolled_learner_cannot_step_back_to_interest(free_offering: Any) -> None:
    learner = make_learner()
    enrol(free_offering, learner)
    with pytest.raises(Conflict):
        services.enrolment_register_interest(offering=free_offering, learner=learner)


def test_interest_can_be_withdrawn(free_offering: Any) -> None:
    learner = make_learner()
    interest = services.enrolment_register_interest(offering=free_offering, learner=learner)
    assert services.enrolment_cancel(enrolment=interest, by=learner).state == EnrolmentState.CANCELLED


# --- results (the assessment hook) ----------------------------------------------------------------------------


def test_a_result_completes_or_fails_an_enrolment(free_offering: Any, helsinki_registrar: Any) -> None:
    passed = enrol(free_offering, make_learner())
    failed = enrol(free_offering, make_learner())
    services.enrolment_record_result(enrolment=passed, passed=True, by=helsinki_registrar)
    services.enrolment_record_result(enrolment=failed, passed=False, by=helsinki_registrar)
    passed.refresh_from_db()
    failed.refresh_from_db()
    assert (passed.state, failed.state) == (EnrolmentState.COMPLETED, EnrolmentState.FAILED)
    assert audit_actions(passed)[-1] == "enrolment.completed"
    # Completed and failed learners still hold their places, and cannot cancel.
    assert offering_places(free_offering).enrolled == 2
    with pytest.raises(Conflict):
        services.enrolment_cancel(enrolment=passed, by=passed.learner)
    # A result can be corrected.
    services.enrolment_record_result(enrolment=failed, passed=True, by=helsinki_registrar)
    failed.refresh_from_db()
    assert failed.state == EnrolmentState.COMPLETED


def test_only_enrolled_learners_get_results_and_only_from_the_provider(free_offering: Any, aalto_admin: Any,
                                                                        helsinki_registrar: Any) -> None:
    for _ in range(3):
        enrol(free_offering, make_learner())
    waiting = enrol(free_offering, make_learner())
    with pytest.raises(Conflict):
        services.enrolment_record_result(enrolment=waiting, passed=True, by=helsinki_registrar)
    holder = Enrolment.objects.filter(state=EnrolmentState.ENROLLED).first()
    assert holder is not None
    with pytest.raises(PermissionDenied):
        services.enrolment_record_result(enrolment=holder, passed=True, by=aalto_admin)


# --- mail in the learner's language ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "enrolled", "cancelled"),
    [
        ("fi", "Olet ilmoittautunut: Tietosuoja käytännön työssä", "Ilmoittautumisesi on peruttu: Tietosuoja käytännön työssä"),
        ("sv", "Du är anmäld: Dataskydd i praktiskt arbete", "Din anmälan har annullerats: Dataskydd i praktiskt arbete"),
    ],
)
def test_mail_speaks_the_learners_language(free_offering: Any, committed: Any, mailoutbox: Any, language: str,
                                           enrolled: str, cancelled: str) -> None:
    learner = make_learner(language=language)
    with committed():
        enrolment = enrol(free_offering, learner)
    with committed():
        services.enrolment_cancel(enrolment=enrolment, by=learner)
    assert [m.subject for m in mailoutbox] == [enrolled, cancelled]
    assert f"/{language}/enrol/mine/" in mailoutbox[0].body
    assert "Your enrolments" not in mailoutbox[0].body


def test_waitlist_and_promotion_mail_speak_each_learners_language(free_offering: Any, committed: Any,
                                                                  mailoutbox: Any) -> None:
    holders = [enrol(free_offering, make_learner()) for _ in range(3)]
    swede = make_learner(language="sv")
    with committed():
        enrol(free_offering, swede)
    assert mailoutbox[-1].subject == "Du står på väntelistan: Dataskydd i praktiskt arbete"
    with committed():
        services.enrolment_cancel(enrolment=holders[0], by=holders[0].learner)
    assert [m.subject for m in mailoutbox if m.to == [swede.email]] == [
        "Du står på väntelistan: Dataskydd i praktiskt arbete",
        "En plats blev ledig: du är anmäld till Dataskydd i praktiskt arbete",
    ]
