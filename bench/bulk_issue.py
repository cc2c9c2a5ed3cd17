"""Benchmark: bulk issuing of an offering's credentials on PostgreSQL, end to end, against pure signing.

Run: ``make bench B=bulk_issue`` (or ``python bench/bulk_issue.py [--learners N]``). Needs PostgreSQL:
``DATABASE_URL`` or ``OSAAMO_BENCH_DATABASE_URL`` (default ``postgres://postgres@localhost:5432/osaamo_bench_issue``);
the database is dropped, created and migrated here.

1. Data: a provider, a published micro-credential, one offering, N learners enrolled (bulk inserts, not
   timed) and their passing results recorded through the assessment service (timed separately).
2. End to end: the registrar confirms issuing (the assessment service starts the credentials app's
   issuing job); a real ``osaamo db_worker --batch`` process runs it — results read, credentials
   signed, status indexes allocated, rows written (batches of 500; PostgreSQL stores a batch while the
   worker signs the next). Throughput = N / (job finished − job started), both stamped by the worker;
   the worker's peak RSS comes from ``wait4()``'s resource usage. A job this large is stored by a
   process of its own (credentials/store_process.py): the peak of the worker and that process
   together is sampled from /proc every 50 ms and reported too.
3. Peer: the very documents the job signed (their proofs taken off) signed again with ``osaamo.vc`` in
   a loop in this process, no database: pure signing throughput.

Target (issue 4): end-to-end throughput at least half of pure signing, worker peak RSS under 300 MB.
Ends with ``bench: bulk_issue_throughput <n> credentials/s peer <n> ratio <x>`` and
``bench: bulk_issue_peak_rss <MB> MB`` (the worker alone) and ``bench: bulk_issue_peak_rss_with_store_process <MB> MB``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@localhost:5432/osaamo_bench_issue"


def database_url() -> str:
    return os.environ.get("OSAAMO_BENCH_DATABASE_URL") or DEFAULT_URL


def environment(var_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "osaamo.settings",
        "OSAAMO_DEBUG": "0",  # no query log in the worker
        "OSAAMO_VAR_DIR": var_dir,
        "OSAAMO_BASE_URL": "https://osaamo.example.fi",
        "OSAAMO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "OSAAMO_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        "OSAAMO_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", ""),
    })
    return env


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def setup_django(var_dir: str) -> None:
    os.environ.update(environment(var_dir))
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def make_data(learners: int) -> tuple[object, object, object]:
    """Provider, registrar, offering with `learners` enrolled learners (bulk inserts through the ORM)."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from tests.factories import design_data, offering_data

    from osaamo.accounts.models import OrganisationKind, User
    from osaamo.accounts.services import membership_grant, organisation_create, user_create
    from osaamo.catalog.services import micro_credential_create, offering_create, version_publish
    from osaamo.enrolment.models import Enrolment, EnrolmentState, PaymentMethod

    provider = organisation_create(kind=OrganisationKind.PROVIDER, slug="bench", city="Helsinki",
                                   name={"fi": "Penkkiyliopisto", "sv": "Bänkuniversitetet", "en": "Bench University"})
    admin = user_create(email="admin@bench.example", password=None, full_name="Bench Admin")
    registrar = user_create(email="registrar@bench.example", password=None, full_name="Bench Registrar")
    membership_grant(organisation=provider, user=admin, role="provider_admin")
    membership_grant(organisation=provider, user=registrar, role="registrar")
    version = micro_credential_create(provider=provider, by=admin, code="BENCH-1", data=design_data())
    version = version_publish(version=version, by=admin)
    offering = offering_create(version=version, by=admin, data=offering_data(seats=None))
    languages = ("fi", "sv", "en")
    unusable = make_password(None)  # the learners never sign in here
    users = [User(email=f"learner{n:05d}@bench.example", full_name=f"Oppija {n:05d}", password=unusable,
                  preferred_language=languages[n % 3]) for n in range(learners)]
    User.objects.bulk_create(users, batch_size=2000)
    users = list(User.objects.filter(email__endswith="@bench.example").exclude(pk__in=[admin.pk, registrar.pk])
                 .order_by("id"))
    now = timezone.now()
    Enrolment.objects.bulk_create([
        Enrolment(offering=offering, learner=user, state=EnrolmentState.ENROLLED, payment_method=PaymentMethod.FREE,
                  price=0, enrolled_at=now) for user in users], batch_size=2000)
    return provider, registrar, offering


