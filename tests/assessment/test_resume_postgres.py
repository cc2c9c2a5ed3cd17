"""Bulk issuing survives its worker being killed: a real `osaamo db_worker` process runs the job, is killed
with SIGKILL half-way, and a new worker resumes and finishes it — exactly one credential per passing result.

How the job resumes: the job is leased to the worker that runs it, and the lease is renewed with every
batch it commits (a batch's credentials, the job's counters and the lease in one transaction). When the
job started, a watch task was enqueued for the lease's end. The killed worker renews nothing; its lease
runs out; the new worker runs the watch task, which finds the lease expired and runs the job itself,
continuing after the last committed batch (the batch in progress died with its transaction). The test's
worker uses tests/assessment/worker_settings.py: a 3-second lease and batches of 40.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from osaamo.assessment import services
from osaamo.assessment.models import ApplyMode, Result, ResultSource
from osaamo.assessment.validation import ResultInput
from osaamo.credentials.models import CredentialDocument, IssuedCredential, IssuingJob, StatusEntry
from osaamo.enrolment.models import Enrolment, EnrolmentState, PaymentMethod
from tests.factories import make_published, make_user

ROOT = Path(__file__).resolve().parents[2]
LEARNERS = 400
FAILING_EVERY = 10  # every tenth learner fails: 360 passing results
TIMEOUT = 180


def _database_url() -> str:
    database = connection.settings_dict
    user = database.get("USER") or "postgres"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host = database.get("HOST") or "localhost"
    port = database.get("PORT") or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{database['NAME']}"


def _worker_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "tests.assessment.worker_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH", "")]),
        "DATABASE_URL": _database_url(),
        "OSAAMO_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        "OSAAMO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "OSAAMO_KEY_ENCRYPTION_KEY": settings.OSAAMO_KEY_ENCRYPTION_KEY,  # the issuer keys were made with it
        "OSAAMO_SECRET_KEY": settings.SECRET_KEY,
        "OSAAMO_BASE_URL": settings.BASE_URL,
        "OSAAMO_LOG_LEVEL": "WARNING",
    })
    return env


class Workers:
    """`osaamo db_worker` processes started by the test (and stopped at its end)."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", "osaamo", "db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.2",
             "--verbosity", "0"], env=_worker_environment(), cwd=str(ROOT))
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@pytest.fixture
def workers() -> Iterator[Workers]:
    running = Workers()
    yield running
    running.stop_all()


