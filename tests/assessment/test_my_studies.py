"""The learner's own page ("my studies"): enrolments with their next steps, results, credentials and what could
come next; nobody else's, in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from osaamo.assessment import services
from osaamo.catalog.services import offering_create
from osaamo.enrolment.services import enrolment_register_interest
from tests.assessment.conftest import enrol, login, make_learner
from tests.factories import make_published, offering_data

TODAY = timezone.localdate()
URL = "/en/my-studies/"


def test_a_learner_sees_enrolments_results_credentials_and_next_steps(
        offering: Any, helsinki: Any, helsinki_admin: Any, helsinki_registrar: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    learner = make_learner("Liisa Learner")
    passed = enrol(offering, learner)
    upcoming = make_published(helsinki, helsinki_admin, code="HY-NEXT", title={"en": "Privacy engineering"},
                              isced_f="0613").offerings.get()
    enrol(upcoming, learner)
    services.offering_assessment_update(offering=offering, by=helsinki_registrar, issuing="automatic")
    with django_capture_on_commit_callbacks(execute=True):
        services.result_record(enrolment=passed, by=helsinki_registrar, grade="4", assessed_on=TODAY)
    page = login(learner).get(URL).content.decode()
    assert "Privacy engineering" in page
    assert "Starts on" in page
    assert "Cancel the enrolment" in page
    assert "Completed: 4" in page
    assert "Your credential</a> (Valid)" in page
    assert page.count("/en/wallet/") >= 2


def test_a_waitlisted_learner_sees_their_place_in_line(offering: Any, helsinki: Any, helsinki_admin: Any) -> None:
    full = offering_create(version=offering.version, by=helsinki_admin, data=offering_data(seats=1, min_participants=1))
    enrol(full)
    second = make_learner()
    enrol(full, second)
    page = login(second).get(URL).content.decode()
    assert "Number 1 on the waiting list" in page


def test_interest_shows_when_enrolment_opens(offering: Any, helsinki_admin: Any) -> None:
    now = timezone.now()
    later = offering_create(version=offering.version, by=helsinki_admin, data=offering_data(
        enrolment_opens=(now + timedelta(days=5)).isoformat(), enrolment_closes=(now + timedelta(days=20)).isoformat()))
    learner = make_learner()
    enrolment_register_interest(offering=later, learner=learner)
    page = login(learner).get(URL).content.decode()
    assert "Enrolment opens on" in page and "Withdraw your interest" in page


def test_a_failed_learner_is_shown_the_next_run_and_completers_what_stacks(
        offering: Any, helsinki: Any, helsinki_admin: Any, helsinki_registrar: Any) -> None:
    failing = make_learner()
    services.result_record(enrolment=enrol(offering, failing), by=helsinki_registrar, grade="0", assessed_on=TODAY)
    offering_create(version=offering.version, by=helsinki_admin, data=offering_data(
        start_date=(TODAY + timedelta(days=120)).isoformat(), end_date=(TODAY + timedelta(days=180)).isoformat()))
    stackable = make_published(helsinki, helsinki_admin, code="HY-STACK", title={"en": "GDPR audits"},
                               stackability="stackable", eqf_level=7, qf_ehea_cycle="second")
    page = login(failing).get(URL).content.decode()
    assert "Not passed: 0 (fail)" in page
    assert "Not passed: you may enrol on a later run" in page
    assert "A new run of a micro-credential you were interested in or did not pass." in page

    completer = make_learner()
    services.result_record(enrolment=enrol(offering, completer), by=helsinki_registrar, grade="5",
                           assessed_on=TODAY)
    page = login(completer).get(URL).content.decode()
    assert "GDPR audits" in page and "Stackable, in the same field as what you completed." in page
    assert f"/en/enrol/{stackable.offerings.get().pk}/" in page
    assert "A new run of a micro-credential" not in page


def test_another_learner_never_sees_them(offering: Any, helsinki_registrar: Any) -> None:
    owner = make_learner("Olivia Owner")
    services.result_record(enrolment=enrol(offering, owner), by=helsinki_registrar, grade="5", assessed_on=TODAY)
    other = make_learner("Oscar Other")
    page = login(other).get(URL).content.decode()
    assert "Data protection in practice" not in page and "Nothing in progress." in page and "No results yet." in page
    anonymous = login(other)
    anonymous.logout()
    assert anonymous.get(URL).status_code == 302


def test_the_page_stays_within_a_fixed_number_of_queries(offering: Any, helsinki: Any, helsinki_admin: Any,
                                                         helsinki_registrar: Any) -> None:
    learner = make_learner()
    client = login(learner)
    services.result_record(enrolment=enrol(offering, learner), by=helsinki_registrar, grade="4", assessed_on=TODAY)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for n in range(4):
        other = make_published(helsinki, helsinki_admin, code=f"HY-MORE-{n}").offerings.get()
        services.result_record(enrolment=enrol(other, learner), by=helsinki_registrar, grade="3", assessed_on=TODAY)
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many) == len(few)