def record_results(offering: object, registrar: object) -> float:
    from django.utils import timezone

    from osaamo.assessment.models import ApplyMode, ResultSource
    from osaamo.assessment.services import results_record
    from osaamo.assessment.validation import ResultInput
    from osaamo.enrolment.models import Enrolment

    assessed_on = (timezone.localdate() - timedelta(days=1)).isoformat()
    emails = list(Enrolment.objects.filter(offering=offering).order_by("id").values_list("learner__email", flat=True))
    start = time.perf_counter()
    for first in range(0, len(emails), 1000):
        rows = [ResultInput(email=email, grade=str(1 + (i % 5)), assessed_on=assessed_on,
                            identity_verification="supervised_onsite_id")
                for i, email in enumerate(emails[first:first + 1000], start=first)]
        results_record(offering=offering, by=registrar, rows=rows, mode=ApplyMode.ALL_OR_NOTHING,
                       source=ResultSource.CSV)
    return time.perf_counter() - start


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants now (Linux /proc), in kB."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                total += next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def run_worker(env: dict[str, str]) -> tuple[int, float, float]:
    """Run `osaamo db_worker --batch` until the queue is empty; (exit status, the worker's own peak RSS in
    MB from wait4(), the peak of the worker and its store process together in MB, sampled every 50 ms)."""
    import threading

    command = [sys.executable, "-m", "osaamo", "db_worker", "--batch", "--no-startup-delay", "--no-reload",
               "--interval", "0.2", "--verbosity", "0"]
    process = subprocess.Popen(command, env=env, cwd=str(ROOT))
    peak_tree = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not done.wait(0.05):
            peak_tree = max(peak_tree, _tree_rss_kb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _pid, status, usage = os.wait4(process.pid, 0)
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_maxrss / 1024, peak_tree / 1024  # Linux: kilobytes


def pure_signing(sample: list[dict], signer: object, created: object) -> float:
    """Seconds to sign these documents (proofs removed) one after the other; no database. The garbage
    collector is treated as in the issuing job (long-lived objects frozen), so that the two compare."""
    import gc

    import osaamo.vc as vc

    for document in sample[:20]:  # warm up (bundled contexts parsed once)
        vc.issue(document, signer=signer, now=created)
    gc.collect()
    gc.freeze()
    try:
        start = time.perf_counter()
        for document in sample:
            vc.issue(document, signer=signer, now=created)
        return time.perf_counter() - start
    finally:
        gc.unfreeze()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=10_000)
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="osaamo-bench-")
    env = environment(var_dir)
    print(f"bench: database {urlsplit(database_url()).path.lstrip('/')} (dropped and created)", flush=True)
    recreate_database(database_url())
    subprocess.run([sys.executable, "-m", "osaamo", "migrate", "--noinput", "--verbosity", "0"], env=env,
                   cwd=str(ROOT), check=True)
    setup_django(var_dir)
    sys.path.insert(0, str(ROOT))

    from django.db import transaction

    from osaamo.assessment.services import offering_credentials_issue
    from osaamo.credentials.models import CredentialDocument, IssuedCredential, IssuingJob
    from osaamo.credentials.services import issuer_key_current, signer_for

    _provider, registrar, offering = make_data(args.learners)
    recording = record_results(offering, registrar)
    print(f"bench: recorded {args.learners} results in {recording:.1f} s "
          f"({args.learners / recording:.0f} results/s, through the enrolment hook)", flush=True)

    with transaction.atomic():
        job = offering_credentials_issue(offering=offering, by=registrar)
    exit_status, peak_rss, peak_tree = run_worker(env)
    job = IssuingJob.objects.get(pk=job.pk)
    if exit_status != 0 or job.state != IssuingJob.State.FINISHED:
        raise SystemExit(f"bench: the worker stopped ({exit_status}) with the job {job.state}: {job.errors[:3]}")
    elapsed = (job.finished_at - job.started_at).total_seconds()
    issued = IssuedCredential.objects.filter(offering=offering).count()
    distinct = IssuedCredential.objects.filter(offering=offering).values("enrolment").distinct().count()
    if issued != args.learners or distinct != args.learners or job.issued != args.learners:
        raise SystemExit(f"bench: expected {args.learners} credentials, one per result; got {issued} ({distinct})")

    documents = []
    for text in CredentialDocument.objects.filter(credential__offering=offering).values_list(
            "signed_json", flat=True).iterator(chunk_size=1000):
        document = json.loads(text)
        created = document.pop("proof")["created"]
        documents.append(document)
    key = issuer_key_current(offering.version.micro_credential.provider)
    signer = signer_for(key)
    from datetime import datetime

    signing = pure_signing(documents, signer, datetime.fromisoformat(created.replace("Z", "+00:00")))
    throughput = args.learners / elapsed
    peer = len(documents) / signing
    print(f"bench: issuing job {elapsed:.2f} s for {args.learners} credentials; pure signing {signing:.2f} s")
    print(f"bench: bulk_issue_throughput {throughput:.0f} credentials/s peer {peer:.0f} ratio {throughput / peer:.2f}")
    # The memory the job takes: the worker and the store process it starts (the worker alone for comparison).
    print(f"bench: bulk_issue_peak_rss {peak_tree:.0f} MB")
    print(f"bench: bulk_issue_peak_rss_worker_alone {peak_rss:.0f} MB")


if __name__ == "__main__":
    main()