def _wait_for(condition: Any, what: str, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"the worker exited ({process.returncode}) while waiting for {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_is_resumed_and_every_passing_result_gets_one_credential(
        postgres_only: None, settings: Any, helsinki: Any, helsinki_admin: Any, helsinki_registrar: Any,
        workers: Workers) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # the real queue in the database
    offering = make_published(helsinki, helsinki_admin, code="HY-RESUME").offerings.get()
    learners = [make_user(f"resume{n:04d}@example.com", f"Resume Learner {n}") for n in range(LEARNERS)]
    now = timezone.now()
    Enrolment.objects.bulk_create([
        Enrolment(offering=offering, learner=learner, state=EnrolmentState.ENROLLED,
                  payment_method=PaymentMethod.FREE, price=0, enrolled_at=now) for learner in learners])
    assessed_on = (timezone.localdate() - timedelta(days=1)).isoformat()
    services.results_record(
        offering=offering, by=helsinki_registrar, mode=ApplyMode.ALL_OR_NOTHING, source=ResultSource.CSV,
        rows=[ResultInput(email=learner.email, grade="0" if n % FAILING_EVERY == 0 else str(1 + n % 5),
                          assessed_on=assessed_on) for n, learner in enumerate(learners)])
    passing = Result.objects.filter(offering=offering, passed=True).count()
    assert passing == LEARNERS - LEARNERS // FAILING_EVERY

    job = services.offering_credentials_issue(offering=offering, by=helsinki_registrar)  # enqueued on commit

    def progress() -> IssuingJob:
        return IssuingJob.objects.get(pk=job.pk)

    # A worker starts issuing; it is killed half-way, between or inside batches.
    first = workers.start()
    _wait_for(lambda: progress().issued >= passing // 2, "half of the credentials", first)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=20)
    stopped = progress()
    issued_before = IssuedCredential.objects.filter(offering=offering).count()
    assert stopped.state == IssuingJob.State.RUNNING, "the killed worker finished the job before it was killed"
    assert passing // 2 <= issued_before < passing
    assert stopped.issued == issued_before  # the counters were committed with each batch's credentials

    # A new worker resumes it once the killed worker's lease has run out.
    second = workers.start()
    _wait_for(lambda: progress().state == IssuingJob.State.FINISHED, "the job to finish", second)
    finished = progress()
    assert finished.attempts == 2 and finished.issued == passing and finished.failed == 0
    credentials = IssuedCredential.objects.filter(offering=offering)
    assert credentials.count() == passing
    assert credentials.values("enrolment").distinct().count() == passing
    passing_enrolments = set(Result.objects.filter(offering=offering, passed=True).values_list("enrolment_id",
                                                                                                flat=True))
    assert set(credentials.values_list("enrolment_id", flat=True)) == passing_enrolments
    assert StatusEntry.objects.filter(credential__offering=offering).count() == 2 * passing
    assert CredentialDocument.objects.filter(credential__offering=offering).count() == passing


def _passed_offering(helsinki: Any, helsinki_admin: Any, helsinki_registrar: Any, code: str, learners: int) -> Any:
    offering = make_published(helsinki, helsinki_admin, code=code).offerings.get()
    people = [make_user(f"{code.lower()}-{n:03d}@example.com", f"{code} Learner {n}") for n in range(learners)]
    Enrolment.objects.bulk_create([
        Enrolment(offering=offering, learner=person, state=EnrolmentState.ENROLLED, payment_method=PaymentMethod.FREE,
                  price=0, enrolled_at=timezone.now()) for person in people])
    services.results_record(offering=offering, by=helsinki_registrar, source=ResultSource.CSV, rows=[
        ResultInput(email=person.email, grade=str(1 + n % 5), assessed_on=timezone.localdate().isoformat())
        for n, person in enumerate(people)])
    return offering


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("learners", "batch_size", "mode"), [(130, 25, "process"), (60, 25, "thread")])
def test_batches_are_stored_by_a_process_or_a_thread_while_the_next_are_signed(
        postgres_only: None, settings: Any, monkeypatch: Any, helsinki: Any, helsinki_admin: Any,
        helsinki_registrar: Any, learners: int, batch_size: int, mode: str) -> None:
    """A job of four batches or more is stored by a process of its own, a smaller one on a thread; either
    way every passing result gets one credential with two distinct status entries, and its mail."""
    from osaamo.credentials import services as credential_services

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    mailed: list[int] = []
    enqueue_mails = credential_services._enqueue_mails
    monkeypatch.setattr(credential_services, "_enqueue_mails", lambda ids: (mailed.extend(ids), enqueue_mails(ids)))
    writer_modes: list[str] = []
    writer_init = credential_services._Writer.__init__

    def record_mode(self: Any, **kwargs: Any) -> None:
        writer_init(self, **kwargs)
        writer_modes.append(self.mode)

    monkeypatch.setattr(credential_services._Writer, "__init__", record_mode)
    offering = _passed_offering(helsinki, helsinki_admin, helsinki_registrar, f"HY-PIPE-{mode}", learners)
    job = services.offering_credentials_issue(offering=offering, by=helsinki_registrar)
    assert not connection.in_atomic_block  # so the run stores its batches concurrently
    credential_services.issuing_job_run(job_id=job.pk, batch_size=batch_size)
    assert writer_modes == [mode]
    job.refresh_from_db()
    assert (job.state, job.issued, job.skipped, job.failed, job.total) == ("finished", learners, 0, 0, learners)
    credentials = IssuedCredential.objects.filter(offering=offering)
    assert credentials.count() == credentials.values("enrolment").distinct().count() == learners
    entries = StatusEntry.objects.filter(credential__offering=offering)
    assert entries.count() == 2 * learners == entries.values("status_list", "index").distinct().count()
    assert CredentialDocument.objects.filter(credential__offering=offering).count() == learners
    if mode == "process":
        # The store process queues each batch's mail on its commit, with the task backend of the settings
        # it was started with (the database's): a worker killed right after a commit leaves no one unmailed.
        from django_tasks_db.models import DBTaskResult

        tasks = DBTaskResult.objects.filter(task_path__endswith="mail_issued_many")
        mailed = [pk for task in tasks for pk in task.args_kwargs["kwargs"]["credential_ids"]]
    assert sorted(mailed) == sorted(credentials.values_list("pk", flat=True))  # told after each batch's commit


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_batch_that_clashes_with_another_issuer_is_made_again(
        postgres_only: None, settings: Any, monkeypatch: Any, helsinki: Any, helsinki_admin: Any,
        helsinki_registrar: Any) -> None:
    from osaamo.credentials import services as credential_services

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    offering = _passed_offering(helsinki, helsinki_admin, helsinki_registrar, "HY-CLASH", 60)
    prepare = credential_services._prepare_batch
    clashed: list[int] = []

    def prepare_then_someone_issues_by_hand(**kwargs: Any) -> Any:
        batch = prepare(**kwargs)
        if batch.credentials and not clashed:
            enrolment = Enrolment.objects.get(pk=batch.credentials[0]["enrolment_id"])  # issued by hand after the batch was made
            credential_services.credential_issue_for_enrolment(enrolment=enrolment, by=helsinki_registrar,
                                                               grade="3")
            clashed.append(enrolment.pk)
        return batch

    monkeypatch.setattr(credential_services, "_prepare_batch", prepare_then_someone_issues_by_hand)
    job = services.offering_credentials_issue(offering=offering, by=helsinki_registrar)
    credential_services.issuing_job_run(job_id=job.pk, batch_size=20)
    job.refresh_from_db()
    assert (job.state, job.issued, job.skipped) == ("finished", 59, 1)
    credentials = IssuedCredential.objects.filter(offering=offering)
    assert credentials.count() == credentials.values("enrolment").distinct().count() == 60
    assert credentials.get(enrolment_id=clashed[0]).job is None  # the one issued by hand stands
