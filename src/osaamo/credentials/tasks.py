"""Background tasks (django-tasks): thin — take ids, call a service (style.md practice 5)."""

from __future__ import annotations

from django_tasks import task

from osaamo.credentials import services


@task()
def run_issuing_job(job_id: int) -> int:
    """Issue an offering's certificates; idempotent, so a retry or a second worker never issues twice."""
    try:
        job = services.issuing_job_run(job_id=job_id)
    except Exception as error:  # report the stop on the job's page, then let the worker record it too
        services.issuing_job_mark_failed(job_id=job_id, error=repr(error))
        raise
    return job.issued


@task()
def mail_issued(credential_id: int) -> None:
    """Tell the learner that a certificate is in their wallet (in their language)."""
    services.credential_mail_issued(credential_id=credential_id)


@task()
def mail_issued_many(credential_ids: list[int]) -> None:
    """The mails of a batch of bulk-issued certificates."""
    services.credential_mail_issued_many(credential_ids=credential_ids)


@task()
def watch_issuing_job(job_id: int) -> str:
    """Enqueued for when a running job's lease runs out: resumes the job if its worker was killed (the
    worker that runs this is then the one that continues), otherwise looks again later."""
    try:
        return services.issuing_job_watch(job_id=job_id)
    except Exception as error:
        services.issuing_job_mark_failed(job_id=job_id, error=repr(error))
        raise
