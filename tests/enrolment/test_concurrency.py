"""Nothing is ever oversold: many enrolments, purchases and redemptions at the same moment.

Each call runs in its own thread with its own database connection, all released together by a
barrier, on data that is committed first (`transaction=True`).

- PostgreSQL: every thread has a real connection; the services lock the offering row (SELECT … FOR
  UPDATE). The server's connection limit is shared with everything else on it, so at most a bounded
  number of threads hold a connection at the same time (see `tests/concurrency.py`); all the others are
  already waiting at that moment, so the row lock is always contended.
- SQLite: the test database is in memory, which threads cannot share with connections of their own.
  The test copies it to a file (SQLite's backup API) and every thread opens its own connection to
  that file with the project's settings (WAL, BEGIN IMMEDIATE, busy timeout), so the database's
  write lock is what serialises the services — as in a deployment on SQLite.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from osaamo.enrolment import services
from osaamo.enrolment.models import Enrolment, EnrolmentState, Seat, SeatState
from osaamo.enrolment.selectors import offering_places
from tests.concurrency import Database, run_concurrently
from tests.enrolment.conftest import make_learner, make_offering
from tests.factories import ORGANISATION_BILLING, make_employer, make_user

PLACES = 20
REQUESTS = 120  # at least 100 at once


def enrol_call(offering: Any, learner: Any) -> Callable[[], Any]:
    return lambda: services.enrolment_enrol(offering=offering, learner=learner, prerequisites_confirmed=True).state


def concurrent_enrolments(version: Any, admin: Any, workers_database: Callable[[], Database]) -> None:
    offering = make_offering(version, admin, seats=PLACES, min_participants=5, price_individual=Decimal("0"))
    learners = [make_learner() for _ in range(REQUESTS)]
    database = workers_database()
    outcomes = run_concurrently([enrol_call(offering, learner) for learner in learners], database)

    assert [kind for kind, _ in outcomes if kind != "ok"] == [], [v for k, v in outcomes if k != "ok"][:3]
    states = Counter(state for _, state in outcomes)
    assert states == {EnrolmentState.ENROLLED: PLACES, EnrolmentState.WAITLISTED: REQUESTS - PLACES}

    def stored() -> Any:
        rows = Counter(Enrolment.objects.filter(offering=offering).values_list("learner_id", flat=True))
        by_state = Counter(Enrolment.objects.filter(offering=offering).values_list("state", flat=True))
        return rows, by_state, offering_places(offering)

    rows, by_state, places = database.read(stored)
    # Nothing lost and nothing doubled: every request has exactly one enrolment row.
    assert rows == {learner.pk: 1 for learner in learners}
    assert by_state == {EnrolmentState.ENROLLED: PLACES, EnrolmentState.WAITLISTED: REQUESTS - PLACES}
    assert (places.left, places.enrolled, places.waitlisted) == (0, PLACES, REQUESTS - PLACES)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_hundred_and_twenty_concurrent_enrolments_fill_exactly_twenty_places_on_postgresql(
    postgres_only: None, version: Any, helsinki_admin: Any, workers_database: Any
) -> None:
    concurrent_enrolments(version, helsinki_admin, workers_database)


@pytest.mark.django_db(transaction=True)
def test_a_hundred_and_twenty_concurrent_enrolments_fill_exactly_twenty_places(
    version: Any, helsinki_admin: Any, workers_database: Any
) -> None:
    """The same on whichever database runs the suite; on SQLite through the file copy."""
    concurrent_enrolments(version, helsinki_admin, workers_database)


@pytest.mark.django_db(transaction=True)
def test_seat_purchases_and_enrolments_at_the_same_moment_never_oversell(
    version: Any, helsinki_admin: Any, workers_database: Any
) -> None:
    offering = make_offering(version, helsinki_admin, seats=PLACES, min_participants=5,
                             price_individual=Decimal("0"), price_organisation=Decimal("450.00"))
    companies = []
    for n in range(10):
        company = make_employer(f"yritys-{n}", f"Yritys {n} Oy")
        companies.append((company, make_user(f"admin{n}@yritys.example", f"Admin {n}", company, "employer_admin")))
    learners = [make_learner() for _ in range(90)]
    calls = [enrol_call(offering, learner) for learner in learners] + [
        (lambda company=company, admin=admin: services.purchase_create(
            offering=offering, organisation=company, by=admin, quantity=3, billing=ORGANISATION_BILLING).quantity)
        for company, admin in companies
    ]
    database = workers_database()
    outcomes = run_concurrently(calls, database)
    assert not [v for k, v in outcomes if k == "error"], [v for k, v in outcomes if k == "error"][:3]
    enrolments, purchases = outcomes[:90], outcomes[90:]
    assert {kind for kind, _ in enrolments} == {"ok"}
    bought = sum(value for kind, value in purchases if kind == "ok")
    refusals = [value for kind, value in purchases if kind == "refused"]
    assert all(refusal.code == "not_enough_places" for refusal in refusals)
    enrolled = sum(1 for _, state in enrolments if state == EnrolmentState.ENROLLED)

    def stored() -> Any:
        return (Seat.objects.filter(purchase__offering=offering).count(),
                Enrolment.objects.filter(offering=offering, state=EnrolmentState.ENROLLED).count(),
                Enrolment.objects.filter(offering=offering).count(), offering_places(offering))

    seats, stored_enrolled, rows, places = database.read(stored)
    assert seats == bought and stored_enrolled == enrolled and rows == 90
    # Demand (90 people, 30 seats) is larger than the 20 places: every place is taken, none twice.
    assert enrolled + bought == PLACES
    assert places.left == 0 and places.taken == PLACES and places.waitlisted == 90 - enrolled


@pytest.mark.django_db(transaction=True)
def test_a_code_redeemed_by_many_at_once_is_used_once(version: Any, helsinki_admin: Any, employer: Any,
                                                      workers_database: Any) -> None:
    offering = make_offering(version, helsinki_admin, seats=PLACES, min_participants=5,
                             price_organisation=Decimal("450.00"))
    admin = make_user("eeva.admin@konepaja.example", "Eeva", employer, "employer_admin")
    purchase = services.purchase_create(offering=offering, organisation=employer, by=admin, quantity=1,
                                        billing=ORGANISATION_BILLING)
    seat = services.seat_issue_code(seat=purchase.seats.get(), by=admin)
    learners = [make_learner() for _ in range(30)]
    calls = [(lambda learner=learner: services.seat_redeem(secret=seat.code_display, learner=learner,
                                                           prerequisites_confirmed=True).pk)
             for learner in learners]
    database = workers_database()
    outcomes = run_concurrently(calls, database)
    kinds = Counter(kind for kind, _ in outcomes)
    assert kinds == {"ok": 1, "refused": 29}, [v for k, v in outcomes if k == "error"][:3]
    assert {value.code for kind, value in outcomes if kind == "refused"} == {"seat_used"}

    def stored() -> Any:
        return (list(Enrolment.objects.filter(seat=seat).values_list("state", flat=True)),
                Seat.objects.get(pk=seat.pk).state)

    assert database.read(stored) == ([EnrolmentState.ENROLLED], SeatState.REDEEMED)
