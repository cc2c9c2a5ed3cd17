"""Passing results lead to credentials: when a registrar confirms, or automatically when a result is
recorded (per offering). The credential states the result's grade, date and identity verification, and a
result is never issued twice — not by a second upload, a second confirmation or a second job."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from osaamo.accounts.models import Membership
from osaamo.assessment import services
from osaamo.assessment.selectors import passing_without_credential
from osaamo.credentials import services as credential_services
from osaamo.credentials.models import IssuedCredential, IssuingJob
from osaamo.errors import Conflict, PermissionDenied
from tests.assessment.conftest import csv_bytes, enrol, login

LAST_WEEK = timezone.localdate() - timedelta(days=7)


def record(offering: Any, by: Any, enrolment: Any, grade: str, **changes: Any) -> Any:
    return services.result_record(enrolment=enrolment, by=by, grade=grade, assessed_on=LAST_WEEK, **changes)


def signed(credential: IssuedCredential) -> dict[str, Any]:
    return json.loads(credential_services.credential_document(credential, credential.language).signed_json)


def test_with_confirmation_nothing_is_issued_until_a_registrar_confirms(
        offering: Any, enrolled: list[Any], helsinki_teacher: Any, helsinki_registrar: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        record(offering, helsinki_teacher, enrolled[0], "4", identity_verification="supervised_onsite_id")
        record(offering, helsinki_teacher, enrolled[1], "0")
    assert not IssuedCredential.objects.exists()
    assert passing_without_credential(offering) == 1
    page = login(helsinki_registrar).get(f"/en/provider/helsinki/assessment/{offering.pk}/").content.decode()
    assert "Issue the credential of 1 passing result" in page
    teacher_page = login(helsinki_teacher).get(f"/en/provider/helsinki/assessment/{offering.pk}/").content.decode()
    assert "Issue the credential" not in teacher_page

    with django_capture_on_commit_callbacks(execute=True):
        response = login(helsinki_registrar).post(f"/en/provider/helsinki/assessment/{offering.pk}/issue/")
    job = IssuingJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/provider/helsinki/credentials/jobs/{job.pk}/"
    credential = IssuedCredential.objects.get()
    assert credential.enrolment == enrolled[0] and credential.issued_by == helsinki_registrar
    document = signed(credential)
    assert document["credentialSubject"]["result"][0]["value"] == "4"
    assert document["awardedDate"].startswith(LAST_WEEK.isoformat())
    assert credential.values["identity_verification"] == "supervised_onsite_id"
    job.refresh_from_db()
    assert (job.state, job.issued, job.total) == ("finished", 1, 1)


def test_a_teacher_cannot_confirm_issuing(offering: Any, enrolled: list[Any], helsinki_teacher: Any) -> None:
    record(offering, helsinki_teacher, enrolled[0], "4")
    with pytest.raises(PermissionDenied):
        services.offering_credentials_issue(offering=offering, by=helsinki_teacher)
    response = login(helsinki_teacher).post(f"/en/provider/helsinki/assessment/{offering.pk}/issue/", follow=True)
    assert "Only a registrar or administrator of University of Helsinki decides" in response.content.decode()
    assert not IssuingJob.objects.exists()


def test_automatic_issuing_acts_for_the_registrar_who_switched_it_on(
        offering: Any, enrolled: list[Any], helsinki_teacher: Any, helsinki_registrar: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    services.offering_assessment_update(offering=offering, by=helsinki_registrar, issuing="automatic")
    with django_capture_on_commit_callbacks(execute=True):
        outcome = record(offering, helsinki_teacher, enrolled[0], "5")
    assert outcome.issuing_started
    credential = IssuedCredential.objects.get()
    assert credential.issued_by == helsinki_registrar and signed(credential)["credentialSubject"]["result"][0][
        "value"] == "5"
    with django_capture_on_commit_callbacks(execute=True):
        outcome = record(offering, helsinki_teacher, enrolled[1], "0")
    assert not outcome.issuing_started and IssuedCredential.objects.count() == 1


def test_switching_automatic_issuing_on_issues_the_waiting_results(
        offering: Any, enrolled: list[Any], helsinki_registrar: Any, django_capture_on_commit_callbacks: Any) -> None:
    for enrolment in enrolled:
        record(offering, helsinki_registrar, enrolment, "3")
    assert not IssuedCredential.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.offering_assessment_update(offering=offering, by=helsinki_registrar, issuing="automatic")
    assert IssuedCredential.objects.count() == 3


def test_a_pass_fail_result_is_certified_as_a_pass(pass_fail_offering: Any, helsinki_registrar: Any,
                                                   django_capture_on_commit_callbacks: Any) -> None:
    enrolment = enrol(pass_fail_offering)
    services.offering_assessment_update(offering=pass_fail_offering, by=helsinki_registrar, issuing="automatic")
    with django_capture_on_commit_callbacks(execute=True):
        record(pass_fail_offering, helsinki_registrar, enrolment, "hyväksytty")
    result = signed(IssuedCredential.objects.get())["credentialSubject"]["result"][0]
    assert result["status"] == "Completed" and result["value"] == "Pass"


def test_a_result_is_never_issued_twice(offering: Any, enrolled: list[Any], helsinki_registrar: Any,
                                        django_capture_on_commit_callbacks: Any) -> None:
    client = login(helsinki_registrar)
    data = csv_bytes([[e.learner.email, "4", LAST_WEEK.isoformat()] for e in enrolled])
    services.offering_assessment_update(offering=offering, by=helsinki_registrar, issuing="automatic")
    for name in ("results.csv", "results (1).csv"):
        response = client.post(f"/en/provider/helsinki/assessment/{offering.pk}/upload/",
                               {"file": SimpleUploadedFile(name, data, "text/csv")})
        with django_capture_on_commit_callbacks(execute=True):
            client.post(response["Location"], {"mode": "all_or_nothing"})
    assert IssuedCredential.objects.count() == 3
    with pytest.raises(Conflict, match=r"Every passing result has its credential already\."):
        services.offering_credentials_issue(offering=offering, by=helsinki_registrar)
    job = credential_services.issuing_job_create(offering=offering, by=helsinki_registrar)
    credential_services.issuing_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.issued, job.skipped) == (0, 3)
    assert IssuedCredential.objects.values("enrolment").distinct().count() == 3 == IssuedCredential.objects.count()


def test_an_issued_result_cannot_be_changed_until_its_credential_is_revoked(
        offering: Any, enrolled: list[Any], helsinki_registrar: Any, django_capture_on_commit_callbacks: Any) -> None:
    from osaamo.errors import InvalidInput

    services.offering_assessment_update(offering=offering, by=helsinki_registrar, issuing="automatic")
    with django_capture_on_commit_callbacks(execute=True):
        record(offering, helsinki_registrar, enrolled[0], "2")
    credential = IssuedCredential.objects.get()
    with pytest.raises(InvalidInput) as refused:
        record(offering, helsinki_registrar, enrolled[0], "0")
    assert "revokes the credential first" in refused.value.details["grade"][0]
    credential_services.credential_revoke(credential=credential, by=helsinki_registrar, reason="Plagiarism")
    with django_capture_on_commit_callbacks(execute=True):
        record(offering, helsinki_registrar, enrolled[0], "0")
    enrolled[0].refresh_from_db()
    assert enrolled[0].state == "failed" and IssuedCredential.objects.count() == 1


def test_automatic_issuing_waits_when_its_registrar_has_left(
        offering: Any, enrolled: list[Any], helsinki_teacher: Any, helsinki_registrar: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    services.offering_assessment_update(offering=offering, by=helsinki_registrar, issuing="automatic")
    Membership.objects.filter(user=helsinki_registrar).delete()
    with django_capture_on_commit_callbacks(execute=True):
        record(offering, helsinki_teacher, enrolled[0], "4")
    assert not IssuedCredential.objects.exists()
    assert passing_without_credential(offering) == 1


def test_a_bulk_job_states_every_results_grade(offering: Any, helsinki_registrar: Any,
                                               django_capture_on_commit_callbacks: Any) -> None:
    enrolments = [enrol(offering) for _ in range(7)]
    for n, enrolment in enumerate(enrolments):
        record(offering, helsinki_registrar, enrolment, str(n % 5 + 1))
    job = services.offering_credentials_issue(offering=offering, by=helsinki_registrar)  # not started: no commit
    credential_services.issuing_job_run(job_id=job.pk, batch_size=3)
    job.refresh_from_db()
    assert (job.state, job.issued, job.attempts) == ("finished", 7, 1)
    by_enrolment = {c.enrolment_id: signed(c)["credentialSubject"]["result"][0]["value"]
                    for c in IssuedCredential.objects.all()}
    assert by_enrolment == {e.pk: str(n % 5 + 1) for n, e in enumerate(enrolments)}
