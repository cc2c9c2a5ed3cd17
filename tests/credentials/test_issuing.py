"""Issuing: one learner by hand, or an offering's passed learners in the background — never twice."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from osaamo.accounts.models import User
from osaamo.audit.models import AuditEntry
from osaamo.credentials import services
from osaamo.credentials.models import IssuedCredential, IssuingJob, StatusEntry, StatusList
from osaamo.errors import Conflict, InvalidInput, PermissionDenied
from tests.credentials.conftest import complete, login, make_learner, signed


def _form(version: Any, **changes: Any) -> dict[str, Any]:
    data = {"version": version.pk, "email": "new.person@example.org", "name": "New Person", "grade": "5",
            "awarded_on": timezone.localdate().isoformat(), "identity_verification": "", "language": "",
            "request_key": "k-1"}
    data.update(changes)
    return data


def test_a_registrar_issues_to_an_unknown_email_and_the_learner_is_invited(
        version: Any, helsinki_registrar: Any, django_capture_on_commit_callbacks: Any) -> None:
    client = login(helsinki_registrar)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/provider/helsinki/credentials/issue/", _form(version, language="sv"))
    credential = IssuedCredential.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/provider/helsinki/credentials/{credential.uuid}/"
    user = User.objects.get(email="new.person@example.org")
    assert not user.has_usable_password()
    assert credential.learner == user and credential.language == "sv"
    assert signed(credential)["name"] == "Dataskydd i praktiskt arbete"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.org"]
    assert "/accounts/password-reset/" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="credential.issued", target_id=str(credential.pk)).exists()


def test_a_double_submitted_form_issues_once(version: Any, helsinki_registrar: Any) -> None:
    client = login(helsinki_registrar)
    client.post("/en/provider/helsinki/credentials/issue/", _form(version))
    response = client.post("/en/provider/helsinki/credentials/issue/", _form(version), follow=True)
    assert "This certificate had already been issued." in response.content.decode()
    assert IssuedCredential.objects.count() == 1


def test_bad_issuing_input_is_shown_on_the_form(version: Any, helsinki_registrar: Any) -> None:
    client = login(helsinki_registrar)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post("/en/provider/helsinki/credentials/issue/", _form(version, awarded_on=tomorrow))
    assert response.status_code == 400
    assert "The date of the result cannot be in the future." in response.content.decode()
    response = client.post("/en/provider/helsinki/credentials/issue/", _form(version, grade="pass"))
    assert "Give a passing grade from 1 to 5" in response.content.decode()
    response = client.post("/en/provider/helsinki/credentials/issue/", _form(version, email="not an email"))
    assert response.status_code == 400
    assert IssuedCredential.objects.count() == 0


def test_only_the_providers_registrar_or_administrator_issues(version: Any, helsinki_designer: Any,
                                                              aalto_admin: Any, completed: Any) -> None:
    assert login(helsinki_designer).get("/en/provider/helsinki/credentials/issue/").status_code == 404
    assert login(aalto_admin).post("/en/provider/helsinki/credentials/issue/", _form(version)).status_code == 404
    with pytest.raises(PermissionDenied):
        services.credential_issue_for_enrolment(enrolment=completed, by=aalto_admin)
    assert IssuedCredential.objects.count() == 0


def test_a_failed_enrolment_gets_no_certificate(offering: Any, helsinki_registrar: Any) -> None:
    failed = complete(offering, make_learner(), helsinki_registrar, passed=False)
    with pytest.raises(Conflict):
        services.credential_issue_for_enrolment(enrolment=failed, by=helsinki_registrar)


def test_a_result_is_issued_once_and_the_database_holds_the_rule(completed: Any, helsinki_registrar: Any) -> None:
    first, created = services.credential_issue_for_enrolment(enrolment=completed, by=helsinki_registrar)
    again, created_again = services.credential_issue_for_enrolment(enrolment=completed, by=helsinki_registrar)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        IssuedCredential.objects.create(
            provider=first.provider, version=first.version, idempotency_key=first.idempotency_key,
            recipient_email="x@example.org", language="fi", issuer_key=first.issuer_key, values={},
            public_code="other", issued_at=timezone.now())


def test_status_indexes_are_random_and_never_shared(offering: Any, helsinki_registrar: Any) -> None:
    credentials = [services.credential_issue_for_enrolment(
        enrolment=complete(offering, make_learner(), helsinki_registrar), by=helsinki_registrar)[0]
        for _ in range(6)]
    indexes = [e.index for e in StatusEntry.objects.filter(purpose="revocation")]
    assert len(set(indexes)) == len(credentials)
    assert indexes != sorted(indexes) or max(indexes) > 1000  # not handed out in order
    for credential in credentials:
        purposes = sorted(credential.status_entries.values_list("purpose", flat=True))
        assert purposes == ["revocation", "suspension"]


def test_a_new_list_opens_when_one_fills(offering: Any, helsinki_registrar: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "STATUS_LIST_FILL_LIMIT", 1 / 131_072)  # one entry fills a list
    for _ in range(2):
        services.credential_issue_for_enrolment(enrolment=complete(offering, make_learner(), helsinki_registrar),
                                                by=helsinki_registrar)
    lists = StatusList.objects.order_by("number")
    assert [(s.number, s.purpose, s.is_full) for s in lists] == [
        (1, "revocation", True), (2, "suspension", True), (3, "revocation", True), (4, "suspension", True)]


# --- bulk ---------------------------------------------------------------------------------------------------


@pytest.fixture
def passed_learners(offering: Any, helsinki_registrar: Any) -> list[Any]:
    passed = [complete(offering, make_learner(language), helsinki_registrar) for language in ("fi", "sv", "en", "fi")]
    complete(offering, make_learner(), helsinki_registrar, passed=False)
    return passed


def test_bulk_issuing_posts_redirects_and_shows_progress(offering: Any, passed_learners: Any,
                                                         helsinki_registrar: Any,
                                                         django_capture_on_commit_callbacks: Any) -> None:
    client = login(helsinki_registrar)
    page = client.get(f"/en/provider/helsinki/credentials/offerings/{offering.pk}/issue/")
    assert "4 learners have passed; 0 certificates have been issued." in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/provider/helsinki/credentials/offerings/{offering.pk}/issue/", {})
    job = IssuingJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/provider/helsinki/credentials/jobs/{job.pk}/"
    progress = client.get(response["Location"]).content.decode()
    assert "Finished" in progress and "Issued: 4" in progress
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('<div id="job-progress"') and "hx-trigger" not in fragment
    assert sorted(IssuedCredential.objects.values_list("language", flat=True)) == ["en", "fi", "fi", "sv"]


def test_bulk_issuing_twice_never_issues_a_second_credential(offering: Any, passed_learners: Any,
                                                             helsinki_registrar: Any) -> None:
    first = services.issuing_job_create(offering=offering, by=helsinki_registrar)
    services.issuing_job_run(job_id=first.pk)
    second = services.issuing_job_create(offering=offering, by=helsinki_registrar)
    services.issuing_job_run(job_id=second.pk)
    second.refresh_from_db()
    assert IssuedCredential.objects.count() == 4
    assert (second.issued, second.skipped, second.state) == (0, 4, "finished")


@pytest.mark.parametrize(("batch_size", "kept"), [(1, 2), (3, 0)])
def test_bulk_issuing_resumes_after_a_crash_without_duplicates(offering: Any, passed_learners: Any,
                                                               helsinki_registrar: Any, batch_size: int,
                                                               kept: int) -> None:
    job = services.issuing_job_create(offering=offering, by=helsinki_registrar)
    with pytest.raises(RuntimeError, match="simulated crash"):
        services.issuing_job_run(job_id=job.pk, stop_after=2, batch_size=batch_size)
    # committed batches are kept; the batch in progress is rolled back whole
    assert IssuedCredential.objects.count() == kept
    services.issuing_job_resume(job=job, by=helsinki_registrar)  # the immediate backend runs it at once
    job.refresh_from_db()
    services.issuing_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.issued, job.skipped, job.total) == ("finished", 4, 0, 4)
    keys = list(IssuedCredential.objects.values_list("idempotency_key", flat=True))
    assert sorted(keys) == sorted(f"enrolment:{e.pk}" for e in passed_learners)


def test_a_failing_task_marks_the_job_stopped(offering: Any, passed_learners: Any, helsinki_registrar: Any,
                                              monkeypatch: Any) -> None:
    from osaamo.credentials import tasks

    def crash(**kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "issuing_job_run", crash)
    job = services.issuing_job_create(offering=offering, by=helsinki_registrar)
    with pytest.raises(RuntimeError):
        tasks.run_issuing_job.call(job.pk)
    job.refresh_from_db()
    assert job.state == "failed"


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_of_one_result_makes_one_credential(postgres_only: None, helsinki: Any,
                                                               helsinki_admin: Any, helsinki_registrar: Any) -> None:
    from tests.factories import make_published

    version = make_published(helsinki, helsinki_admin, code="HY-RACE")
    enrolments = [complete(version.offerings.get(), make_learner(), helsinki_registrar) for _ in range(3)]
    results: list[Any] = []
    errors: list[BaseException] = []

    def issue(enrolment: Any) -> None:
        try:
            results.append(services.credential_issue_for_enrolment(enrolment=enrolment, by=helsinki_registrar))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(e,)) for e in enrolments * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert IssuedCredential.objects.count() == 3
    assert sum(1 for _c, created in results if created) == 3
    indexes = list(StatusEntry.objects.values_list("status_list_id", "index"))
    assert len(indexes) == len(set(indexes)) == 6


def test_issuing_refuses_unknown_vocabulary_values(version: Any, helsinki_registrar: Any) -> None:
    with pytest.raises(InvalidInput):
        services.credential_issue_to_email(version=version, email="a@example.org", by=helsinki_registrar,
                                           request_key="x", identity_verification="telepathy")
