"""Benchmark: bulk issuing through the Django service (the end-of-course burst).

Run: ``python bench/issue_bulk.py [--learners N] [--database-url URL]`` (``make bench B=issue_bulk``).
A fresh database (default: SQLite in a temporary directory) gets one published micro-credential with
N passed learners; ``issuing_job_run`` then issues every certificate (snapshot, two random status
indexes, the signed document in the learner's language, audit row) and is timed. Reported: credentials
per second, milliseconds per credential, how much of that is the signature alone (``vc.issue`` on the
same document), and the memory growth (tracemalloc) between the first and the last tenth of the run,
which should stay flat. Ends with ``bench: <name> <value> <unit>`` lines.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="osaamo-bench-issue-"))
    os.environ.setdefault("OSAAMO_VAR_DIR", str(workdir))
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osaamo.settings")
    os.environ.setdefault("OSAAMO_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        call_command("flush", "--noinput", verbosity=0)
    call_command("migrate", "--noinput", verbosity=0)

    from tests.factories import make_provider, make_published, make_user

    import osaamo.vc as vc
    from osaamo.credentials import building, services
    from osaamo.credentials.models import IssuedCredential
    from osaamo.enrolment.models import Enrolment, EnrolmentState

    provider = make_provider("benchu", "Bench-yliopisto", "Bench-universitetet", "Bench University")
    admin = make_user("admin@bench.example", "Admin", provider, "provider_admin")
    version = make_published(provider, admin, code="BENCH-1")
    offering = version.offerings.get()
    learners = [make_user(f"learner{i}@bench.example", f"Learner {i}") for i in range(args.learners)]
    Enrolment.objects.bulk_create([
        Enrolment(offering=offering, learner=learner, state=EnrolmentState.COMPLETED, payment_method="free")
        for learner in learners])
    job = services.issuing_job_create(offering=offering, by=admin)

    # Memory: sampled at each tenth of the run through the progress callback of the loop.
    samples: list[tuple[int, int]] = []
    original = services.credential_issue_for_enrolment

    def counted(**kwargs: object) -> object:
        result = original(**kwargs)  # type: ignore[arg-type]
        done = len(samples)
        if done % max(1, args.learners // 10) == 0:
            samples.append((done, tracemalloc.get_traced_memory()[0]))
        else:
            samples.append((done, -1))
        return result

    services.credential_issue_for_enrolment = counted  # type: ignore[assignment]
    if not os.environ.get("BENCH_NO_TRACE"):
        tracemalloc.start()
    started = time.perf_counter()
    services.issuing_job_run(job_id=job.pk)
    elapsed = time.perf_counter() - started
    tracemalloc.stop()
    services.credential_issue_for_enrolment = original  # type: ignore[assignment]

    count = IssuedCredential.objects.count()
    assert count == args.learners, (count, args.learners)
    credential = IssuedCredential.objects.first()
    assert credential is not None
    unsigned = building.render_credential(credential.values, credential.language)
    signer = services.signer_for(credential.issuer_key)
    rounds = 200
    sign_started = time.perf_counter()
    for _ in range(rounds):
        vc.issue(unsigned, signer=signer, now=credential.issued_at)
    sign_ms = (time.perf_counter() - sign_started) * 1000 / rounds

    measured = [(n, m) for n, m in samples if m >= 0]
    growth_kib = (measured[-1][1] - measured[1][1]) / 1024 if len(measured) > 2 else 0.0
    per_credential_ms = elapsed * 1000 / count
    print(f"{connection.vendor}: {count} credentials in {elapsed:.1f} s")
    print(f"bench: issue_bulk_rate {count / elapsed:.1f} credentials/s")
    print(f"bench: issue_bulk_per_credential {per_credential_ms:.2f} ms")
    print(f"bench: issue_sign_only {sign_ms:.2f} ms")
    print(f"bench: issue_bulk_traced_memory_growth {growth_kib:.0f} KiB "
          f"(between {measured[1][0] if len(measured) > 2 else 0} and {measured[-1][0] if measured else 0} credentials)")


if __name__ == "__main__":
    main()
