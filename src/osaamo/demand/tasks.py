"""Background tasks (django-tasks): thin — call a service that is idempotent (style.md practice 5)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from osaamo.demand import pooling


@task()
def decide_offerings_task() -> dict[str, Any]:
    """The scheduled pooling decision (see `pooling.decide_offerings`); running it twice decides nothing twice."""
    decisions = pooling.decide_offerings()
    return {"confirmed": decisions.confirmed, "cancelled": decisions.cancelled, "waiting": decisions.waiting}
