"""Background tasks (django-tasks): thin — take ids, call a service (style.md practice 5)."""

from __future__ import annotations

from django_tasks import task

from osaamo.enrolment import services


@task()
def mail_offering_cancelled(enrolment_ids: list[int], purchase_ids: list[int], reason: str) -> None:
    """Tell the learners and the buying employers of a cancelled offering (in each one's language)."""
    services.offering_cancelled_mail(enrolment_ids=enrolment_ids, purchase_ids=purchase_ids, reason=reason)
