"""Pooling under concurrency: many commitments crossing the minimum at once confirm exactly once; a
pledge racing the decision is either bought with a confirmed offering or refused with a cancelled one;
two decision runs at the same moment decide each offering once. Real threads and connections on
committed data (`transaction=True`); see `tests/concurrency.py`."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from osaamo.audit.models import AuditEntry
from osaamo.catalog.models import Offering, OfferingState
from osaamo.demand import pooling
from osaamo.demand.models import Pledge, PledgeState
from osaamo.enrolment.models import Enrolment, EnrolmentState, Invoice, SeatPurchase
from tests.concurrency import run_concurrently, workers_database
from tests.demand.conftest import (
    decision_day,
    make_person,
    make_tentative,
)
from tests.factories import ORGANISATION_BILLING, PERSON_BILLING, make_employer, make_user

LEARNERS = 50
MINIMUM = 20


def enrol_call(offering: Any, learner: Any) -> Any:
    return lambda: pooling.pooling_enrol(offering=offering, learner=learner, billing=PERSON_BILLING).pk


def fifty_tentative_enrolments_cross_the_minimum(pooled_version: Any, admin: Any, tmp_path: Path) -> None:
    offering = make_tentative(pooled_version, admin, seats=60, min_participants=MINIMUM,
                              price_individual=Decimal("120.00"))
    learners = [make_person() for _ in range(LEARNERS)]
    database = workers_database(tmp_path)
    mail.outbox.clear()

    outcomes = run_concurrently([enrol_call(offering, learner) for learner in learners], database)
    assert [value for kind, value in outcomes if kind != "ok"] == []

    def stored() -> Any:
        offering_now = Offering.objects.get(pk=offering.pk)
        enrolments = list(Enrolment.objects.filter(offering=offering).select_related("invoice"))
        confirmations = list(AuditEntry.objects.filter(action="offering.pooling_confirmed",
                                                       target_id=str(offering.pk)))
        return offering_now, enrolments, confirmations, Invoice.objects.count()

    offering_now, enrolments, confirmations, invoices = database.read(stored)
    assert offering_now.confirmed_at is not None and offering_now.state == OfferingState.SCHEDULED
    assert len(confirmations) == 1 and confirmations[0].data["committed"] == MINIMUM
    # Every learner has one enrolled place and exactly one invoice: the first twenty were invoiced at the
    # confirmation, the others when they enrolled.
    assert len(enrolments) == LEARNERS and {e.state for e in enrolments} == {EnrolmentState.ENROLLED}
    assert all(e.invoice is not None for e in enrolments) and invoices == LEARNERS
    assert len({e.invoice.number for e in enrolments}) == LEARNERS
    # Told once each: twenty that it runs (those who were tentative at the moment), thirty an ordinary enrolment.
    final = Counter(m.subject.split(":")[0] for m in mail.outbox
                    if m.subject.startswith(("It runs", "You are enrolled")))
    assert final == {"It runs": MINIMUM, "You are enrolled": LEARNERS - MINIMUM}
    assert len({m.to[0] for m in mail.outbox if m.subject.startswith(("It runs", "You are enrolled"))}) == LEARNERS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_tentative_enrolments_crossing_the_minimum_confirm_exactly_once_on_postgresql(
        postgres_only: None, pooled_version: Any, helsinki_admin: Any, tmp_path: Path) -> None:
    fifty_tentative_enrolments_cross_the_minimum(pooled_version, helsinki_admin, tmp_path)


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_tentative_enrolments_crossing_the_minimum_confirm_exactly_once(
        pooled_version: Any, helsinki_admin: Any, tmp_path: Path) -> None:
    """The same on whichever database runs the suite; on SQLite through the file copy."""
    fifty_tentative_enrolments_cross_the_minimum(pooled_version, helsinki_admin, tmp_path)


def pledges_race_the_decision(pooled_version: Any, admin: Any, tmp_path: Path) -> None:
    """Ten offerings, each one pledge short of its minimum on its decision date; the decision and the
    pledge that would reach the minimum arrive at the same moment."""
    employer = make_employer("kilpailija", "Kilpailija Oy")
    buyer = make_user("kaisa@kilpailija.example", "Kaisa", employer, "employer_admin")
    offerings = []
    for _ in range(10):
        offering = make_tentative(pooled_version, admin, min_participants=3)
        for _learner in range(2):
            pooling.pooling_enrol(offering=offering, learner=make_person(), billing=PERSON_BILLING)
        offerings.append(offering)
    database = workers_database(tmp_path)
    moment = decision_day()
    calls: list[Any] = [lambda: pooling.decide_offerings(now=moment)]
    calls += [(lambda offering=offering: pooling.pledge_create(
        offering=offering, organisation=employer, by=buyer, quantity=1, billing=ORGANISATION_BILLING, now=moment).pk)
        for offering in offerings]
    outcomes = run_concurrently(calls, database)
    assert [value for kind, value in outcomes if kind == "error"] == []

    def stored() -> Any:
        rows = []
        for offering in offerings:
            now = Offering.objects.get(pk=offering.pk)
            rows.append((
                now.state, now.confirmed_at is not None,
                list(Pledge.objects.filter(offering=offering).values_list("state", flat=True)),
                SeatPurchase.objects.filter(offering=offering).count(),
                Invoice.objects.filter(enrolment__offering=offering).count(),
                set(Enrolment.objects.filter(offering=offering).values_list("state", flat=True)),
                AuditEntry.objects.filter(target_id=str(offering.pk), target_type="catalog.offering",
                                          action__in=["offering.pooling_confirmed", "offering.pooling_cancelled"]
                                          ).count(),
            ))
        return rows

    pledge_outcomes = outcomes[1:]
    for (state, confirmed, pledges, purchases, invoices, enrolment_states, decisions), (kind, value) in zip(
            database.read(stored), pledge_outcomes, strict=True):
        assert decisions == 1  # decided exactly once, one way
        if confirmed:  # the pledge came first: it reached the minimum and was bought
            assert kind == "ok" and state == OfferingState.SCHEDULED
            assert pledges == [PledgeState.PURCHASED] and purchases == 1 and invoices == 2
            assert enrolment_states == {EnrolmentState.ENROLLED}
        else:  # the decision came first: cancelled, the late pledge refused, nobody charged
            assert kind == "refused" and value.code == "offering_cancelled"
            assert state == OfferingState.CANCELLED and pledges == [] and purchases == 0 and invoices == 0
            assert enrolment_states == {EnrolmentState.CANCELLED}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_pledge_racing_the_decision_is_bought_or_refused_never_both_on_postgresql(
        postgres_only: None, pooled_version: Any, helsinki_admin: Any, tmp_path: Path) -> None:
    pledges_race_the_decision(pooled_version, helsinki_admin, tmp_path)


@pytest.mark.django_db(transaction=True)
def test_a_pledge_racing_the_decision_is_bought_or_refused_never_both(
        pooled_version: Any, helsinki_admin: Any, tmp_path: Path) -> None:
    pledges_race_the_decision(pooled_version, helsinki_admin, tmp_path)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_decision_runs_at_the_same_time_decide_each_offering_once_on_postgresql(
        postgres_only: None, pooled_version: Any, helsinki_admin: Any, tmp_path: Path) -> None:
    from osaamo.catalog.services import offering_update

    due = []
    for n in range(8):
        offering = make_tentative(pooled_version, helsinki_admin, min_participants=3)
        pooling.pooling_enrol(offering=offering, learner=make_person(), billing=PERSON_BILLING)
        if n % 2:  # half reached their minimum without a trigger (the provider lowered it)
            offering_update(offering=offering, by=helsinki_admin, data={"min_participants": 1})
        due.append(offering)
    database = workers_database(tmp_path)
    mail.outbox.clear()
    moment = decision_day()
    outcomes = run_concurrently([lambda: pooling.decide_offerings(now=moment) for _ in range(6)], database)
    assert {kind for kind, _ in outcomes} == {"ok"}
    confirmed = sorted(pk for _, decisions in outcomes for pk in decisions.confirmed)
    cancelled = sorted(pk for _, decisions in outcomes for pk in decisions.cancelled)
    assert confirmed == sorted(o.pk for o in due[1::2]) and cancelled == sorted(o.pk for o in due[0::2])
    # Nobody is told twice: one mail per person and offering (the university's staff get one per offering).
    told = Counter((m.to[0], m.body) for m in mail.outbox)  # the body names the offering (its address)
    assert set(told.values()) == {1}
    assert sum(1 for to, _subject in told if to != helsinki_admin.email) == len(due)

    def invoices() -> int:
        return Invoice.objects.count()

    assert database.read(invoices) == 4  # the four confirmed offerings' one held place each
