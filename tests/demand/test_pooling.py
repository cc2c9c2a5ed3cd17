"""Demand pooling: tentative enrolments and pledges count towards the minimum; reaching it confirms the
offering at that moment (held places invoiced, pledges bought, everyone told); the decision date
without it cancels (nobody charged, pledges released, everyone told); the decision runs twice safely."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from osaamo.audit.models import AuditEntry
from osaamo.catalog.models import OfferingState
from osaamo.catalog.services import offering_update
from osaamo.demand import pooling
from osaamo.demand.models import Pledge, PledgeState
from osaamo.demand.selectors import offering_commitments
from osaamo.enrolment import services as enrolment_services
from osaamo.enrolment.models import Enrolment, EnrolmentState, Invoice, InvoiceState, SeatPurchase
from osaamo.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.demand.conftest import (
    days,
    decision_day,
    make_need,
    make_person,
    make_tentative,
)
from tests.factories import ORGANISATION_BILLING, PERSON_BILLING


def enrol(offering: Any, learner: Any, **kwargs: Any) -> Enrolment:
    return pooling.pooling_enrol(offering=offering, learner=learner, billing={**PERSON_BILLING, "email": learner.email},
                                 **kwargs)


def pledge(offering: Any, organisation: Any, by: Any, quantity: int = 1, **kwargs: Any) -> Pledge:
    return pooling.pledge_create(offering=offering, organisation=organisation, by=by, quantity=quantity,
                                 billing=ORGANISATION_BILLING, **kwargs)


def subjects_to(address: str) -> list[str]:
    return [message.subject for message in mail.outbox if message.to == [address]]


# --- tentative commitments -------------------------------------------------------------------------------


def test_a_tentative_enrolment_holds_a_place_and_invoices_nothing(tentative: Any, committed: Any) -> None:
    learner = make_person()
    with committed():
        enrolment = enrol(tentative, learner)
    tentative.refresh_from_db()
    assert enrolment.state == EnrolmentState.ENROLLED and enrolment.invoice is None
    assert str(enrolment.price) == "290.00" and enrolment.billing["name"] == "Liisa Learner"
    assert tentative.is_tentative and not Invoice.objects.exists()
    assert offering_commitments(tentative).committed == 1
    (message,) = mail.outbox
    assert message.to == [learner.email] and message.subject.startswith("Enrolled tentatively")
    assert "You get the invoice only if the offering runs" in message.body and "1 of 3" in message.body


def test_interest_is_no_commitment(tentative: Any) -> None:
    pooling.pooling_register_interest(offering=tentative, learner=make_person())
    counts = offering_commitments(tentative)
    assert (counts.committed, counts.interested) == (0, 1)


def test_plain_enrolment_and_seat_purchases_are_refused_on_a_tentative_offering(
        tentative: Any, employer: Any, employer_admin: Any) -> None:
    with pytest.raises(Conflict) as refused:
        enrolment_services.enrolment_enrol(offering=tentative, learner=make_person(), billing=PERSON_BILLING)
    assert refused.value.code == "offering_tentative"
    with pytest.raises(Conflict) as refused:
        enrolment_services.purchase_create(offering=tentative, organisation=employer, by=employer_admin,
                                           quantity=2, billing=ORGANISATION_BILLING)
    assert refused.value.code == "offering_tentative"
    assert not Enrolment.objects.exists() and not Invoice.objects.exists()


def test_a_pledge_counts_towards_the_minimum_and_buys_nothing(tentative: Any, employer: Any, employer_admin: Any,
                                                              committed: Any) -> None:
    need = make_need(employer, employer_admin)
    with committed():
        made = pledge(tentative, employer, employer_admin, quantity=2, need=need)
    assert made.state == PledgeState.PLEDGED and made.need == need and str(made.unit_price) == "450.00"
    assert offering_commitments(tentative).committed == 2
    assert not SeatPurchase.objects.exists() and not Invoice.objects.exists()
    assert subjects_to(employer_admin.email)[0].startswith("Seats pledged")


# --- reaching the minimum ----------------------------------------------------------------------------------


def test_the_commitment_that_reaches_the_minimum_confirms_the_offering_at_that_moment(
        tentative: Any, employer: Any, employer_admin: Any, helsinki_admin: Any, helsinki_registrar: Any,
        committed: Any) -> None:
    first, second, interested = make_person(), make_person(language="sv"), make_person(language="fi")
    enrol(tentative, first)
    pooling.pooling_register_interest(offering=tentative, learner=interested)
    pledge(tentative, employer, employer_admin, quantity=1)
    tentative.refresh_from_db()
    assert tentative.is_tentative and offering_commitments(tentative).committed == 2
    assert not Invoice.objects.exists()
    mail.outbox.clear()

    with committed():
        reaching = enrol(tentative, second)  # the third commitment: 2 enrolled + 1 pledged

    tentative.refresh_from_db()
    assert tentative.confirmed_at is not None and not tentative.is_tentative
    confirmation = AuditEntry.objects.get(action="offering.pooling_confirmed", target_id=str(tentative.pk))
    assert confirmation.data["trigger"] == f"enrolment:{reaching.pk}" and confirmation.data["committed"] == 3
    # The held places are invoiced now, at the price recorded when enrolling.
    invoiced = Enrolment.objects.filter(offering=tentative, state=EnrolmentState.ENROLLED)
    assert {(e.learner, str(e.invoice.total), e.invoice.state) for e in invoiced} == {
        (first, "290.00", InvoiceState.OPEN), (second, "290.00", InvoiceState.OPEN)}
    # The pledge is a purchase of one seat at the organisation price, with its own invoice.
    (bought,) = Pledge.objects.all()
    assert bought.state == PledgeState.PURCHASED and bought.purchase.quantity == 1
    assert str(bought.purchase.invoice.total) == "450.00" and bought.purchase.seats.count() == 1
    assert Invoice.objects.count() == 3
    # Everyone is told, after the commit: learners, the interested, the employer, the university's staff.
    assert subjects_to(first.email) == ["It runs: Data protection in practice"]
    assert "Your invoice" in next(m.body for m in mail.outbox if m.to == [first.email])
    assert len(subjects_to(second.email)) == 1 and len(subjects_to(interested.email)) == 1
    assert "It runs, and your seats are bought: Data protection in practice" in subjects_to(employer_admin.email)
    assert len(subjects_to(helsinki_admin.email)) == 1 and len(subjects_to(helsinki_registrar.email)) == 1


def test_a_pledge_can_be_what_reaches_the_minimum(tentative: Any, employer: Any, employer_admin: Any,
                                                  other_employer: Any, other_employer_admin: Any) -> None:
    pledge(tentative, other_employer, other_employer_admin, quantity=1)
    enrol(tentative, make_person())
    reaching = pledge(tentative, employer, employer_admin, quantity=4)
    tentative.refresh_from_db()
    assert tentative.confirmed_at is not None
    assert reaching.state == PledgeState.PURCHASED and reaching.purchase.quantity == 4
    assert set(Pledge.objects.values_list("state", flat=True)) == {PledgeState.PURCHASED}
    assert SeatPurchase.objects.filter(offering=tentative).count() == 2


def test_after_confirmation_enrolling_is_ordinary(tentative: Any, employer: Any, employer_admin: Any,
                                                  committed: Any) -> None:
    pledge(tentative, employer, employer_admin, quantity=3)
    tentative.refresh_from_db()
    assert tentative.confirmed_at is not None
    learner = make_person()
    with committed():
        late = enrol(tentative, learner)
    assert late.state == EnrolmentState.ENROLLED and late.invoice is not None  # invoiced at once
    assert subjects_to(learner.email) == ["You are enrolled: Data protection in practice"]
    with pytest.raises(Conflict) as refused:
        pledge(tentative, employer, employer_admin)
    assert refused.value.code == "offering_confirmed"
    # Buying seats is now the enrolment app's ordinary purchase.
    purchase = enrolment_services.purchase_create(offering=tentative, organisation=employer, by=employer_admin,
                                                  quantity=1, billing=ORGANISATION_BILLING)
    assert purchase.invoice.number


def test_a_pledge_whose_buyer_is_gone_is_not_bought_and_the_rest_still_is(
        tentative: Any, employer: Any, employer_admin: Any, other_employer: Any, other_employer_admin: Any) -> None:
    from osaamo.accounts.models import Membership

    gone = pledge(tentative, other_employer, other_employer_admin, quantity=1)
    Membership.objects.filter(user=other_employer_admin, organisation=other_employer).delete()
    pledge(tentative, employer, employer_admin, quantity=2)
    gone.refresh_from_db()
    assert gone.state == PledgeState.NOT_CONVERTED and gone.purchase is None and gone.note
    assert Pledge.objects.get(organisation=employer).state == PledgeState.PURCHASED


# --- the decision date --------------------------------------------------------------------------------------


def test_at_the_decision_date_without_the_minimum_it_is_cancelled_and_nobody_is_charged(
        tentative: Any, employer: Any, employer_admin: Any, helsinki_admin: Any, committed: Any) -> None:
    tentative_learner, interested = make_person(language="fi"), make_person(language="sv")
    enrol(tentative, tentative_learner)
    pooling.pooling_register_interest(offering=tentative, learner=interested)
    pledged = pledge(tentative, employer, employer_admin, quantity=1)
    mail.outbox.clear()

    with committed():
        decisions = pooling.decide_offerings(now=decision_day())

    assert decisions.cancelled == [tentative.pk] and decisions.confirmed == []
    tentative.refresh_from_db()
    assert tentative.state == OfferingState.CANCELLED and tentative.confirmed_at is None
    assert set(Enrolment.objects.filter(offering=tentative).values_list("state", flat=True)) == {
        EnrolmentState.CANCELLED}
    pledged.refresh_from_db()
    assert pledged.state == PledgeState.RELEASED and pledged.purchase is None
    # Nobody is charged: no invoice and no purchase ever existed for these commitments.
    assert not Invoice.objects.exists() and not SeatPurchase.objects.exists()
    assert {m.to[0] for m in mail.outbox} == {tentative_learner.email, interested.email, employer_admin.email,
                                              helsinki_admin.email}
    learner_mail = next(m for m in mail.outbox if m.to == [tentative_learner.email])
    assert learner_mail.subject.startswith("Peruttu")  # in the learner's own language
    assert next(m for m in mail.outbox if m.to == [interested.email]).subject.startswith("Inställt")
    employer_mail = next(m for m in mail.outbox if m.to == [employer_admin.email])
    assert "nothing was invoiced" in employer_mail.body and "(2 committed)" in employer_mail.body


def test_before_the_decision_date_a_tentative_offering_waits(tentative: Any) -> None:
    enrol(tentative, make_person())
    decisions = pooling.decide_offerings(now=decision_day() - timedelta(days=1))
    tentative.refresh_from_db()
    assert decisions.waiting == [tentative.pk] and tentative.is_tentative


def test_running_the_decision_twice_decides_once(tentative: Any, pooled_version: Any, helsinki_admin: Any,
                                                 employer: Any, employer_admin: Any, committed: Any) -> None:
    reached = make_tentative(pooled_version, helsinki_admin, min_participants=2)
    enrol(reached, make_person())
    pledge(reached, employer, employer_admin, quantity=1)  # reached: confirmed already
    lowered = make_tentative(pooled_version, helsinki_admin, min_participants=3)
    enrol(lowered, make_person())
    offering_update(offering=lowered, by=helsinki_admin, data={"min_participants": 1})  # reached without a trigger
    enrol(tentative, make_person())
    mail.outbox.clear()

    with committed():
        first = pooling.decide_offerings(now=decision_day())
    sent = len(mail.outbox)
    with committed():
        second = pooling.decide_offerings(now=decision_day())
    call_command("decide_offerings")

    assert (first.confirmed, first.cancelled) == ([lowered.pk], [tentative.pk])
    assert (second.confirmed, second.cancelled, second.waiting) == ([], [], [])
    assert len(mail.outbox) == sent  # nobody is told twice
    for offering, action in ((lowered, "offering.pooling_confirmed"), (tentative, "offering.pooling_cancelled"),
                             (reached, "offering.pooling_confirmed")):
        assert AuditEntry.objects.filter(action=action, target_id=str(offering.pk)).count() == 1
    assert Invoice.objects.filter(enrolment__offering=lowered).count() == 1
    assert offering_decide_again(tentative) == "decided"


def offering_decide_again(offering: Any) -> str:
    return pooling.offering_decide(offering_id=offering.pk, now=decision_day())


def test_a_cancelled_offering_takes_no_more_commitments(tentative: Any, employer: Any, employer_admin: Any) -> None:
    pooling.decide_offerings(now=decision_day())
    with pytest.raises(Conflict) as refused:
        pledge(tentative, employer, employer_admin)
    assert refused.value.code == "offering_cancelled"
    with pytest.raises(Conflict):
        enrol(tentative, make_person())


def test_the_command_reports_what_it_decided(tentative: Any, capsys: Any) -> None:
    call_command("decide_offerings")
    assert "Confirmed: 0. Cancelled: 0. Still waiting: 1." in capsys.readouterr().out


def test_the_command_can_hand_the_decision_to_the_task_worker(tentative: Any, settings: Any, capsys: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    call_command("decide_offerings", "--enqueue")
    assert "Enqueued the decision" in capsys.readouterr().out


def test_the_task_runs_the_decision(tentative: Any) -> None:
    from osaamo.demand.tasks import decide_offerings_task

    enrol(tentative, make_person())
    with time_travel(decision_day()):
        result = decide_offerings_task.call()
    assert result["cancelled"] == [tentative.pk]


def time_travel(moment: Any) -> Any:
    import time_machine

    return time_machine.travel(moment, tick=False)


# --- refusals and withdrawal --------------------------------------------------------------------------------


def test_pledges_are_checked(tentative: Any, employer: Any, employer_admin: Any, employer_member: Any,
                             other_employer: Any, other_employer_admin: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        pledge(tentative, employer, employer_admin, quantity=0)
    assert "quantity" in refused.value.details
    with pytest.raises(InvalidInput) as refused:
        pooling.pledge_create(offering=tentative, organisation=employer, by=employer_admin, quantity=1,
                              billing={"name": "Konepaja Oy"})
    assert "business_id" in refused.value.details
    with pytest.raises(PermissionDenied):  # an employee does not commit the employer's money
        pledge(tentative, employer, employer_member)
    with pytest.raises(PermissionDenied):
        pledge(tentative, employer, other_employer_admin)
    with pytest.raises(NotFound):  # another employer's need
        pledge(tentative, employer, employer_admin, need=make_need(other_employer, other_employer_admin))
    with pytest.raises(Conflict) as refused:
        pledge(tentative, employer, employer_admin, quantity=11)
    assert refused.value.code == "not_enough_places" and refused.value.details == {"places_left": 10}
    pledge(tentative, employer, employer_admin, quantity=1)
    with pytest.raises(Conflict) as refused:
        pledge(tentative, employer, employer_admin, quantity=1)
    assert refused.value.code == "already_pledged"
    assert Pledge.objects.count() == 1


def test_places_held_by_pledges_are_not_given_twice(pooled_version: Any, helsinki_admin: Any, employer: Any,
                                                    employer_admin: Any, other_employer: Any,
                                                    other_employer_admin: Any) -> None:
    offering = make_tentative(pooled_version, helsinki_admin, seats=5, min_participants=5)
    pledge(offering, employer, employer_admin, quantity=3)
    with pytest.raises(Conflict) as refused:
        pledge(offering, other_employer, other_employer_admin, quantity=3)
    assert refused.value.details == {"places_left": 2}


def test_a_pledge_can_be_withdrawn_while_the_offering_is_tentative(tentative: Any, employer: Any,
                                                                   employer_admin: Any) -> None:
    made = pledge(tentative, employer, employer_admin, quantity=2)
    pooling.pledge_withdraw(pledge=made, by=employer_admin)
    made.refresh_from_db()
    assert made.state == PledgeState.WITHDRAWN and offering_commitments(tentative).committed == 0
    again = pledge(tentative, employer, employer_admin, quantity=1)  # a new pledge with another number
    assert again.state == PledgeState.PLEDGED
    with pytest.raises(Conflict) as refused:
        pooling.pledge_withdraw(pledge=made, by=employer_admin)
    assert refused.value.code == "pledge_decided"


def test_a_learner_who_cancels_a_tentative_enrolment_frees_the_commitment(tentative: Any) -> None:
    learner = make_person()
    enrolment = enrol(tentative, learner)
    enrolment_services.enrolment_cancel(enrolment=enrolment, by=learner)
    assert offering_commitments(tentative).committed == 0 and not Invoice.objects.exists()


# --- making an offering tentative ---------------------------------------------------------------------------


def test_the_provider_makes_an_offering_tentative_with_a_decision_date(pooled_version: Any, helsinki_admin: Any,
                                                                       helsinki_designer: Any) -> None:
    from tests.demand.conftest import make_tentative as _make

    offering = _make(pooled_version, helsinki_admin, decision_date=None)
    assert not offering.is_tentative
    offering = pooling.pooling_open(offering=offering, by=helsinki_designer, decision_date=days(5))
    assert offering.is_tentative and offering.decision_date.isoformat() == days(5)
    assert AuditEntry.objects.filter(action="offering.pooling_opened", target_id=str(offering.pk)).exists()


@pytest.mark.parametrize(("changes", "decision_date", "message"), [
    ({"min_participants": None}, days(5), "A decision date needs a minimum number of participants."),
    ({}, days(31), "The decision date cannot be after the start."),
    ({}, days(-1), "The decision date cannot be in the past."),
    ({}, "", "This field is required."),
    ({}, "next week", "Enter a valid date."),
])
def test_a_decision_date_is_checked(pooled_version: Any, helsinki_admin: Any, changes: dict[str, Any],
                                    decision_date: str, message: str) -> None:
    offering = make_tentative(pooled_version, helsinki_admin, decision_date=None, **changes)
    with pytest.raises(InvalidInput) as refused:
        pooling.pooling_open(offering=offering, by=helsinki_admin, decision_date=decision_date)
    assert refused.value.details["decision_date"] == [message]


def test_an_offering_people_enrolled_in_without_a_condition_cannot_become_tentative(
        pooled_version: Any, helsinki_admin: Any) -> None:
    offering = make_tentative(pooled_version, helsinki_admin, decision_date=None)
    enrolment_services.enrolment_enrol(offering=offering, learner=make_person(), billing=PERSON_BILLING)
    with pytest.raises(Conflict) as refused:
        pooling.pooling_open(offering=offering, by=helsinki_admin, decision_date=days(5))
    assert refused.value.code == "has_enrolments"


def test_a_tentative_offering_keeps_its_decision_date_and_minimum(tentative: Any, helsinki_admin: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        offering_update(offering=tentative, by=helsinki_admin, data={"decision_date": None})
    assert "decision_date" in refused.value.details
    with pytest.raises(InvalidInput):
        offering_update(offering=tentative, by=helsinki_admin, data={"min_participants": None})
    moved = pooling.pooling_open(offering=tentative, by=helsinki_admin, decision_date=days(3))
    assert moved.decision_date.isoformat() == days(3)


def test_only_the_providers_designers_make_offerings_tentative(tentative: Any, aalto_admin: Any,
                                                               helsinki_registrar: Any) -> None:
    for person in (aalto_admin, helsinki_registrar):
        with pytest.raises(PermissionDenied):
            pooling.pooling_open(offering=tentative, by=person, decision_date=days(3))
